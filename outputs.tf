################################################################################
# Lambda function
################################################################################

output "lambda_function_name" {
  description = "Name of the Lambda function."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "lambda_function_arn" {
  description = "Unqualified ARN of the Lambda function."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "lambda_function_qualified_arn" {
  description = "ARN of the function's latest published version."
  value       = try(aws_lambda_function.this[0].qualified_arn, null)
}

output "lambda_function_version" {
  description = "Latest published version of the function."
  value       = try(aws_lambda_function.this[0].version, null)
}

output "lambda_function_environment" {
  description = "Environment variables of the function. Sensitive."
  value       = local.create_function ? local.environment : null
  sensitive   = true
}

output "lambda_alias_name" {
  description = "Name of the alias the caller invokes."
  value       = try(aws_lambda_alias.this[0].name, null)
}

output "lambda_alias_arn" {
  description = "ARN of the alias (null when publish = false)."
  value       = try(aws_lambda_alias.this[0].arn, null)
}

output "lambda_permission_statement_ids" {
  description = "Statement ids of the invoke permissions, keyed by caller. [More](docs/inputs.md#lambda_permission_statement_ids)."
  value       = { for k, p in aws_lambda_permission.this : k => p.statement_id }
}

output "lambda_max_requests_per_second" {
  description = "Most requests per second of all instances together. [More](docs/inputs.md#lambda_max_requests_per_second)."
  value       = try(local.create_function && local.delivery.rate_limit_per_second > 0 ? local.delivery.rate_limit_per_second * var.reserved_concurrent_executions : null, null)
}

output "lambda_treatment_permission_statement_ids" {
  description = "Invoke permissions on treatments' functions."
  value       = { for k, p in aws_lambda_permission.treatments : k => p.statement_id }
}

output "lambda_permission_source_arns" {
  description = "Source ARN of each invoke permission, keyed by caller."
  value       = { for k, p in aws_lambda_permission.this : k => p.source_arn }
}

################################################################################
# IAM and logs
################################################################################

output "lambda_role_arn" {
  description = "ARN of the execution role."
  value       = local.create_function ? local.role_arn : null
}

output "lambda_role_name" {
  description = "Name of the created execution role."
  value       = try(aws_iam_role.this[0].name, null)
}

output "lambda_role_policy_json" {
  description = "The execution role's inline policy."
  value       = local.create_function ? local.policy_json : null
}

output "lambda_cloudwatch_log_group_name" {
  description = "Name of the function's log group."
  value       = try(aws_cloudwatch_log_group.this[0].name, data.aws_cloudwatch_log_group.this[0].name, null)
}

output "lambda_cloudwatch_log_group_arn" {
  description = "ARN of the function's log group."
  value       = try(aws_cloudwatch_log_group.this[0].arn, data.aws_cloudwatch_log_group.this[0].arn, null)
}

################################################################################
# Pinpoint
################################################################################

output "pinpoint_application_id" {
  description = "Id of the Pinpoint application (created or given)."
  value       = try(local.application_id, null)
}

output "pinpoint_application_arn" {
  description = "ARN of the Pinpoint application."
  value       = try(aws_pinpoint_app.this[0].arn, "arn:${local.partition}:mobiletargeting:${local.region}:${local.account_id}:apps/${local.application.id}", null)
}

output "pinpoint_segment_id" {
  description = "Id of the segment the campaign sends to."
  value       = try(local.segment_id, null)
}

output "pinpoint_campaign_id" {
  description = "Id of the campaign."
  value       = try(local.campaign_id, null)
}

output "pinpoint_campaign_arn" {
  description = "ARN of the campaign."
  value       = try(local.campaign_arn, null)
}

output "pinpoint_campaign_stack_id" {
  description = "Id of the Pinpoint campaign's stack."
  value       = try(aws_cloudformation_stack.campaign[0].id, null)
}

output "pinpoint_campaign_template_body" {
  description = "The campaign's CloudFormation template. Sensitive."
  value       = try(local.campaign_template_body, null)
  sensitive   = true
}

output "pinpoint_campaign_definition_json" {
  description = "The campaign as JSON for a local runner. Sensitive. [More](docs/inputs.md#pinpoint_campaign_definition_json)."
  value       = local.campaign_definition == null ? null : jsonencode(local.campaign_definition)
  sensitive   = true
}

output "pinpoint_delivery_uri" {
  description = "The campaign's DeliveryUri. Sensitive."
  value       = try(local.delivery_uri, null)
  sensitive   = true

  # The rules of var.webhook_url, checked here rather than in its validation: a failed variable
  # validation prints the value it tested, sensitive or not (Terraform 1.11), and the URL's path
  # holds a secret; a failed precondition prints only its message.
  precondition {
    # Pinpoint's webhook rule (local.webhook_url_pattern).
    condition     = var.webhook_url == null || can(regex(local.webhook_url_pattern, var.webhook_url))
    error_message = "webhook_url must start with https://, hold only letters, digits and - . _ ~ ? / # :, and be a valid RFC 3986 URL (host, optional :port, path, ?query, #fragment). (Its value is not shown: it may hold a secret.)"
  }

  precondition {
    condition     = (var.channel_mode == "webhook") == (var.webhook_url != null)
    error_message = "webhook_url is required when channel_mode is \"webhook\" and must be null otherwise."
  }
}

################################################################################
# Amazon Connect outbound campaigns (event_source = "connect")
################################################################################

output "connect_instance_arn" {
  description = "The Connect instance allowed to invoke the function."
  value       = local.connect ? local.connect_settings.instance_arn : null
}

output "connect_register_command" {
  description = "CLI command registering the function with Connect. [More](docs/inputs.md#connect_register_command)."
  value       = try(local.connect_integration_config != null ? "aws connectcampaignsv2 put-connect-instance-integration ${local.connect_cli_arguments} --integration-config '${local.connect_integration_config}'" : null, null)
}

output "connect_unregister_command" {
  description = "CLI command removing the function from Connect. [More](docs/inputs.md#connect_unregister_command)."
  value       = try(local.connect_integration_config != null ? "aws connectcampaignsv2 delete-connect-instance-integration ${local.connect_cli_arguments} --integration-identifier '${local.connect_integration_config}'" : null, null)
}

output "connect_registered_function_arn" {
  description = "The function ARN that `connect.register` registered."
  value       = try(terraform_data.connect_registration[0].output.function_arn, null)
}

output "connect_campaign_arn" {
  description = "ARN of the Amazon Connect outbound campaign."
  value       = try(local.connect_campaign_arn, null)
}

output "connect_campaign_id" {
  description = "Id of the Amazon Connect outbound campaign."
  value       = try(local.connect_campaign_id, null)
}

output "connect_campaign_stack_id" {
  description = "Id of the Connect campaign's stack."
  value       = try(aws_cloudformation_stack.connect_campaign[0].id, null)
}

output "connect_campaign_start_command" {
  description = "AWS CLI command that starts the Connect campaign."
  value       = try(local.connect_campaign_id != null ? "aws connectcampaignsv2 start-campaign --region ${local.connect_region} --id ${local.connect_campaign_id}" : null, null)
}

output "connect_campaign_template_body" {
  description = "The Connect campaign's CloudFormation template."
  value       = try(local.connect_campaign_template_body, null)
}

################################################################################
# Webhook receiver
################################################################################

output "webhook_receiver_url" {
  description = "The receiver's URL with its path secret. Sensitive."
  value       = try(local.receiver_url, null)
  sensitive   = true
}

output "webhook_receiver_api_id" {
  description = "Id of the receiver's HTTP API."
  value       = try(aws_apigatewayv2_api.receiver[0].id, null)
}

output "webhook_receiver_api_endpoint" {
  description = "The receiver's HTTP API endpoint, without the secret."
  value       = try(aws_apigatewayv2_api.receiver[0].api_endpoint, null)
}

output "webhook_receiver_secret_arn" {
  description = "ARN of the secret holding the receiver's path secret."
  value       = try(aws_secretsmanager_secret.receiver[0].arn, null)
}

################################################################################
# Delivery receipts
################################################################################

output "receipts_url" {
  description = "URL of the receipts route, which providers call back (holds no secret)."
  value       = try(local.receipts_url, null)
}

output "receipts_api_id" {
  description = "Id of the HTTP API serving the receipts route."
  value       = try(local.receipts_api_id, null)
}

################################################################################
# Idempotency
################################################################################

output "idempotency_table_name" {
  description = "Name of the DynamoDB table of delivery records."
  value       = try(aws_dynamodb_table.idempotency[0].name, null)
}

output "idempotency_table_arn" {
  description = "ARN of the DynamoDB table of delivery records."
  value       = try(aws_dynamodb_table.idempotency[0].arn, null)
}

################################################################################
# Failed-deliveries queue
################################################################################

output "failure_queue_url" {
  description = "URL of the failure queue."
  value       = try(aws_sqs_queue.failures[0].url, null)
}

output "failure_queue_arn" {
  description = "ARN of the failure queue."
  value       = try(aws_sqs_queue.failures[0].arn, null)
}

output "failure_queue_name" {
  description = "Name of the failure queue."
  value       = try(aws_sqs_queue.failures[0].name, null)
}

################################################################################
# Alarms
################################################################################

output "cloudwatch_metric_alarm_arns" {
  description = "ARNs of the CloudWatch alarms, keyed by alarm. [More](docs/inputs.md#cloudwatch_metric_alarm_arns)."
  value       = merge({ for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }, { for a in aws_cloudwatch_metric_alarm.receipts : "receipts_delivered_rate" => a.arn })
}

output "cloudwatch_metric_alarm_names" {
  description = "Names of the alarms, keyed by alarm."
  value       = merge({ for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }, { for a in aws_cloudwatch_metric_alarm.receipts : "receipts_delivered_rate" => a.alarm_name })
}

################################################################################
# Dashboard
################################################################################

output "cloudwatch_dashboard_name" {
  description = "Name of the dashboard."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "cloudwatch_dashboard_url" {
  description = "The dashboard in the AWS console."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null) == null ? null : local.dashboard_url
}
