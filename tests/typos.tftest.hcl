# Issues #20 and #21, "Typos that pass silently": Terraform drops an object attribute its type
# does not declare, so a misspelt key or another module's name would be ignored, changing what
# is sent or widening a grant. Each is refused here (plan only, nothing applied); the messages,
# which name this module's input, are checked in tests/test_module_inputs.py.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  event_source = "pinpoint"
  name         = "pinpoint-custom-channel"
  delivery     = { adapter = "none" }
}

# delivery: the adapter is never defaulted.

run "delivery_adaptor_typo" {
  command = plan

  variables {
    # Planned cleanly before, and deployed CHANNEL_ADAPTER = "none": every endpoint answered.
    delivery = {
      adaptor = "http"
      http    = { url = "https://api.example.com/send" }
    }
  }

  expect_failures = [var.delivery]
}

run "delivery_without_adapter" {
  command = plan

  variables {
    delivery = { max_workers = 10 }
  }

  expect_failures = [var.delivery]
}

run "delivery_omitted_with_a_function" {
  command = plan

  variables {
    delivery = null
  }

  expect_failures = [data.aws_partition.current]
}

run "delivery_in_webhook_mode" {
  command = plan

  variables {
    channel_mode = "webhook"
    webhook_url  = "https://hooks.example.com/pinpoint"
    delivery     = { adapter = "http", http = { url = "https://api.example.com/send" } }
  }

  expect_failures = [data.aws_partition.current]
}

run "delivery_block_of_another_adapter" {
  command = plan

  variables {
    provider_secret = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-AbCdEf" }
    delivery = {
      adapter = "twilio"
      twilio  = { from = "+15005550006" }
      http    = { url = "https://api.example.com/send" }
    }
  }

  expect_failures = [var.delivery]
}

run "delivery_http_key_typo" {
  command = plan

  variables {
    delivery = {
      adapter = "http"
      http = {
        url    = "https://api.example.com/send"
        headrs = { "X-Tenant" = "acme" }
      }
    }
  }

  expect_failures = [var.delivery]
}

run "delivery_twilio_key_typo" {
  command = plan

  variables {
    provider_secret = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-AbCdEf" }
    delivery = {
      adapter = "twilio"
      # allowed_country_codes misspelt: the default, North America only, would apply.
      twilio = { from = "+15005550006", allowed_countries = ["44"] }
    }
  }

  expect_failures = [var.delivery]
}

run "delivery_switch_not_a_bool" {
  command = plan

  variables {
    delivery = { adapter = "none", skip_opted_out = "no" }
  }

  expect_failures = [var.delivery]
}

# failure_queue

run "failure_queue_enable_typo" {
  command = plan

  variables {
    # Created no queue before.
    failure_queue = { enable = true }
  }

  expect_failures = [var.failure_queue]
}

# idempotency

run "idempotency_kms_key_id" {
  command = plan

  variables {
    # The table would have been encrypted with the AWS managed key instead.
    idempotency = { kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-4697-8877-665544332211" }
  }

  expect_failures = [var.idempotency]
}

# policy_statements: a typo must never widen a grant.

run "policy_statement_condition_from_terraform_aws_lambda" {
  command = plan

  variables {
    policy_statements = {
      ReadReports = {
        actions   = ["s3:GetObject"]
        resources = ["arn:aws:s3:::reports/*"]
        # terraform-aws-lambda's key; granted without it before.
        condition = [{ test = "StringEquals", variable = "aws:ResourceAccount", values = ["123456789012"] }]
      }
    }
  }

  expect_failures = [var.policy_statements]
}

run "policy_statement_not_actions" {
  command = plan

  variables {
    policy_statements = {
      AllButDelete = {
        actions     = ["s3:*"]
        not_actions = ["s3:DeleteObject"]
        resources   = ["*"]
      }
    }
  }

  expect_failures = [var.policy_statements]
}

run "policy_statement_condition_key_typo" {
  command = plan

  variables {
    policy_statements = {
      ReadReports = {
        actions    = ["s3:GetObject"]
        resources  = ["arn:aws:s3:::reports/*"]
        conditions = [{ test = "StringEquals", variable = "aws:ResourceAccount", value = ["123456789012"] }]
      }
    }
  }

  expect_failures = [var.policy_statements]
}

run "policy_statement_with_conditions_is_granted_with_them" {
  command = plan

  variables {
    policy_statements = {
      ReadReports = {
        actions    = ["s3:GetObject"]
        resources  = ["arn:aws:s3:::reports/*"]
        conditions = [{ test = "StringEquals", variable = "aws:ResourceAccount", values = ["123456789012"] }]
      }
    }
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "ReadReports"]) == {
      Sid       = "ReadReports"
      Effect    = "Allow"
      Action    = ["s3:GetObject"]
      Resource  = ["arn:aws:s3:::reports/*"]
      Condition = { StringEquals = { "aws:ResourceAccount" = ["123456789012"] } }
    }
    error_message = "The statement must be granted as given, with its condition and effect Allow by default."
  }
}

# s3_existing_package

run "s3_existing_package_version_id" {
  command = plan

  variables {
    # terraform-aws-lambda's key: deployed whatever version was current before.
    s3_existing_package = { bucket = "artifacts", key = "channel.zip", version_id = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" }
  }

  expect_failures = [var.s3_existing_package]
}

run "s3_existing_package_object_version" {
  command = plan

  variables {
    s3_existing_package = { bucket = "artifacts", key = "channel.zip", object_version = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" }
  }

  assert {
    condition     = aws_lambda_function.this[0].s3_object_version == "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" && aws_lambda_function.this[0].s3_bucket == "artifacts"
    error_message = "object_version must reach the function."
  }
}

# segment: a misspelt filter would leave a segment of every endpoint.

run "segment_filter_typo" {
  command = plan

  variables {
    segment = { attribute = { Plan = ["gold"] } }
  }

  expect_failures = [var.segment]
}

# pinpoint_permission: a misspelt scope would leave the wider default (the application).

run "pinpoint_permission_scope_typo" {
  command = plan

  variables {
    pinpoint_permission = { scop = "campaign", campaign_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90" }
  }

  expect_failures = [var.pinpoint_permission]
}

# campaign: a misspelt schedule or limit would send at once, or without its cap.

run "campaign_schedule_typo" {
  command = plan

  variables {
    campaign = {
      name    = "spring"
      data    = "{}"
      shedule = { start_time = "2030-05-01T09:00:00Z" }
    }
  }

  expect_failures = [var.campaign]
}

run "campaign_treatment_key_typo" {
  command = plan

  variables {
    campaign = {
      name       = "spring"
      data       = "{}"
      treatments = [{ size_percent = 50, data = "{}", endpoint_type = ["SMS"] }]
    }
  }

  expect_failures = [var.campaign]
}

run "campaign_limits_key_typo" {
  command = plan

  variables {
    campaign = {
      name   = "spring"
      data   = "{}"
      limits = { dayly = 1 }
    }
  }

  expect_failures = [var.campaign]
}

run "campaign_without_data" {
  command = plan

  variables {
    campaign = { name = "spring" }
  }

  expect_failures = [var.campaign]
}

# metrics: a misspelt namespace would publish to the default one.

run "metrics_key_typo" {
  command = plan

  variables {
    metrics = { namspace = "Acme/Channel" }
  }

  expect_failures = [var.metrics]
}

# connect: a misspelt consent field or template map would change who gets what.

run "connect_opt_out_field_typo" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hello"
      # Consent would have been read from the default field, Attributes.OptOut.
      profiles = { opt_out_fields = "Attributes.DoNotContact" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_ids_typo" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hello"
      # `template_ids` misspelt: every block would have been sent message_template.
      template_id = { "Welcome" = "1a2b3c4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d" }
    }
  }

  expect_failures = [var.connect]
}

# terraform-aws-lambda's flat names and log levels

run "architectures_from_terraform_aws_lambda" {
  command = plan

  variables {
    architectures = ["x86_64"]
  }

  expect_failures = [var.architectures]
}

run "cloudwatch_logs_kms_key_id_from_terraform_aws_lambda" {
  command = plan

  variables {
    cloudwatch_logs_kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-4697-8877-665544332211"
  }

  expect_failures = [var.cloudwatch_logs_kms_key_id]
}

run "vpc_subnet_ids_from_terraform_aws_lambda" {
  command = plan

  variables {
    vpc_subnet_ids         = ["subnet-0123456789abcdef0"]
    vpc_security_group_ids = ["sg-0123456789abcdef0"]
  }

  expect_failures = [var.vpc_subnet_ids, var.vpc_security_group_ids]
}

run "log_level_warn" {
  command = plan

  variables {
    logging_application_log_level = "WARN"
  }

  expect_failures = [var.logging_application_log_level]
}

run "log_level_trace" {
  command = plan

  variables {
    logging_application_log_level = "TRACE"
  }

  expect_failures = [var.logging_application_log_level]
}

run "log_level_fatal" {
  command = plan

  variables {
    logging_application_log_level = "FATAL"
  }

  expect_failures = [var.logging_application_log_level]
}

# application, alarms, dashboard, receiver, vpc_config, provider_secret: object types before,
# which dropped a misspelt key.

run "application_create_typo" {
  command = plan

  variables {
    # Created a new application beside the existing one before.
    application = { craete = false, id = "0123456789abcdef0123456789abcdef" }
  }

  expect_failures = [var.application]
}

run "alarms_enable_typo" {
  command = plan

  variables {
    # Created no alarm before.
    alarms = { enable = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:ops"] }
  }

  expect_failures = [var.alarms]
}

run "alarms_value_not_a_number" {
  command = plan

  variables {
    alarms = { enabled = true, period_seconds = "five minutes" }
  }

  expect_failures = [var.alarms]
}

run "dashboard_enable_typo" {
  command = plan

  variables {
    dashboard = { enable = true }
  }

  expect_failures = [var.dashboard]
}

run "receiver_throttling_typo" {
  command = plan

  variables {
    channel_mode = "receiver"
    # The route was throttled at the defaults before.
    receiver = { throtling = { rate_limit = 5, burst_limit = 10 } }
  }

  expect_failures = [var.receiver]
}

run "receiver_throttling_key_typo" {
  command = plan

  variables {
    channel_mode = "receiver"
    receiver     = { throttling = { rate = 5 } }
  }

  expect_failures = [var.receiver]
}

run "vpc_config_subnet_ids_typo" {
  command = plan

  variables {
    # Refused before only because subnet_ids was required; `ipv6_allowed` was dropped.
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"], ipv6_allowed = true }
  }

  expect_failures = [var.vpc_config]
}

run "provider_secret_arn_typo" {
  command = plan

  variables {
    provider_secret = { secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-AbCdEf" }
  }

  expect_failures = [var.provider_secret]
}

# What the object types converted is still accepted: a root's conditional can make every value
# a string.

run "strings_convert_as_the_object_types_did" {
  command = apply

  variables {
    channel_mode    = "receiver"
    application     = { create = "false", id = "0123456789abcdef0123456789abcdef", name = 42 }
    alarms          = { enabled = "true", sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:ops"], period_seconds = "60", evaluation_periods = "2", failed_deliveries_threshold = "3" }
    dashboard       = { enabled = "true" }
    receiver        = { access_logs = "false", throttling = { rate_limit = "5", burst_limit = "10" }, secret_recovery_window_in_days = "0" }
    vpc_config      = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"], ipv6_allowed_for_dual_stack = "true" }
    provider_secret = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-AbCdEf", ttl_seconds = "600" }
  }

  assert {
    condition = (
      length(aws_pinpoint_app.this) == 0 &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].period == 60 &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].evaluation_periods == 2 &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].threshold == 3 &&
      length(aws_cloudwatch_dashboard.this) == 1 &&
      aws_apigatewayv2_stage.receiver[0].default_route_settings[0].throttling_rate_limit == 5 &&
      aws_apigatewayv2_stage.receiver[0].default_route_settings[0].throttling_burst_limit == 10 &&
      length(aws_apigatewayv2_stage.receiver[0].access_log_settings) == 0 &&
      aws_secretsmanager_secret.receiver[0].recovery_window_in_days == 0 &&
      aws_lambda_function.this[0].vpc_config[0].ipv6_allowed_for_dual_stack == true &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_SECRET_TTL_SECONDS"] == "600"
    )
    error_message = "Values the object types converted must still convert."
  }
}

# Every key, given null, takes its default as optional() did.

run "null_keys_take_their_defaults" {
  command = apply

  variables {
    delivery = {
      adapter        = "twilio"
      twilio         = { from = "+15005550006", allowed_country_codes = null }
      max_workers    = null
      skip_opted_out = null
      failure_policy = null
    }
    provider_secret = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-AbCdEf" }
    failure_queue   = { enabled = true, message_retention_seconds = null }
    idempotency     = { lease_seconds = null }
    metrics         = { mode = null }
    alarms          = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:ops"], period_seconds = null, evaluation_periods = null }
    dashboard       = { enabled = null, name = null }
    application     = { create = null, name = null }
    vpc_config      = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"], ipv6_allowed_for_dual_stack = null }
    campaign = {
      name           = "spring"
      data           = "{}"
      endpoint_types = null
      is_paused      = null
      schedule       = { frequency = null }
      treatments     = [{ size_percent = 10, data = "{}", endpoint_types = null }]
    }
  }

  assert {
    condition = (
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_MAX_WORKERS"] == "50" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_SKIP_OPTED_OUT"] == "true" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"] == "1" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_IDEMPOTENCY_LEASE_SECONDS"] == "60" &&
      !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_FAILURE_POLICY") &&
      aws_sqs_queue.failures[0].message_retention_seconds == 1209600 &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_METRICS_MODE"] == "api" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_SECRET_TTL_SECONDS"] == "300" &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].period == 300 &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].evaluation_periods == 1 &&
      length(aws_cloudwatch_dashboard.this) == 0 &&
      aws_pinpoint_app.this[0].name == "pinpoint-custom-channel" &&
      aws_lambda_function.this[0].vpc_config[0].ipv6_allowed_for_dual_stack == false &&
      jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.IsPaused == true &&
      jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.Schedule.Frequency == "ONCE" &&
      jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.CustomDeliveryConfiguration.EndpointTypes == ["CUSTOM"] &&
      jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.AdditionalTreatments[0].CustomDeliveryConfiguration.EndpointTypes == ["CUSTOM"]
    )
    error_message = "A null key must take its default."
  }
}
