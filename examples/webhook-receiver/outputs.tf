output "webhook_receiver_url" {
  description = "The receiver's URL, path secret included: the campaign's DeliveryUri. Treat it as a credential."
  value       = try(module.custom_channel.webhook_receiver_url, null)
  sensitive   = true
}

output "webhook_receiver_api_endpoint" {
  description = "Base endpoint of the receiver's HTTP API, without the secret."
  value       = try(module.custom_channel.webhook_receiver_api_endpoint, null)
}

output "webhook_receiver_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the URL's path secret."
  value       = try(module.custom_channel.webhook_receiver_secret_arn, null)
}

output "lambda_function_name" {
  description = "Name of the receiver's Lambda function."
  value       = try(module.custom_channel.lambda_function_name, null)
}

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
  description = "The campaign's definition as JSON (its delivery URI carries the path secret). Sensitive."
  value       = try(module.custom_channel.pinpoint_campaign_definition_json, null)
  sensitive   = true
}
