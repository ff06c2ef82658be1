output "lambda_function_name" {
  description = "Name of the custom action's Lambda function."
  value       = try(module.custom_channel.lambda_function_name, null)
}

output "lambda_function_arn" {
  description = "ARN of the custom action's Lambda function (what the Connect instance is given)."
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

output "lambda_permission_statement_ids" {
  description = "Statement ids of the invoke permissions: `connect` (connect-campaigns.amazonaws.com, the instance's account and ARN) and `connect_journeys` (connect.amazonaws.com, the instance's account)."
  value       = try(module.custom_channel.lambda_permission_statement_ids, null)
}

output "connect_register_command" {
  description = "AWS CLI command, to run from anywhere after apply unless register_with_instance did it: registers the function with the Connect instance (PutConnectInstanceIntegration)."
  value       = try(module.custom_channel.connect_register_command, null)
}

output "connect_unregister_command" {
  description = "AWS CLI command, to run before destroy unless register_with_instance does it: removes the function from the Connect instance's integrations (DeleteConnectInstanceIntegration)."
  value       = try(module.custom_channel.connect_unregister_command, null)
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

output "receipts_url" {
  description = "Where the provider reports receipts (the X-Channel-Receipt-Url requests carry), or null without receipts."
  value       = try(module.custom_channel.receipts_url, null)
}
