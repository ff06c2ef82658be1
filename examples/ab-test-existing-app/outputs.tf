output "pinpoint_campaign_id" {
  description = "Id of the A/B campaign."
  value       = try(module.custom_channel.pinpoint_campaign_id, null)
}

output "pinpoint_campaign_arn" {
  description = "ARN of the A/B campaign."
  value       = try(module.custom_channel.pinpoint_campaign_arn, null)
}

output "pinpoint_campaign_definition_json" {
  description = "The campaign's definition as JSON, treatments included (TreatmentId, SizePercent, Data). Sensitive (the module marks it so: its delivery URI may carry a secret)."
  value       = try(module.custom_channel.pinpoint_campaign_definition_json, null)
  sensitive   = true
}

output "lambda_function_name" {
  description = "Name of the channel's Lambda function."
  value       = try(module.custom_channel.lambda_function_name, null)
}

output "lambda_function_arn" {
  description = "ARN of the channel's Lambda function (the DeliveryUri of every treatment)."
  value       = try(module.custom_channel.lambda_function_arn, null)
}

output "lambda_permission_source_arn" {
  description = "SourceArn of Pinpoint's invoke permission: the application's campaigns after the first apply, this campaign only after the second."
  value       = try(module.custom_channel.lambda_permission_source_arns["pinpoint"], null)
}

output "permission_scope" {
  description = "The permission scope applied."
  value       = var.permission_scope
}
