output "pinpoint_application_id" {
  description = "Id of the Pinpoint application created for the channel."
  value       = try(module.custom_channel.pinpoint_application_id, null)
}

output "pinpoint_segment_id" {
  description = "Id of the segment the campaign sends to."
  value       = try(module.custom_channel.pinpoint_segment_id, null)
}

output "pinpoint_campaign_id" {
  description = "Id of the campaign."
  value       = try(module.custom_channel.pinpoint_campaign_id, null)
}

output "pinpoint_campaign_definition_json" {
  description = "The campaign's definition (ids, delivery URI, endpoint types, Data, treatments, schedule) as JSON, for a local campaign runner. Sensitive (the module marks it so: its delivery URI may carry a secret)."
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

output "lambda_function_environment" {
  description = "The function's environment: the handler's settings (no credentials: they are in the secret)."
  value       = try(module.custom_channel.lambda_function_environment, null)
  sensitive   = true
}

output "lambda_cloudwatch_log_group_name" {
  description = "Log group of the function."
  value       = try(module.custom_channel.lambda_cloudwatch_log_group_name, null)
}

output "provider_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the provider credentials."
  value       = try(aws_secretsmanager_secret.provider.arn, null)
}

output "failure_queue_url" {
  description = "URL of the queue holding failed and unknown deliveries (python -m custom_channel.operator resend reads it)."
  value       = try(module.custom_channel.failure_queue_url, null)
}

output "cloudwatch_metric_alarm_names" {
  description = "Names of the alarms on failed and unknown deliveries, function errors and throttles, and the failure queue (if any)."
  value       = try(module.custom_channel.cloudwatch_metric_alarm_names, null)
}

output "cloudwatch_dashboard_name" {
  description = "Name of the channel's CloudWatch dashboard."
  value       = try(module.custom_channel.cloudwatch_dashboard_name, null)
}

output "cloudwatch_dashboard_url" {
  description = "The dashboard in the AWS console."
  value       = try(module.custom_channel.cloudwatch_dashboard_url, null)
}
