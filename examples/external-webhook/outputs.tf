output "pinpoint_application_id" {
  description = "Id of the Pinpoint application created for the campaign."
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

output "pinpoint_campaign_arn" {
  description = "ARN of the campaign."
  value       = try(module.custom_channel.pinpoint_campaign_arn, null)
}

output "pinpoint_campaign_stack_id" {
  description = "Id of the CloudFormation stack holding the segment and campaign."
  value       = try(module.custom_channel.pinpoint_campaign_stack_id, null)
}

output "pinpoint_campaign_definition_json" {
  description = "The campaign's definition as JSON (its delivery URI is your webhook). Sensitive: the webhook's path may hold its secret."
  value       = try(module.custom_channel.pinpoint_campaign_definition_json, null)
  sensitive   = true
}
