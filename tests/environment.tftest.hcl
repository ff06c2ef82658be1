# Typed variables mapped to the handler's CHANNEL_* environment variables.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "processing_settings" {
  command = plan

  variables {
    delivery = {
      adapter          = "none"
      skip_opted_out   = false
      skip_inactive    = false
      max_workers      = 10
      max_attempts     = 5
      deadline_seconds = 12
      safety_margin_ms = 1500
    }
    logging_application_log_level = "DEBUG"
    # The explicit off switch: no CHANNEL_IDEMPOTENCY_* settings.
    idempotency = { enabled = false }
    environment_variables = {
      POWERTOOLS_SERVICE_NAME = "custom-channel"
    }
  }

  assert {
    # All but the log id key, which is random (its own run in environment.tftest.hcl).
    condition = tomap({ for k, v in aws_lambda_function.this[0].environment[0].variables : k => v if k != "CHANNEL_LOG_ID_KEY" }) == tomap({
      CHANNEL_ADAPTER           = "none"
      CHANNEL_NAME              = "pinpoint-custom-channel"
      CHANNEL_METRICS_MODE      = "api"
      CHANNEL_METRICS_NAMESPACE = "PinpointCustomChannelExecution"
      CHANNEL_SKIP_OPTED_OUT    = "false"
      CHANNEL_SKIP_INACTIVE     = "false"
      CHANNEL_MAX_WORKERS       = "10"
      CHANNEL_MAX_ATTEMPTS      = "5"
      CHANNEL_DEADLINE_SECONDS  = "12"
      CHANNEL_SAFETY_MARGIN_MS  = "1500"
      CHANNEL_LOG_LEVEL         = "DEBUG"
      CHANNEL_EVENT_SOURCE      = "pinpoint"
      POWERTOOLS_SERVICE_NAME   = "custom-channel"
    })
    error_message = "Processing settings must map one to one."
  }

  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].application_log_level == "DEBUG"
    error_message = "The JSON application log level follows logging_application_log_level."
  }

  assert {
    condition     = output.lambda_function_environment["POWERTOOLS_SERVICE_NAME"] == "custom-channel"
    error_message = "The environment output must list extra variables."
  }
}

run "http_adapter_full" {
  command = plan

  variables {
    delivery = {
      adapter = "http"
      http = {
        url                = "https://api.example.com/v1/messages"
        method             = "put"
        headers            = { "Content-Type" = "application/json", "X-Source" = "pinpoint" }
        body_template      = "{\"to\":\"{{Address}}\",\"text\":{{Data}}}"
        body_encoding      = "json"
        success_codes      = "200-299, 409"
        idempotency_header = "Idempotency-Key"
      }
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_ADAPTER"] == "http"
    error_message = "delivery.adapter maps to CHANNEL_ADAPTER."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_HTTP_URL"] == "https://api.example.com/v1/messages" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_HTTP_METHOD"] == "PUT"
    error_message = "URL and (upper-cased) method must be mapped."
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this[0].environment[0].variables["CHANNEL_HTTP_HEADERS"]) == { "Content-Type" = "application/json", "X-Source" = "pinpoint" }
    error_message = "Headers must be a JSON object string."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_HTTP_BODY_TEMPLATE"] == "{\"to\":\"{{Address}}\",\"text\":{{Data}}}" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_HTTP_BODY_ENCODING"] == "json"
    error_message = "Body template and encoding must be mapped."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_HTTP_SUCCESS_CODES"] == "200-299,409" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_HTTP_IDEMPOTENCY_HEADER"] == "Idempotency-Key"
    error_message = "Success codes and idempotency header must be mapped."
  }
}

run "http_adapter_minimal" {
  command = plan

  variables {
    delivery = {
      adapter = "http"
      http    = { url = "https://hooks.example.com/pinpoint" }
    }
  }

  assert {
    condition     = toset([for k in keys(aws_lambda_function.this[0].environment[0].variables) : k if startswith(k, "CHANNEL_HTTP_")]) == toset(["CHANNEL_HTTP_URL"])
    error_message = "Unset HTTP options must be left to the handler's defaults."
  }
}

run "twilio_adapter" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
    delivery = {
      adapter = "twilio"
      twilio = {
        from     = "+15005550006"
        whatsapp = true
        api_base = "https://api.twilio.example.com"
      }
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_ADAPTER"] == "twilio" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_TWILIO_FROM"] == "+15005550006"
    error_message = "Twilio sender must be mapped."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_TWILIO_WHATSAPP"] == "true" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_TWILIO_API_BASE"] == "https://api.twilio.example.com"
    error_message = "Twilio options must be mapped."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_HTTP_URL")
    error_message = "Only the selected adapter's settings are passed on."
  }
}

run "twilio_messaging_service" {
  command = plan

  variables {
    provider_secret = {
      parameter_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/twilio"
    }
    delivery = {
      adapter = "twilio"
      twilio  = { from = "MG0123456789abcdef0123456789abcdef" }
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_TWILIO_FROM"] == "MG0123456789abcdef0123456789abcdef" && !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_TWILIO_WHATSAPP")
    error_message = "A Messaging Service SID is a valid sender; unset options are left out."
  }
}

run "slack_adapter" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-Ab12Cd"
    }
    delivery = {
      adapter = "slack"
      slack   = { channel_attribute = "SlackChannel" }
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_ADAPTER"] == "slack" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_SLACK_CHANNEL_ATTRIBUTE"] == "SlackChannel"
    error_message = "Slack settings must be mapped."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_SLACK_API_BASE")
    error_message = "An unset Slack API base is left to the handler's default."
  }
}

run "slack_adapter_defaults" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-Ab12Cd"
    }
    delivery = { adapter = "slack" }
  }

  assert {
    condition     = length([for k in keys(aws_lambda_function.this[0].environment[0].variables) : k if startswith(k, "CHANNEL_SLACK_")]) == 0
    error_message = "Slack without options uses the endpoint Address and the default API base."
  }
}

run "twilio_default_country_code_and_slack_pattern_unset" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
    delivery = { adapter = "twilio", twilio = { from = "+15005550006" } }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"] == "1"
    error_message = "The Twilio adapter allows North America (+1) by default."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_SLACK_CHANNEL_PATTERN")
    error_message = "No Slack setting for the Twilio adapter."
  }
}

run "twilio_country_codes_joined" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-Ab12Cd"
    }
    delivery = { adapter = "twilio", twilio = { from = "+15005550006", allowed_country_codes = ["1", "44", "1684"] } }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"] == "1,44,1684"
    error_message = "Country codes are passed comma-separated, without '+'."
  }
}

run "slack_channel_pattern" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-Ab12Cd"
    }
    delivery = { adapter = "slack", slack = { channel_pattern = "^C[A-Z0-9]{8,}$" } }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_SLACK_CHANNEL_PATTERN"] == "^C[A-Z0-9]{8,}$"
    error_message = "The Slack channel pattern must be passed when set."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES")
    error_message = "No Twilio setting for the Slack adapter."
  }
}

run "slack_channel_pattern_unset_by_default" {
  command = plan

  variables {
    provider_secret = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-Ab12Cd"
    }
    delivery = { adapter = "slack" }
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_SLACK_CHANNEL_PATTERN")
    error_message = "Without channel_pattern the handler keeps its default."
  }
}

run "rate_limit_output_is_account_wide" {
  command = plan

  variables {
    delivery = {
      adapter               = "none"
      rate_limit_per_second = 25
    }
    reserved_concurrent_executions = 8
  }

  assert {
    condition     = output.lambda_max_requests_per_second == 200 && aws_lambda_function.this[0].environment[0].variables["CHANNEL_RATE_LIMIT_PER_SECOND"] == "25"
    error_message = "The account-wide maximum is the per-instance rate times the reserved concurrency."
  }
}

run "no_rate_limit_no_maximum" {
  command = plan

  assert {
    condition     = output.lambda_max_requests_per_second == null
    error_message = "Without a rate limit there is no maximum to report."
  }
}

# An adapter of the user's own, in the user's own package: its module and its settings
# reach the handler as CHANNEL_ADAPTER_MODULE and CHANNEL_<ADAPTER>_<KEY>.
run "custom_adapter_with_local_package" {
  command = plan

  variables {
    local_existing_package = "./handler/dist/custom-channel.zip"
    delivery = {
      adapter          = "echo"
      adapter_module   = "echo_provider"
      adapter_settings = { URL = "https://echo.example.com", PRIORITY = "5" }
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_ADAPTER"] == "echo"
    error_message = "The adapter's name reaches the handler."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_ADAPTER_MODULE"] == "echo_provider"
    error_message = "adapter_module is CHANNEL_ADAPTER_MODULE."
  }

  assert {
    condition = {
      for k, v in aws_lambda_function.this[0].environment[0].variables : k => v if startswith(k, "CHANNEL_ECHO_")
      } == {
      CHANNEL_ECHO_URL      = "https://echo.example.com"
      CHANNEL_ECHO_PRIORITY = "5"
    }
    error_message = "Each adapter_settings key is CHANNEL_<ADAPTER>_<KEY>, and nothing else."
  }
}

run "custom_adapter_with_s3_package" {
  command = plan

  variables {
    s3_existing_package = { bucket = "my-artifacts", key = "custom-channel/echo.zip" }
    delivery            = { adapter = "echo" }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_ADAPTER"] == "echo" && !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_ADAPTER_MODULE")
    error_message = "An adapter in the package's own registry needs no CHANNEL_ADAPTER_MODULE."
  }
}

run "built_in_adapter_has_no_module_setting" {
  command = plan

  assert {
    condition     = length([for k in keys(aws_lambda_function.this[0].environment[0].variables) : k if startswith(k, "CHANNEL_ADAPTER_")]) == 0
    error_message = "The default configuration sets no CHANNEL_ADAPTER_MODULE."
  }
}

# The environment carries whatever the user puts in environment_variables (a token, an
# address): the output that echoes it is sensitive, so plans and `terraform output` hide it.
run "environment_output_is_sensitive" {
  command = plan

  variables {
    environment_variables = { PROVIDER_TOKEN = "not-for-the-console" }
  }

  assert {
    condition     = issensitive(output.lambda_function_environment)
    error_message = "lambda_function_environment must be a sensitive output."
  }
}

# Endpoint ids in the logs (docs/security.md): hashed under a key of the deployment by default,
# drawn at the first apply and kept.
run "endpoint_ids_hashed_by_default" {
  command = apply

  assert {
    condition     = length(aws_lambda_function.this[0].environment[0].variables["CHANNEL_LOG_ID_KEY"]) == 73
    error_message = "The function must get the log id key, two random UUIDs."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_LOG_ID_KEY"] == terraform_data.log_id_key[0].input
    error_message = "The key must be the one drawn once for the deployment."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_LOG_ENDPOINT_IDS")
    error_message = "hashed is the handler's default: not written."
  }
}

run "endpoint_ids_in_clear" {
  command = plan

  variables {
    logging_endpoint_ids = "clear"
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_LOG_ENDPOINT_IDS"] == "clear"
    error_message = "logging_endpoint_ids = clear must reach the handler."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_LOG_ID_KEY")
    error_message = "Ids in clear need no key: none in the environment."
  }
}

run "endpoint_ids_typo_is_refused" {
  command = plan

  variables {
    logging_endpoint_ids = "cleartext"
  }

  expect_failures = [var.logging_endpoint_ids]
}
