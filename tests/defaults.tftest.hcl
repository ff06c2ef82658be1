# The module with only its required name: the channel alone (Lambda mode), no campaign, no extras.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "defaults" {
  command = apply

  # Function: the defaults a user would choose.
  assert {
    condition     = aws_lambda_function.this[0].function_name == "pinpoint-custom-channel"
    error_message = "The function is named after var.name."
  }

  assert {
    condition     = aws_lambda_function.this[0].runtime == "python3.13" && aws_lambda_function.this[0].architectures == tolist(["arm64"])
    error_message = "Default runtime/architecture must be python3.13 on arm64."
  }

  assert {
    condition     = aws_lambda_function.this[0].timeout == 15
    error_message = "Default timeout must be Pinpoint's 15 seconds."
  }

  assert {
    condition     = aws_lambda_function.this[0].memory_size == 512
    error_message = "Default memory_size must be 512 MB: below about 850 MB a batch is CPU-bound, so 512 costs the same per batch as 128-256 and bills half the duration of 256 (docs/benchmarks.md)."
  }

  assert {
    condition     = aws_lambda_function.this[0].handler == "custom_channel.lambda_function.lambda_handler"
    error_message = "Lambda mode must use the lambda_function entry point."
  }

  assert {
    condition     = endswith(aws_lambda_function.this[0].filename, "handler/dist/custom-channel.zip")
    error_message = "The committed package must be deployed by default."
  }

  assert {
    condition     = aws_lambda_function.this[0].source_code_hash == filebase64sha256("${path.module}/handler/dist/custom-channel.zip")
    error_message = "source_code_hash must come from the package file."
  }

  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].log_format == "JSON" && aws_lambda_function.this[0].logging_config[0].application_log_level == "INFO"
    error_message = "Logs must be JSON at INFO."
  }

  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].log_group == "/aws/lambda/pinpoint-custom-channel"
    error_message = "The function must log to the module's log group."
  }

  assert {
    condition     = aws_lambda_function.this[0].reserved_concurrent_executions == -1 && aws_lambda_function.this[0].publish == false
    error_message = "No reserved concurrency and no published version by default."
  }

  assert {
    condition     = length(aws_lambda_function.this[0].tracing_config) == 0 && length(aws_lambda_function.this[0].vpc_config) == 0
    error_message = "No tracing and no VPC by default."
  }

  assert {
    condition     = length(aws_lambda_alias.this) == 0 && length(aws_lambda_provisioned_concurrency_config.this) == 0
    error_message = "No alias and no provisioned concurrency by default."
  }

  # Log group.
  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "/aws/lambda/pinpoint-custom-channel" && aws_cloudwatch_log_group.this[0].retention_in_days == 30
    error_message = "Log group name or retention is wrong."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this[0].kms_key_id == null
    error_message = "No log group key by default."
  }

  # Environment: the handler's defaults, written out.
  assert {
    # All but the log id key, which is random (its own run in environment.tftest.hcl).
    condition = tomap({ for k, v in aws_lambda_function.this[0].environment[0].variables : k => v if k != "CHANNEL_LOG_ID_KEY" }) == tomap({
      CHANNEL_ADAPTER           = "none"
      CHANNEL_NAME              = "pinpoint-custom-channel"
      CHANNEL_METRICS_MODE      = "api"
      CHANNEL_METRICS_NAMESPACE = "PinpointCustomChannelExecution"
      CHANNEL_SKIP_OPTED_OUT    = "true"
      CHANNEL_SKIP_INACTIVE     = "true"
      CHANNEL_MAX_WORKERS       = "50"
      CHANNEL_MAX_ATTEMPTS      = "3"
      CHANNEL_DEADLINE_SECONDS  = "15"
      CHANNEL_SAFETY_MARGIN_MS  = "750"
      CHANNEL_LOG_LEVEL         = "INFO"
      # Pinpoint events only: a Connect event is refused.
      CHANNEL_EVENT_SOURCE = "pinpoint"
      # Idempotent delivery is on by default.
      CHANNEL_IDEMPOTENCY_TABLE         = "pinpoint-custom-channel-deliveries"
      CHANNEL_IDEMPOTENCY_LEASE_SECONDS = "60"
      CHANNEL_IDEMPOTENCY_TTL_SECONDS   = "604800"
      CHANNEL_JOURNEY_REENTRY_SECONDS   = "3600"
    })
    error_message = "Default environment differs from the handler contract."
  }

  # Role: delivery records in its own table, logs on its own group, metrics only in the
  # namespace, nothing else.
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Sid] == ["RecordDeliveries", "WriteOwnLogGroup", "PutMetricDataInNamespace"]
    error_message = "Default policy must hold exactly the delivery-record, log and metric statements."
  }

  # Idempotency: on by default, an on-demand table named after the function.
  assert {
    condition     = aws_dynamodb_table.idempotency[0].name == "pinpoint-custom-channel-deliveries" && aws_dynamodb_table.idempotency[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "The idempotency table must be created by default (on demand)."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this[0].policy).Statement[1].Resource == ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/pinpoint-custom-channel:*"]
    error_message = "Log permissions must be limited to the function's own log group."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this[0].policy).Statement[1].Action == ["logs:CreateLogStream", "logs:PutLogEvents"]
    error_message = "Log actions must not include CreateLogGroup (Terraform creates the group)."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this[0].policy).Statement[2].Condition == { StringEquals = { "cloudwatch:namespace" = "PinpointCustomChannelExecution" } }
    error_message = "PutMetricData must be conditioned on the namespace."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"
    error_message = "The role must trust Lambda."
  }

  assert {
    condition     = aws_iam_role.this[0].path == "/" && aws_iam_role.this[0].permissions_boundary == null
    error_message = "Default role path is / with no boundary."
  }

  # Permission: regional Pinpoint principal, application scope, SourceAccount.
  assert {
    condition     = keys(aws_lambda_permission.this) == ["pinpoint"]
    error_message = "Lambda mode needs exactly the pinpoint permission."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].principal == "pinpoint.eu-west-1.amazonaws.com"
    error_message = "The principal must be the regional Pinpoint service."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_account == "123456789012"
    error_message = "source_account must be set."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/*"
    error_message = "Default scope must be the application."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].qualifier == null && aws_lambda_permission.this["pinpoint"].action == "lambda:InvokeFunction"
    error_message = "Without publish, the permission targets the unqualified function."
  }

  assert {
    condition     = startswith(aws_lambda_permission.this["pinpoint"].statement_id_prefix, "pinpoint-")
    error_message = "The statement id is generated from a prefix."
  }

  # Pinpoint application, no campaign, no receiver.
  assert {
    condition     = aws_pinpoint_app.this[0].name == "pinpoint-custom-channel"
    error_message = "An application is created by default."
  }

  assert {
    condition     = length(aws_cloudformation_stack.campaign) == 0 && length(data.aws_ssm_parameters_by_path.campaign) == 0
    error_message = "No campaign by default."
  }

  assert {
    condition     = length(aws_apigatewayv2_api.receiver) == 0 && length(aws_secretsmanager_secret.receiver) == 0
    error_message = "No receiver in lambda mode."
  }

  # Outputs.
  assert {
    condition     = output.lambda_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel"
    error_message = "lambda_function_arn output is wrong."
  }

  assert {
    condition     = output.lambda_role_arn == "arn:aws:iam::123456789012:role/pinpoint-custom-channel"
    error_message = "lambda_role_arn output is wrong."
  }

  assert {
    condition     = output.lambda_cloudwatch_log_group_name == "/aws/lambda/pinpoint-custom-channel"
    error_message = "lambda_cloudwatch_log_group_name output is wrong."
  }

  assert {
    condition     = output.pinpoint_application_id == "dbaf6ec2226f0a9a8615e3ea5a0b1c2d"
    error_message = "pinpoint_application_id output is wrong."
  }

  assert {
    condition     = nonsensitive(output.pinpoint_delivery_uri) == output.lambda_function_arn
    error_message = "In lambda mode the delivery URI is the function ARN."
  }

  assert {
    condition     = output.pinpoint_campaign_id == null && output.pinpoint_segment_id == null && output.pinpoint_campaign_definition_json == null
    error_message = "Campaign outputs must be null without a campaign."
  }

  assert {
    condition     = output.lambda_permission_statement_ids["pinpoint"] == aws_lambda_permission.this["pinpoint"].statement_id
    error_message = "lambda_permission_statement_ids must be keyed by caller."
  }

  assert {
    condition     = output.webhook_receiver_url == null && output.lambda_alias_arn == null
    error_message = "Receiver and alias outputs must be null."
  }
}

run "name_prefix_and_tags" {
  command = plan

  variables {
    name        = "sms_channel"
    name_prefix = "prod-"
    tags        = { Team = "growth" }
  }

  assert {
    condition     = aws_lambda_function.this[0].function_name == "prod-sms_channel" && aws_iam_role.this[0].name == "prod-sms_channel"
    error_message = "name_prefix must prefix every name."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "/aws/lambda/prod-sms_channel"
    error_message = "The log group follows the function name."
  }

  assert {
    condition     = aws_lambda_function.this[0].tags == tomap({ Team = "growth" }) && aws_iam_role.this[0].tags == tomap({ Team = "growth" })
    error_message = "Tags must reach the resources."
  }

  assert {
    condition     = local.campaign_stack_name == "prod-sms-channel-campaign"
    error_message = "The stack name must replace underscores (CloudFormation allows only letters, digits and hyphens)."
  }
}

run "function_options" {
  command = apply

  variables {
    memory_size                       = 1024
    timeout                           = 10
    reserved_concurrent_executions    = 20
    architecture                      = "x86_64"
    runtime                           = "python3.12"
    kms_key_arn                       = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    logging_log_format                = "Text"
    logging_application_log_level     = "WARNING"
    cloudwatch_logs_retention_in_days = 365
    cloudwatch_logs_kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/0987dcba-09fe-87dc-65ba-ab0987654321"
    description                       = "Custom channel for SMS"
  }

  assert {
    condition     = aws_lambda_function.this[0].memory_size == 1024 && aws_lambda_function.this[0].reserved_concurrent_executions == 20
    error_message = "memory_size / reserved concurrency not applied."
  }

  assert {
    condition     = aws_lambda_function.this[0].architectures == tolist(["x86_64"]) && aws_lambda_function.this[0].runtime == "python3.12"
    error_message = "architecture / runtime not applied."
  }

  assert {
    condition     = aws_lambda_function.this[0].kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "Environment KMS key not applied."
  }

  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].log_format == "Text" && aws_lambda_function.this[0].logging_config[0].application_log_level == null
    error_message = "Text logs take no log level."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_DEADLINE_SECONDS"] == "10" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_LOG_LEVEL"] == "WARNING"
    error_message = "The deadline follows a timeout below 15 s; log level maps to CHANNEL_LOG_LEVEL."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this[0].retention_in_days == 365 && aws_cloudwatch_log_group.this[0].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/0987dcba-09fe-87dc-65ba-ab0987654321"
    error_message = "Log group retention / key not applied."
  }
}

run "json_log_level_mapping" {
  command = plan

  variables {
    logging_application_log_level = "WARNING"
    timeout                       = 60
  }

  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].application_log_level == "WARN"
    error_message = "WARNING maps to Lambda's WARN application log level."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_DEADLINE_SECONDS"] == "15"
    error_message = "With a longer timeout the deadline stays at Pinpoint's 15 s."
  }
}

run "publish_alias_provisioned" {
  command = apply

  variables {
    publish                           = true
    alias_name                        = "prod"
    provisioned_concurrent_executions = 2
  }

  assert {
    condition     = aws_lambda_function.this[0].publish && aws_lambda_alias.this[0].name == "prod"
    error_message = "publish must create the alias."
  }

  assert {
    condition     = aws_lambda_alias.this[0].function_version == aws_lambda_function.this[0].version
    error_message = "The alias must point at the published version."
  }

  assert {
    condition     = aws_lambda_provisioned_concurrency_config.this[0].qualifier == "prod" && aws_lambda_provisioned_concurrency_config.this[0].provisioned_concurrent_executions == 2
    error_message = "Provisioned concurrency must be set on the alias."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].qualifier == "prod"
    error_message = "With publish, the permission targets the alias."
  }

  assert {
    condition     = nonsensitive(output.pinpoint_delivery_uri) == aws_lambda_alias.this[0].arn && output.lambda_alias_arn == aws_lambda_alias.this[0].arn
    error_message = "With publish, Pinpoint invokes the alias."
  }
}

run "package_from_s3" {
  command = plan

  variables {
    s3_existing_package = {
      bucket           = "artifacts-123456789012"
      key              = "custom-channel/1.0.0.zip"
      object_version   = "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"
      source_code_hash = "Kz0nOkoq1rmY3gYbOT0J5UwhCmzQMiSjlBrQiyaVMnk="
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].s3_bucket == "artifacts-123456789012" && aws_lambda_function.this[0].s3_key == "custom-channel/1.0.0.zip" && aws_lambda_function.this[0].filename == null
    error_message = "The S3 object must replace the local zip."
  }

  assert {
    condition     = aws_lambda_function.this[0].source_code_hash == "Kz0nOkoq1rmY3gYbOT0J5UwhCmzQMiSjlBrQiyaVMnk=" && aws_lambda_function.this[0].s3_object_version == "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"
    error_message = "The S3 object's version and hash must be passed on."
  }
}

run "vendored_handler_zip" {
  command = plan

  variables {
    local_existing_package = "./handler/dist/custom-channel.zip"
    handler                = "vendor.entry.handle"
  }

  assert {
    condition     = aws_lambda_function.this[0].filename == "./handler/dist/custom-channel.zip" && aws_lambda_function.this[0].handler == "vendor.entry.handle"
    error_message = "A user zip and handler must be used as given."
  }
}
