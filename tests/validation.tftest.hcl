# Every input validation, exercised with expect_failures (plan only, nothing applied).
# Runs that must pass (limits of the rules) are at the end.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "name_bad_characters" {
  command = plan

  variables {
    name = "custom channel"
  }

  expect_failures = [var.name]
}

run "name_starts_with_digit" {
  command = plan

  variables {
    name = "1channel"
  }

  expect_failures = [var.name]
}

run "name_too_long_with_prefix" {
  command = plan

  variables {
    name        = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789"
    name_prefix = "prod-"
  }

  expect_failures = [aws_iam_role.this]
}

run "name_prefix_bad" {
  command = plan

  variables {
    name_prefix = "prod/"
  }

  expect_failures = [var.name_prefix]
}

run "channel_mode_unknown" {
  command = plan

  variables {
    channel_mode = "sqs"
  }

  expect_failures = [var.channel_mode]
}

run "webhook_url_http" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "http://hooks.example.com/pinpoint"
  }

  expect_failures = [output.pinpoint_delivery_uri]
}

run "webhook_url_query_with_equals" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com/pinpoint?token=abc"
  }

  expect_failures = [output.pinpoint_delivery_uri]
}

run "webhook_url_ampersand" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com/a&b"
  }

  expect_failures = [output.pinpoint_delivery_uri]
}

run "webhook_url_percent_encoding" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com/a%20b"
  }

  expect_failures = [output.pinpoint_delivery_uri]
}

run "webhook_url_no_host" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https:///pinpoint"
  }

  expect_failures = [output.pinpoint_delivery_uri]
}

run "webhook_url_missing_in_webhook_mode" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
  }

  expect_failures = [output.pinpoint_delivery_uri]
}

run "webhook_url_outside_webhook_mode" {
  command = plan

  variables {
    webhook_url = "https://hooks.example.com/pinpoint"
  }

  expect_failures = [output.pinpoint_delivery_uri]
}

run "handler_with_space" {
  command = plan

  variables {
    handler = "custom channel.handler"
  }

  expect_failures = [var.handler]
}

run "local_package_not_zip" {
  command = plan

  variables {
    local_existing_package = "./handler/dist/custom-channel.tar.gz"
  }

  expect_failures = [var.local_existing_package]
}

run "s3_package_and_local_path" {
  command = plan

  variables {
    local_existing_package = "./build/channel.zip"
    s3_existing_package    = { bucket = "artifacts-123456789012", key = "channel.zip" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "s3_package_empty_key" {
  command = plan

  variables {
    s3_existing_package = { bucket = "artifacts-123456789012", key = "" }
  }

  expect_failures = [var.s3_existing_package]
}

run "runtime_old_python" {
  command = plan

  variables {
    runtime = "python3.9"
  }

  expect_failures = [var.runtime]
}

run "runtime_python311_too_old_for_package" {
  command = plan

  variables {
    runtime = "python3.11"
  }

  expect_failures = [var.runtime]
}

run "runtime_not_python" {
  command = plan

  variables {
    runtime = "nodejs22.x"
  }

  expect_failures = [var.runtime]
}

run "architecture_unknown" {
  command = plan

  variables {
    architecture = "arm32"
  }

  expect_failures = [var.architecture]
}

run "timeout_zero" {
  command = plan

  variables {
    timeout = 0
  }

  expect_failures = [var.timeout]
}

run "timeout_above_lambda_max" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "timeout_fractional" {
  command = plan

  variables {
    timeout = 7.5
  }

  expect_failures = [var.timeout]
}

run "memory_too_small" {
  command = plan

  variables {
    memory_size = 64
  }

  expect_failures = [var.memory_size]
}

run "reserved_concurrency_negative" {
  command = plan

  variables {
    reserved_concurrent_executions = -2
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "alias_name_numeric" {
  command = plan

  variables {
    alias_name = "12"
  }

  expect_failures = [var.alias_name]
}

run "provisioned_without_publish" {
  command = plan

  variables {
    provisioned_concurrent_executions = 2
  }

  expect_failures = [aws_lambda_function.this]
}

run "provisioned_negative" {
  command = plan

  variables {
    publish                           = true
    provisioned_concurrent_executions = -1
  }

  expect_failures = [var.provisioned_concurrent_executions]
}

run "tracing_mode_unknown" {
  command = plan

  variables {
    tracing_mode = "On"
  }

  expect_failures = [var.tracing_mode]
}

run "kms_key_alias_not_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/lambda"
  }

  expect_failures = [var.kms_key_arn]
}

run "vpc_without_security_groups" {
  command = plan

  variables {
    vpc_config = { subnet_ids = ["subnet-0a1b2c3d4e5f60718"], security_group_ids = [] }
  }

  expect_failures = [var.vpc_config]
}

run "vpc_bad_subnet_id" {
  command = plan

  variables {
    vpc_config = { subnet_ids = ["subnet_a"], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  expect_failures = [var.vpc_config]
}

run "log_format_unknown" {
  command = plan

  variables {
    logging_log_format = "XML"
  }

  expect_failures = [var.logging_log_format]
}

run "extra_env_reserved_prefix" {
  command = plan

  variables {
    environment_variables = { CHANNEL_ADAPTER = "http" }
  }

  expect_failures = [var.environment_variables]
}

run "extra_env_bad_name" {
  command = plan

  variables {
    environment_variables = { "MY-VAR" = "x" }
  }

  expect_failures = [var.environment_variables]
}

# Lambda's EnvironmentVariableName is [a-zA-Z]([a-zA-Z0-9_])+: at least two characters.
run "environment_variable_name_one_character" {
  command = plan

  variables {
    environment_variables = { X = "x" }
  }

  expect_failures = [var.environment_variables]
}

run "retention_not_allowed" {
  command = plan

  variables {
    cloudwatch_logs_retention_in_days = 45
  }

  expect_failures = [var.cloudwatch_logs_retention_in_days]
}

run "logs_kms_not_arn" {
  command = plan

  variables {
    cloudwatch_logs_kms_key_arn = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  expect_failures = [var.cloudwatch_logs_kms_key_arn]
}

run "role_arn_malformed" {
  command = plan

  variables {
    create_role = false
    lambda_role = "arn:aws:iam::123456789012:user/someone"
  }

  expect_failures = [var.lambda_role]
}

run "existing_role_missing" {
  command = plan

  variables {
    create_role = false
  }

  expect_failures = [aws_lambda_function.this]
}

run "role_name_too_long" {
  command = plan

  variables {
    role_name = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmn"
  }

  expect_failures = [var.role_name]
}

run "role_path_unterminated" {
  command = plan

  variables {
    role_path = "/service"
  }

  expect_failures = [var.role_path]
}

run "boundary_not_policy" {
  command = plan

  variables {
    role_permissions_boundary = "arn:aws:iam::123456789012:role/boundary"
  }

  expect_failures = [var.role_permissions_boundary]
}

run "policy_statement_bad_effect" {
  command = plan

  variables {
    policy_statements = { Extra = { effect = "allow", actions = ["s3:GetObject"], resources = ["*"] } }
  }

  expect_failures = [var.policy_statements]
}

run "policy_statement_bad_sid" {
  command = plan

  variables {
    policy_statements = { "read-s3" = { actions = ["s3:GetObject"], resources = ["*"] } }
  }

  expect_failures = [var.policy_statements]
}

run "policy_statement_no_actions" {
  command = plan

  variables {
    policy_statements = { Extra = { actions = [], resources = ["*"] } }
  }

  expect_failures = [var.policy_statements]
}

run "adapter_unknown" {
  command = plan

  variables {
    delivery = { adapter = "sns" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "http_adapter_without_settings" {
  command = plan

  variables {
    delivery = { adapter = "http" }
  }

  expect_failures = [var.delivery]
}

run "twilio_adapter_without_settings" {
  command = plan

  variables {
    delivery = { adapter = "twilio" }
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
  }

  expect_failures = [var.delivery]
}

run "http_url_not_http" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "ftp://files.example.com" } }
  }

  expect_failures = [var.delivery]
}

run "http_method_unknown" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://api.example.com", method = "DELETE" } }
  }

  expect_failures = [var.delivery]
}

run "http_body_encoding_unknown" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://api.example.com", body_encoding = "xml" } }
  }

  expect_failures = [var.delivery]
}

run "http_success_codes_malformed" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://api.example.com", success_codes = "2xx" } }
  }

  expect_failures = [var.delivery]
}

run "http_header_name_invalid" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://api.example.com", headers = { "Bad Header" = "x" } } }
  }

  expect_failures = [var.delivery]
}

run "http_idempotency_header_invalid" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://api.example.com", idempotency_header = "Idem:Key" } }
  }

  expect_failures = [var.delivery]
}

run "twilio_from_invalid" {
  command = plan

  variables {
    delivery = { adapter = "twilio", twilio = { from = "+0123456789" } }
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
  }

  expect_failures = [var.delivery]
}

run "slack_api_base_not_https" {
  command = plan

  variables {
    delivery = { adapter = "slack", slack = { api_base = "http://slack.example.com/api" } }
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-Ab12Cd"
    }
  }

  expect_failures = [var.delivery]
}

run "twilio_without_secret" {
  command = plan

  variables {
    delivery = { adapter = "twilio", twilio = { from = "+15005550006" } }
  }

  expect_failures = [aws_lambda_function.this]
}

run "slack_without_secret" {
  command = plan

  variables {
    delivery = { adapter = "slack" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "metrics_mode_unknown" {
  command = plan

  variables {
    metrics = {
      mode = "statsd"
    }
  }

  expect_failures = [var.metrics]
}

run "metrics_namespace_aws" {
  command = plan

  variables {
    metrics = {
      namespace = "AWS/Lambda"
    }
  }

  expect_failures = [var.metrics]
}

run "max_workers_above_payload" {
  command = plan

  variables {
    delivery = {
      adapter     = "none"
      max_workers = 51
    }
  }

  expect_failures = [var.delivery]
}

run "max_attempts_zero" {
  command = plan

  variables {
    delivery = {
      adapter      = "none"
      max_attempts = 0
    }
  }

  expect_failures = [var.delivery]
}

run "deadline_out_of_range" {
  command = plan

  variables {
    delivery = {
      adapter          = "none"
      deadline_seconds = 0
    }
  }

  expect_failures = [var.delivery]
}

run "deadline_above_timeout" {
  command = plan

  variables {
    delivery = {
      adapter          = "none"
      deadline_seconds = 20
    }
  }

  expect_failures = [aws_lambda_function.this]
}

run "safety_margin_too_large" {
  command = plan

  variables {
    delivery = {
      adapter          = "none"
      safety_margin_ms = 6000
    }
  }

  expect_failures = [var.delivery]
}

run "log_level_unknown" {
  command = plan

  variables {
    logging_application_log_level = "WARN"
  }

  expect_failures = [var.logging_application_log_level]
}

run "secret_arn_malformed" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/x"
    }
  }

  expect_failures = [var.provider_secret]
}

run "secret_and_parameter" {
  command = plan

  variables {
    provider_secret = {
      arn           = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-Ab12Cd"
      parameter_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/x"
    }
  }

  expect_failures = [var.provider_secret]
}

run "parameter_arn_malformed" {
  command = plan

  variables {
    provider_secret = {
      parameter_arn = "/custom-channel/slack"
    }
  }

  expect_failures = [var.provider_secret]
}

run "secret_kms_not_arn" {
  command = plan

  variables {
    provider_secret = {
      kms_key_arn = "alias/aws/secretsmanager"
      arn         = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-Ab12Cd"
    }
  }

  expect_failures = [var.provider_secret]
}

run "secret_kms_without_secret" {
  command = plan

  variables {
    provider_secret = {
      kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  expect_failures = [var.provider_secret]
}

run "secret_ttl_negative" {
  command = plan

  variables {
    provider_secret = {
      ttl_seconds = -1
    }
  }

  expect_failures = [var.provider_secret]
}

run "permission_scope_unknown" {
  command = plan

  variables {
    pinpoint_permission = {
      scope = "function"
    }
  }

  expect_failures = [var.pinpoint_permission]
}

run "campaign_scope_without_campaign" {
  command = plan

  variables {
    pinpoint_permission = {
      scope = "campaign"
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "permission_campaign_id_malformed" {
  command = plan

  variables {
    pinpoint_permission = {
      campaign_id = "campaign/123"
    }
  }

  expect_failures = [var.pinpoint_permission]
}

run "application_id_malformed" {
  command = plan

  variables {
    application = {
      create = false
      id     = "My-App"
    }
  }

  expect_failures = [var.application]
}

run "application_id_with_create" {
  command = plan

  variables {
    application = {
      id = "3a9b1f4e6c764ba7b031e7183a0b1c2d"
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "application_id_missing" {
  command = plan

  variables {
    application = {
      create = false
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "application_name_too_long" {
  command = plan

  variables {
    application = {
      name = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"
    }
  }

  expect_failures = [var.application]
}

run "segment_id_malformed" {
  command = plan

  variables {
    segment = {
      id = "seg-1"
    }
  }

  expect_failures = [var.segment]
}

run "segment_channel_type_unknown" {
  command = plan

  variables {
    segment = { channel_types = ["FAX"] }
  }

  expect_failures = [var.segment]
}

run "segment_dimensions_not_json" {
  command = plan

  variables {
    segment = { dimensions_json = "Location: US" }
  }

  expect_failures = [var.segment]
}

run "segment_name_too_long" {
  command = plan

  variables {
    segment = { name = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopq" }
  }

  expect_failures = [var.segment]
}

run "campaign_stack_name_underscore" {
  command = plan

  variables {
    campaign = {
      name       = "welcome"
      data       = "{}"
      stack_name = "my_stack"
    }
  }

  expect_failures = [var.campaign]
}

run "campaign_name_empty" {
  command = plan

  variables {
    campaign = { name = "", data = "x" }
  }

  expect_failures = [var.campaign]
}

run "campaign_data_empty" {
  command = plan

  variables {
    campaign = { name = "c", data = "" }
  }

  expect_failures = [var.campaign]
}

run "campaign_data_above_5kb_in_bytes" {
  command = plan

  variables {
    campaign = { name = "c", data = join("", [for i in range(569) : "\u20ac\u20ac\u20ac"]) }
  }

  expect_failures = [var.campaign]
}

run "treatment_data_above_5kb" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [{ size_percent = 10, data = join("", [for i in range(569) : "aaaaaaaaa"]) }] }
  }

  expect_failures = [var.campaign]
}

run "endpoint_type_unknown" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", endpoint_types = ["PUSH"] }
  }

  expect_failures = [var.campaign]
}

run "endpoint_types_empty" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", endpoint_types = [] }
  }

  expect_failures = [var.campaign]
}

run "endpoint_types_duplicate" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", endpoint_types = ["SMS", "SMS"] }
  }

  expect_failures = [var.campaign]
}

run "treatment_endpoint_type_unknown" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [{ size_percent = 10, data = "y", endpoint_types = ["IN_APP"] }] }
  }

  expect_failures = [var.campaign]
}

run "too_many_treatments" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [for i in range(5) : { size_percent = 10, data = "t${i}" }] }
  }

  expect_failures = [var.campaign]
}

run "treatments_and_holdout_above_100" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", holdout_percent = 20, treatments = [{ size_percent = 50, data = "a" }, { size_percent = 40, data = "b" }] }
  }

  expect_failures = [var.campaign]
}

run "treatment_size_zero" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [{ size_percent = 0, data = "a" }] }
  }

  expect_failures = [var.campaign]
}

run "holdout_negative" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", holdout_percent = -5 }
  }

  expect_failures = [var.campaign]
}

run "treatment_delivery_uri_http" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [{ size_percent = 10, data = "a", delivery_uri = "http://hooks.example.com/x" }] }
  }

  expect_failures = [var.campaign]
}

run "treatment_delivery_uri_query" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [{ size_percent = 10, data = "a", delivery_uri = "https://hooks.example.com/x?k=v" }] }
  }

  expect_failures = [var.campaign]
}

run "frequency_unknown" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { frequency = "YEARLY" } }
  }

  expect_failures = [var.campaign]
}

run "start_time_not_iso" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { start_time = "tomorrow" } }
  }

  expect_failures = [var.campaign]
}

run "start_time_without_offset" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { start_time = "2026-05-01 09:00" } }
  }

  expect_failures = [var.campaign]
}

run "end_time_before_start" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { start_time = "2026-05-02T00:00:00Z", end_time = "2026-05-01T00:00:00Z" } }
  }

  expect_failures = [var.campaign]
}

run "recurring_without_end_time" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { start_time = "2026-05-01T00:00:00Z", frequency = "DAILY" } }
  }

  expect_failures = [var.campaign]
}

run "event_without_event_types" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { start_time = "2026-05-01T00:00:00Z", end_time = "2026-06-01T00:00:00Z", frequency = "EVENT" } }
  }

  expect_failures = [var.campaign]
}

run "event_types_without_event" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { event_types = ["signup"] } }
  }

  expect_failures = [var.campaign]
}

run "timezone_malformed" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { timezone = "Europe/Paris" } }
  }

  expect_failures = [var.campaign]
}

run "limits_mps_too_high" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", limits = { messages_per_second = 20001 } }
  }

  expect_failures = [var.campaign]
}

run "limits_duration_too_short" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", limits = { maximum_duration = 30 } }
  }

  expect_failures = [var.campaign]
}

run "limits_daily_negative" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", limits = { daily = -1 } }
  }

  expect_failures = [var.campaign]
}

run "receiver_throttling_zero_rate" {
  command = plan

  variables {
    receiver = {
      throttling = { rate_limit = 0 }
    }
  }

  expect_failures = [var.receiver]
}

run "receiver_recovery_window_invalid" {
  command = plan

  variables {
    receiver = {
      secret_recovery_window_in_days = 3
    }
  }

  expect_failures = [var.receiver]
}

run "receiver_kms_not_arn" {
  command = plan

  variables {
    receiver = {
      secret_kms_key_arn = "alias/receiver"
    }
  }

  expect_failures = [var.receiver]
}

run "failure_queue_name_fifo" {
  command = plan

  variables {
    failure_queue = { enabled = true, name = "failures.fifo" }
  }

  expect_failures = [var.failure_queue]
}

run "failure_queue_name_too_long" {
  command = plan

  variables {
    failure_queue = { enabled = true, name = join("", [for i in range(81) : "a"]) }
  }

  expect_failures = [var.failure_queue]
}

run "failure_queue_kms_alias_not_key" {
  command = plan

  variables {
    failure_queue = { enabled = true, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/aws/sqs" }
  }

  expect_failures = [var.failure_queue]
}

run "failure_queue_retention_too_short" {
  command = plan

  variables {
    failure_queue = { enabled = true, message_retention_seconds = 59 }
  }

  expect_failures = [var.failure_queue]
}

run "failure_queue_retention_above_14_days" {
  command = plan

  variables {
    failure_queue = { enabled = true, message_retention_seconds = 1209601 }
  }

  expect_failures = [var.failure_queue]
}

run "failure_queue_visibility_above_12_hours" {
  command = plan

  variables {
    failure_queue = { enabled = true, visibility_timeout_seconds = 43201 }
  }

  expect_failures = [var.failure_queue]
}

run "failure_queue_visibility_negative" {
  command = plan

  variables {
    failure_queue = { enabled = true, visibility_timeout_seconds = -1 }
  }

  expect_failures = [var.failure_queue]
}

run "failure_queue_in_webhook_mode" {
  command = plan

  variables {
    channel_mode  = "webhook"
    delivery      = null
    webhook_url   = "https://hooks.example.com/pinpoint"
    failure_queue = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "alarms_topic_not_sns" {
  command = plan

  variables {
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sqs:eu-west-1:123456789012:alerts"] }
  }

  expect_failures = [var.alarms]
}

run "alarms_topic_name_with_dot" {
  command = plan

  variables {
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:alerts.v2"] }
  }

  expect_failures = [var.alarms]
}

run "alarms_topic_name_too_long" {
  command = plan

  variables {
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:${join("", [for i in range(257) : "a"])}"] }
  }

  expect_failures = [var.alarms]
}

run "alarms_more_than_5_topics" {
  command = plan

  variables {
    alarms = { enabled = true, sns_topic_arns = [for i in range(6) : "arn:aws:sns:eu-west-1:123456789012:alerts-${i}"] }
  }

  expect_failures = [var.alarms]
}

run "alarms_threshold_zero" {
  command = plan

  variables {
    alarms = { enabled = true, failed_deliveries_threshold = 0 }
  }

  expect_failures = [var.alarms]
}

run "alarms_threshold_fractional" {
  command = plan

  variables {
    alarms = { enabled = true, function_errors_threshold = 1.5 }
  }

  expect_failures = [var.alarms]
}

run "alarms_period_not_a_minute_multiple" {
  command = plan

  variables {
    alarms = { enabled = true, period_seconds = 90 }
  }

  expect_failures = [var.alarms]
}

run "alarms_period_zero" {
  command = plan

  variables {
    alarms = { enabled = true, period_seconds = 0 }
  }

  expect_failures = [var.alarms]
}

run "alarms_evaluation_periods_zero" {
  command = plan

  variables {
    alarms = { enabled = true, evaluation_periods = 0 }
  }

  expect_failures = [var.alarms]
}

run "alarms_window_above_one_day" {
  command = plan

  variables {
    alarms = { enabled = true, period_seconds = 300, evaluation_periods = 289 }
  }

  expect_failures = [var.alarms]
}

run "alarms_window_above_seven_days" {
  command = plan

  variables {
    alarms = { enabled = true, period_seconds = 3600, evaluation_periods = 169 }
  }

  expect_failures = [var.alarms]
}

run "alarms_in_webhook_mode" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com/pinpoint"
    alarms       = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "alarms_without_metrics" {
  command = plan

  variables {
    metrics = {
      mode = "off"
    }
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:alerts"] }
  }

  expect_failures = [aws_cloudwatch_metric_alarm.this]
}

# Limits that must be accepted (apply runs where the rendered template is asserted).

run "data_of_exactly_5120_bytes" {
  command = apply

  variables {
    campaign = {
      name = "limit"
      # 1706 three-byte characters + 2 ASCII = 5120 bytes (but only 1708 characters).
      data = "${join("", [for i in range(853) : "\u20ac\u20ac"])}ab"
    }
  }

  assert {
    condition     = local.campaign_resource.Properties.MessageConfiguration.CustomMessage.Data == var.campaign.data && length(var.campaign.data) == 1708
    error_message = "Data of exactly 5 KB must be accepted."
  }
}

run "treatments_and_holdout_exactly_100" {
  command = plan

  variables {
    campaign = {
      name            = "full-split"
      data            = "a"
      holdout_percent = 10
      treatments = [
        { size_percent = 30, data = "b" },
        { size_percent = 30, data = "c" },
        { size_percent = 20, data = "d" },
        { size_percent = 5, data = "e" },
      ]
    }
  }

  assert {
    condition     = local.main_treatment_size_percent == 5
    error_message = "Four treatments and a holdout may fill up to 100 percent."
  }
}

run "every_endpoint_type_of_the_guide" {
  command = apply

  variables {
    campaign = {
      name           = "all-types"
      data           = "a"
      endpoint_types = ["ADM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "CUSTOM", "EMAIL", "GCM", "SMS", "VOICE"]
    }
  }

  assert {
    condition     = length(local.campaign_resource.Properties.CustomDeliveryConfiguration.EndpointTypes) == 11
    error_message = "All of the guide's endpoint types must be accepted."
  }
}

run "arns_of_other_partitions" {
  command = plan

  variables {
    provider_secret = {
      arn         = "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:twilio-Ab12Cd"
      kms_key_arn = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    lambda_role = "arn:aws-us-gov:iam::123456789012:role/channel"
    create_role = false
  }

  assert {
    condition     = aws_lambda_function.this[0].role == "arn:aws-us-gov:iam::123456789012:role/channel"
    error_message = "ARNs of any partition must be accepted."
  }
}

run "treatment_delivery_to_another_function" {
  command = apply

  variables {
    campaign = {
      name = "two-functions"
      data = "a"
      treatments = [
        { size_percent = 50, data = "b", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:other-channel:live" },
      ]
    }
  }

  assert {
    condition     = local.campaign_resource.Properties.AdditionalTreatments[0].CustomDeliveryConfiguration.DeliveryUri == "arn:aws:lambda:eu-west-1:123456789012:function:other-channel:live"
    error_message = "A treatment may deliver to another Lambda function."
  }
}

run "failure_queue_and_alarm_limits" {
  command = plan

  variables {
    failure_queue = {
      enabled                    = true
      name                       = join("", [for i in range(80) : "q"])
      kms_key_arn                = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      message_retention_seconds  = 60
      visibility_timeout_seconds = 0
    }
    alarms = {
      enabled            = true
      sns_topic_arns     = concat([for i in range(4) : "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts_${i}"], ["arn:aws:sns:eu-west-1:123456789012:${join("", [for i in range(251) : "a"])}.fifo"])
      period_seconds     = 3600
      evaluation_periods = 168
    }
  }

  assert {
    condition     = length(aws_sqs_queue.failures[0].name) == 80 && aws_sqs_queue.failures[0].message_retention_seconds == 60 && aws_sqs_queue.failures[0].visibility_timeout_seconds == 0
    error_message = "An 80-character name, one minute of retention and no visibility timeout must be accepted."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : length(a.alarm_actions) == 5 && a.period * a.evaluation_periods == 604800])
    error_message = "Five topics of any partition (a 256-character name, a FIFO topic) and a seven-day window of hourly periods must be accepted."
  }
}

run "alarms_high_resolution_period" {
  command = plan

  variables {
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:alerts"], period_seconds = 10, evaluation_periods = 8640 }
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.period == 10 && a.evaluation_periods == 8640])
    error_message = "A 10-second period over exactly one day must be accepted."
  }
}


################################################################################
# API rules and module rules added later: each must refuse what it names
################################################################################

run "deadline_beyond_pinpoint_wait" {
  command = plan

  variables {
    timeout = 30
    delivery = {
      adapter          = "none"
      deadline_seconds = 16
    }
  }

  expect_failures = [aws_lambda_function.this]
}

run "timezone_half_hour_west_not_in_api_list" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { timezone = "UTC-05:30", is_local_time = true } }
  }

  expect_failures = [var.campaign]
}

run "timezone_utc_minus_12_not_in_api_list" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", schedule = { timezone = "UTC-12", is_local_time = true } }
  }

  expect_failures = [var.campaign]
}

run "limits_daily_above_100" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", limits = { daily = 101 } }
  }

  expect_failures = [var.campaign]
}

run "limits_total_above_100" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", limits = { total = 101 } }
  }

  expect_failures = [var.campaign]
}

run "limits_mps_zero" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", limits = { messages_per_second = 0 } }
  }

  expect_failures = [var.campaign]
}

run "treatments_and_holdout_leave_main_nothing" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", holdout_percent = 20, treatments = [{ size_percent = 50, data = "a" }, { size_percent = 30, data = "b" }] }
  }

  expect_failures = [var.campaign]
}

run "treatment_function_in_another_region" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [{ size_percent = 10, data = "a", delivery_uri = "arn:aws:lambda:us-west-2:123456789012:function:other-channel" }] }
  }

  expect_failures = [aws_lambda_permission.treatments]
}

run "treatment_function_in_another_account" {
  command = plan

  variables {
    campaign = { name = "c", data = "x", treatments = [{ size_percent = 10, data = "a", delivery_uri = "arn:aws:lambda:eu-west-1:210987654321:function:other-channel" }] }
  }

  expect_failures = [aws_lambda_permission.treatments]
}

run "policy_statement_sid_reserved" {
  command = plan

  variables {
    policy_statements = { WriteOwnLogGroup = { actions = ["logs:CreateLogGroup"], resources = ["*"] } }
  }

  expect_failures = [var.policy_statements]
}

run "twilio_country_code_with_plus" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
    delivery = { adapter = "twilio", twilio = { from = "+15555550100", allowed_country_codes = ["+1"] } }
  }

  expect_failures = [var.delivery]
}

run "twilio_country_code_too_long" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
    delivery = { adapter = "twilio", twilio = { from = "+15555550100", allowed_country_codes = ["44", "12345"] } }
  }

  expect_failures = [var.delivery]
}

run "twilio_country_codes_empty" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
    delivery = { adapter = "twilio", twilio = { from = "+15555550100", allowed_country_codes = [] } }
  }

  expect_failures = [var.delivery]
}

run "slack_channel_pattern_empty" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-Ab12Cd"
    }
    delivery = { adapter = "slack", slack = { channel_pattern = "" } }
  }

  expect_failures = [var.delivery]
}

run "http_url_plain_http_public_host" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "http://api.example.com/v1/messages" } }
  }

  expect_failures = [var.delivery]
}

run "http_url_placeholder_in_host" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://{{Attributes.Host}}/v1/messages" } }
  }

  expect_failures = [var.delivery]
}

run "http_url_placeholder_in_port" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://api.example.com:{{Attributes.Port}}/v1" } }
  }

  expect_failures = [var.delivery]
}

run "http_url_placeholder_in_userinfo" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "https://{{Address}}@api.example.com/v1" } }
  }

  expect_failures = [var.delivery]
}

run "rate_limit_without_reserved_concurrency" {
  command = plan

  variables {
    delivery = {
      adapter               = "none"
      rate_limit_per_second = 10
    }
  }

  expect_failures = [aws_lambda_function.this]
}

run "failure_queue_operator_not_a_role" {
  command = plan

  variables {
    failure_queue = {
      enabled            = true
      operator_role_arns = ["arn:aws:iam::123456789012:user/alice"]
    }
  }

  expect_failures = [var.failure_queue]
}

run "webhook_url_placeholder_free_but_sensitive" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com/pinpoint/s3cr3t"
  }

  assert {
    condition     = issensitive(var.webhook_url)
    error_message = "webhook_url carries a path secret: it must be sensitive."
  }
}

run "new_rules_accept_their_limits" {
  command = plan

  variables {
    timeout = 30
    delivery = {
      adapter               = "http"
      http                  = { url = "http://127.0.0.42:8080/v1/{{Address}}?to={{Address}}" }
      deadline_seconds      = 15
      rate_limit_per_second = 20
    }
    reserved_concurrent_executions = 5
    campaign = {
      name            = "limits"
      data            = "a"
      holdout_percent = 19
      treatments      = [{ size_percent = 80, data = "b" }]
      schedule        = { timezone = "UTC+05:45", is_local_time = true }
      limits          = { daily = 100, total = 100, messages_per_second = 20000, maximum_duration = 60 }
    }
  }

  assert {
    condition     = local.main_treatment_size_percent == 1 && local.environment["CHANNEL_DEADLINE_SECONDS"] == "15"
    error_message = "A 1 % main treatment, a 15 s deadline, the API's limits and UTC+05:45 must be accepted."
  }
}

run "http_url_loopback_hosts" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "http://[::1]:8080/v1" } }
  }

  assert {
    condition     = local.environment["CHANNEL_HTTP_URL"] == "http://[::1]:8080/v1"
    error_message = "http:// to the IPv6 loopback must be accepted."
  }
}

run "http_url_localhost" {
  command = plan

  variables {
    delivery = { adapter = "http", http = { url = "http://localhost/v1" } }
  }

  assert {
    condition     = local.environment["CHANNEL_HTTP_URL"] == "http://localhost/v1"
    error_message = "http:// to localhost must be accepted."
  }
}

# An adapter of the user's own (docs/adapters.md) deploys only with the user's own package:
# the committed zip has only the built-in adapters.
run "custom_adapter_without_package" {
  command = plan

  variables {
    delivery = {
      adapter          = "echo"
      adapter_module   = "echo_provider"
      adapter_settings = { URL = "https://echo.example.com" }
    }
  }

  expect_failures = [aws_lambda_function.this]
}

run "adapter_module_without_package" {
  command = plan

  variables {
    delivery = { adapter_module = "echo_provider" }
  }

  expect_failures = [var.delivery]
}

run "custom_adapter_reserved_name" {
  command = plan

  variables {
    local_existing_package = "./handler/dist/custom-channel.zip"
    delivery               = { adapter = "metrics" }
  }

  expect_failures = [var.delivery]
}

run "custom_adapter_name_not_lower_case" {
  command = plan

  variables {
    local_existing_package = "./handler/dist/custom-channel.zip"
    delivery               = { adapter = "Echo-2" }
  }

  expect_failures = [var.delivery]
}

run "adapter_module_not_a_module_path" {
  command = plan

  variables {
    local_existing_package = "./handler/dist/custom-channel.zip"
    delivery               = { adapter = "echo", adapter_module = "echo_provider.py/x" }
  }

  expect_failures = [var.delivery]
}

run "adapter_settings_key_not_upper_case" {
  command = plan

  variables {
    local_existing_package = "./handler/dist/custom-channel.zip"
    delivery               = { adapter = "echo", adapter_settings = { url = "https://echo.example.com" } }
  }

  expect_failures = [var.delivery]
}

run "adapter_settings_for_a_built_in_adapter" {
  command = plan

  variables {
    delivery = {
      adapter          = "http"
      http             = { url = "https://api.example.com/send" }
      adapter_settings = { TIMEOUT = "3" }
    }
  }

  expect_failures = [var.delivery]
}
