################################################################################
# Lambda function
################################################################################

output "lambda_function_name" {
  description = "Name of the Lambda function (null when channel_mode = \"webhook\")."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "lambda_function_arn" {
  description = "Unqualified ARN of the Lambda function."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "lambda_function_qualified_arn" {
  description = "ARN of the function's latest published version (equals the unqualified ARN with `:$LATEST` when publish = false)."
  value       = try(aws_lambda_function.this[0].qualified_arn, null)
}

output "lambda_function_version" {
  description = "Latest published version of the function."
  value       = try(aws_lambda_function.this[0].version, null)
}

output "lambda_function_environment" {
  description = "Environment variables set on the function (the handler's CHANNEL_* settings and extra variables). Sensitive: `environment_variables` may hold anything."
  value       = local.create_function ? local.environment : null
  sensitive   = true
}

output "lambda_alias_name" {
  description = "Name of the alias Pinpoint or the receiver invokes (null when publish = false)."
  value       = try(aws_lambda_alias.this[0].name, null)
}

output "lambda_alias_arn" {
  description = "ARN of the alias (null when publish = false)."
  value       = try(aws_lambda_alias.this[0].arn, null)
}

output "lambda_permission_statement_ids" {
  description = "Statement ids of the function's invoke permissions, keyed by caller: `pinpoint`; `connect` (connect-campaigns.amazonaws.com) and `connect_journeys` (connect.amazonaws.com); or `apigateway`."
  value       = { for k, p in aws_lambda_permission.this : k => p.statement_id }
}

output "lambda_max_requests_per_second" {
  description = "Most provider requests per second that all instances of the function together may start, retries included: delivery.rate_limit_per_second x reserved_concurrent_executions (null without a rate limit or without a function)."
  value       = try(local.create_function && local.delivery.rate_limit_per_second > 0 ? local.delivery.rate_limit_per_second * var.reserved_concurrent_executions : null, null)
}

output "lambda_treatment_permission_statement_ids" {
  description = "Statement ids of the invoke permissions granted to Pinpoint on the other Lambda functions that A/B treatments deliver to, keyed by the treatment's id (TreatmentId: \"1\" for the first additional treatment)."
  value       = { for k, p in aws_lambda_permission.treatments : k => p.statement_id }
}

output "lambda_permission_source_arns" {
  description = "Source ARN of each invoke permission, keyed by caller (null for `connect_journeys`, which is scoped by source account only)."
  value       = { for k, p in aws_lambda_permission.this : k => p.source_arn }
}

################################################################################
# IAM and logs
################################################################################

output "lambda_role_arn" {
  description = "ARN of the function's execution role (created or brought)."
  value       = local.create_function ? local.role_arn : null
}

output "lambda_role_name" {
  description = "Name of the created execution role (null when an existing role is used)."
  value       = try(aws_iam_role.this[0].name, null)
}

output "lambda_role_policy_json" {
  description = "The execution role's inline policy. When you bring your own role (create_role = false), attach this policy to it."
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
  value       = try(aws_pinpoint_app.this[0].arn, "arn:${local.partition}:mobiletargeting:${local.region}:${local.account_id}:apps/${var.application.id}", null)
}

output "pinpoint_segment_id" {
  description = "Id of the segment the campaign sends to (created in the campaign stack or given)."
  value       = try(local.segment_id, null)
}

output "pinpoint_campaign_id" {
  description = "Id of the campaign (null when no campaign is created)."
  value       = try(local.campaign_id, null)
}

output "pinpoint_campaign_arn" {
  description = "ARN of the campaign."
  value       = try(local.campaign_arn, null)
}

output "pinpoint_campaign_stack_id" {
  description = "Id of the CloudFormation stack holding the segment and campaign."
  value       = try(aws_cloudformation_stack.campaign[0].id, null)
}

output "pinpoint_campaign_template_body" {
  description = "CloudFormation template of the segment and campaign. Sensitive: in receiver mode the DeliveryUri carries the path secret."
  value       = try(local.campaign_template_body, null)
  sensitive   = true
}

output "pinpoint_campaign_definition_json" {
  description = "JSON definition of the campaign for a local campaign runner: application, campaign and segment ids, delivery URI, endpoint types, Data, treatments (TreatmentId, SizePercent, Data, delivery), holdout and schedule. Sensitive: in receiver mode the delivery URI carries the path secret."
  value       = local.campaign_definition == null ? null : jsonencode(local.campaign_definition)
  sensitive   = true
}

output "pinpoint_delivery_uri" {
  description = "The campaign's DeliveryUri: the function or alias ARN, the external webhook, or the receiver URL. Sensitive: in receiver mode it carries the path secret."
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
  description = "ARN of the Amazon Connect instance allowed to invoke the function (null unless event_source = \"connect\")."
  value       = local.connect ? local.connect_settings.instance_arn : null
}

output "connect_register_command" {
  description = "AWS CLI command that registers the function (its alias when publish = true) as the Connect instance's custom action Lambda (connectcampaignsv2 PutConnectInstanceIntegration; Terraform has no resource for it), to run from any directory after apply unless `connect.register = true` already did. Needs the AWS CLI (v2, or v1 with connectcampaignsv2) and credentials of the instance's account allowed connect-campaigns:PutConnectInstanceIntegration. Null unless event_source = \"connect\"."
  value       = try(local.connect_integration_config != null ? "aws connectcampaignsv2 put-connect-instance-integration ${local.connect_cli_arguments} --integration-config '${local.connect_integration_config}'" : null, null)
}

output "connect_unregister_command" {
  description = "AWS CLI command that removes the function from the Connect instance's integrations (DeleteConnectInstanceIntegration; connect-campaigns:DeleteConnectInstanceIntegration), to run before destroy unless `connect.register = true`, whose destroy runs it. Null unless event_source = \"connect\"."
  value       = try(local.connect_integration_config != null ? "aws connectcampaignsv2 delete-connect-instance-integration ${local.connect_cli_arguments} --integration-identifier '${local.connect_integration_config}'" : null, null)
}

output "connect_registered_function_arn" {
  description = "The function ARN that `connect.register = true` registered with the instance (null when it is off)."
  value       = try(terraform_data.connect_registration[0].output.function_arn, null)
}

output "connect_campaign_arn" {
  description = "ARN of the Amazon Connect outbound campaign (null unless connect_campaign is set)."
  value       = try(local.connect_campaign_arn, null)
}

output "connect_campaign_id" {
  description = "Id of the Amazon Connect outbound campaign, the last part of its ARN (null unless connect_campaign is set)."
  value       = try(local.connect_campaign_id, null)
}

output "connect_campaign_stack_id" {
  description = "Id of the CloudFormation stack holding the Connect campaign."
  value       = try(aws_cloudformation_stack.connect_campaign[0].id, null)
}

output "connect_campaign_start_command" {
  description = "AWS CLI command that starts the Connect campaign (connectcampaignsv2 StartCampaign; CloudFormation creates it not started). Null unless connect_campaign is set."
  value       = try(local.connect_campaign_id != null ? "aws connectcampaignsv2 start-campaign --region ${local.connect_region} --id ${local.connect_campaign_id}" : null, null)
}

output "connect_campaign_template_body" {
  description = "CloudFormation template of the Connect campaign (null unless connect_campaign is set)."
  value       = try(local.connect_campaign_template_body, null)
}

################################################################################
# Webhook receiver
################################################################################

output "webhook_receiver_url" {
  description = "URL of the webhook receiver, with its path secret (null unless channel_mode = \"receiver\"). Sensitive: treat it as a credential."
  value       = try(local.receiver_url, null)
  sensitive   = true
}

output "webhook_receiver_api_id" {
  description = "Id of the receiver's HTTP API."
  value       = try(aws_apigatewayv2_api.receiver[0].id, null)
}

output "webhook_receiver_api_endpoint" {
  description = "Base endpoint of the receiver's HTTP API, without the secret."
  value       = try(aws_apigatewayv2_api.receiver[0].api_endpoint, null)
}

output "webhook_receiver_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the receiver's path secret (CHANNEL_RECEIVER_SECRET_ID)."
  value       = try(aws_secretsmanager_secret.receiver[0].arn, null)
}

################################################################################
# Idempotency
################################################################################

output "idempotency_table_name" {
  description = "Name of the DynamoDB table of delivery records (null unless idempotency.enabled)."
  value       = try(aws_dynamodb_table.idempotency[0].name, null)
}

output "idempotency_table_arn" {
  description = "ARN of the DynamoDB table of delivery records (null unless idempotency.enabled)."
  value       = try(aws_dynamodb_table.idempotency[0].arn, null)
}

################################################################################
# Failed-deliveries queue
################################################################################

output "failure_queue_url" {
  description = "URL of the queue of failed and unknown deliveries (CHANNEL_FAILURE_QUEUE_URL; null unless failure_queue.enabled)."
  value       = try(aws_sqs_queue.failures[0].url, null)
}

output "failure_queue_arn" {
  description = "ARN of the queue of failed and unknown deliveries (null unless failure_queue.enabled)."
  value       = try(aws_sqs_queue.failures[0].arn, null)
}

output "failure_queue_name" {
  description = "Name of the queue of failed and unknown deliveries (null unless failure_queue.enabled)."
  value       = try(aws_sqs_queue.failures[0].name, null)
}

################################################################################
# Alarms
################################################################################

output "cloudwatch_metric_alarm_arns" {
  description = "ARNs of the CloudWatch alarms, keyed by `failed_deliveries`, `unknown_deliveries`, `function_errors`, `function_throttles` and, with the failure queue, `failure_queue_depth` and `failure_queue_message_age` (empty unless alarms.enabled)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "cloudwatch_metric_alarm_names" {
  description = "Names of the CloudWatch alarms, keyed like `cloudwatch_metric_alarm_arns`."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

################################################################################
# Dashboard
################################################################################

output "cloudwatch_dashboard_name" {
  description = "Name of the CloudWatch dashboard (null unless dashboard.enabled)."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "cloudwatch_dashboard_url" {
  description = "The dashboard in the AWS console (null unless dashboard.enabled, or in a partition whose console the module does not know)."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null) == null ? null : local.dashboard_url
}
