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

output "connect_register_command" {
  description = "AWS CLI command that registers the function with the Connect instance (PutConnectInstanceIntegration)."
  value       = try(module.custom_channel.connect_register_command, null)
}

output "connect_unregister_command" {
  description = "AWS CLI command that removes the function from the Connect instance's integrations."
  value       = try(module.custom_channel.connect_unregister_command, null)
}

output "twilio_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Twilio credentials."
  value       = try(aws_secretsmanager_secret.twilio.arn, null)
}

output "idempotency_table_name" {
  description = "DynamoDB table of the delivery ledger."
  value       = try(module.custom_channel.idempotency_table_name, null)
}

output "failure_queue_url" {
  description = "URL of the queue holding failed and unknown deliveries (`custom-channel resend` reads it)."
  value       = try(module.custom_channel.failure_queue_url, null)
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify: subscribe your on-call to it."
  value       = try(aws_sns_topic.alarms.arn, null)
}

output "cloudwatch_metric_alarm_names" {
  description = "Names of the alarms."
  value       = try(module.custom_channel.cloudwatch_metric_alarm_names, null)
}
