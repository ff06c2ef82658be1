output "pinpoint_application_id" {
  description = "Id of the Pinpoint application created for the channel: import or register your SMS endpoints here."
  value       = try(module.custom_channel.pinpoint_application_id, null)
}

output "pinpoint_segment_id" {
  description = "Id of the SMS segment the campaign sends to."
  value       = try(module.custom_channel.pinpoint_segment_id, null)
}

output "pinpoint_campaign_id" {
  description = "Id of the campaign."
  value       = try(module.custom_channel.pinpoint_campaign_id, null)
}

output "pinpoint_campaign_definition_json" {
  description = "The campaign's definition as JSON, for a local campaign runner. Sensitive (the module marks it so: its delivery URI may carry a secret)."
  value       = try(module.custom_channel.pinpoint_campaign_definition_json, null)
  sensitive   = true
}

output "lambda_function_name" {
  description = "Name of the channel's Lambda function."
  value       = try(module.custom_channel.lambda_function_name, null)
}

output "lambda_function_arn" {
  description = "ARN of the channel's Lambda function (the campaign's DeliveryUri)."
  value       = try(module.custom_channel.lambda_function_arn, null)
}

output "lambda_cloudwatch_log_group_name" {
  description = "Log group of the function (addresses are masked in its lines)."
  value       = try(module.custom_channel.lambda_cloudwatch_log_group_name, null)
}

output "twilio_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Twilio credentials."
  value       = try(aws_secretsmanager_secret.twilio.arn, null)
}
