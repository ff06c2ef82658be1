# Delivery receipts and consent write-back: nothing without them; each switch adds exactly its
# environment variables, its grant and its resources; the combinations that cannot work are
# refused.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source    = "pinpoint"
  name            = "pinpoint-custom-channel"
  provider_secret = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-AbCdEf" }
  delivery = {
    adapter = "twilio"
    twilio  = { from = "+15005550006" }
  }
}

# The environment without the random log id key, and the policy's statements, to compare runs.
run "without_receipts" {
  command = apply

  assert {
    condition     = length([for k in keys(nonsensitive(output.lambda_function_environment)) : k if can(regex("^CHANNEL_(RECEIPTS|CONSENT|CONNECT_PROFILES)_", k))]) == 0
    error_message = "Without receipts, no receipts or consent variable."
  }

  assert {
    condition     = [for s in jsondecode(output.lambda_role_policy_json).Statement : s.Sid] == ["RecordDeliveries", "WriteOwnLogGroup", "PutMetricDataInNamespace", "ReadProviderSecret"]
    error_message = "Without receipts, no receipts or consent grant."
  }

  assert {
    condition     = length(aws_apigatewayv2_api.receipts) == 0 && length(aws_apigatewayv2_integration.receipts) == 0 && length(aws_apigatewayv2_route.receipts) == 0 && length(aws_apigatewayv2_stage.receipts) == 0 && length(aws_cloudwatch_log_group.receipts_access) == 0
    error_message = "Without receipts, no HTTP API."
  }

  assert {
    condition     = keys(aws_lambda_permission.this) == ["pinpoint"] && length(aws_cloudwatch_metric_alarm.receipts) == 0
    error_message = "Without receipts, no receipts permission and no alarm."
  }

  assert {
    condition     = output.receipts_url == null && output.receipts_api_id == null
    error_message = "Without receipts, the receipts outputs are null."
  }
}

run "receipts_in_lambda_mode" {
  command = apply

  variables {
    receipts = { enabled = true }
  }

  assert {
    condition = {
      for k, v in nonsensitive(output.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY"
      } == merge({ for k, v in nonsensitive(run.without_receipts.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY" }, {
        CHANNEL_RECEIPTS_URL       = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/receipts"
        CHANNEL_RECEIPTS_EVENT_BUS = "default"
    })
    error_message = "receipts.enabled adds exactly CHANNEL_RECEIPTS_URL (the route's URL) and CHANNEL_RECEIPTS_EVENT_BUS."
  }

  assert {
    condition = { for s in jsondecode(output.lambda_role_policy_json).Statement : s.Sid => s } == merge({ for s in jsondecode(run.without_receipts.lambda_role_policy_json).Statement : s.Sid => s }, {
      PublishDeliveryReceipts = {
        Sid      = "PublishDeliveryReceipts"
        Effect   = "Allow"
        Action   = ["events:PutEvents"]
        Resource = ["arn:aws:events:eu-west-1:123456789012:event-bus/default"]
      }
    })
    error_message = "receipts.enabled adds exactly events:PutEvents on the default bus (the ledger's statement already grants dynamodb:UpdateItem)."
  }

  assert {
    condition     = contains(jsondecode(output.lambda_role_policy_json).Statement[0].Action, "dynamodb:UpdateItem") && jsondecode(output.lambda_role_policy_json).Statement[0].Resource == ["arn:aws:dynamodb:eu-west-1:123456789012:table/pinpoint-custom-channel-deliveries"]
    error_message = "The receipt records' UpdateItem on the idempotency table must be granted."
  }

  assert {
    condition     = aws_apigatewayv2_api.receipts[0].protocol_type == "HTTP" && aws_apigatewayv2_api.receipts[0].name == "pinpoint-custom-channel-receipts"
    error_message = "Lambda mode creates an HTTP API of its own for the receipts."
  }

  assert {
    condition     = aws_apigatewayv2_route.receipts[0].route_key == "POST /receipts" && aws_apigatewayv2_route.receipts[0].api_id == aws_apigatewayv2_api.receipts[0].id && aws_apigatewayv2_route.receipts[0].target == "integrations/${aws_apigatewayv2_integration.receipts[0].id}"
    error_message = "One route, POST /receipts, to the receipts integration."
  }

  assert {
    condition     = aws_apigatewayv2_integration.receipts[0].integration_type == "AWS_PROXY" && aws_apigatewayv2_integration.receipts[0].payload_format_version == "2.0" && aws_apigatewayv2_integration.receipts[0].integration_uri == aws_lambda_function.this[0].invoke_arn
    error_message = "The route invokes the function (Lambda proxy, payload 2.0)."
  }

  assert {
    condition     = aws_apigatewayv2_stage.receipts[0].name == "$default" && aws_apigatewayv2_stage.receipts[0].auto_deploy && aws_apigatewayv2_stage.receipts[0].default_route_settings[0].throttling_rate_limit == 500 && aws_apigatewayv2_stage.receipts[0].default_route_settings[0].throttling_burst_limit == 1000
    error_message = "The $default stage deploys the route, throttled (default 500 per second, burst 1000)."
  }

  assert {
    condition     = aws_apigatewayv2_stage.receipts[0].access_log_settings[0].destination_arn == aws_cloudwatch_log_group.receipts_access[0].arn && aws_cloudwatch_log_group.receipts_access[0].name == "/aws/apigateway/pinpoint-custom-channel-receipts"
    error_message = "Access logs go to the module's log group by default."
  }

  assert {
    condition     = !strcontains(aws_apigatewayv2_stage.receipts[0].access_log_settings[0].format, "$context.path") && !strcontains(aws_apigatewayv2_stage.receipts[0].access_log_settings[0].format, "querystring")
    error_message = "Access logs record neither the path nor the query string."
  }

  assert {
    condition     = aws_lambda_permission.this["receipts"].principal == "apigateway.amazonaws.com" && aws_lambda_permission.this["receipts"].source_account == "123456789012" && aws_lambda_permission.this["receipts"].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/POST/receipts"
    error_message = "The receipts permission names the route's source ARN only."
  }

  assert {
    condition     = keys(aws_lambda_permission.this) == ["pinpoint", "receipts"]
    error_message = "The receipts permission joins Pinpoint's."
  }

  assert {
    condition     = output.receipts_url == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/receipts" && output.receipts_api_id == "a1b2c3d4e5"
    error_message = "The receipts outputs name the route's URL and its API."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.receipts) == 0
    error_message = "No alarm without a threshold."
  }
}

# The environment's keys are known at plan, though the URL is not (its API does not exist yet).
run "receipts_url_unknown_at_plan" {
  command = plan

  variables {
    receipts = { enabled = true }
  }

  assert {
    condition     = contains(keys(nonsensitive(local.environment)), "CHANNEL_RECEIPTS_URL") && local.environment_size > 0
    error_message = "The environment's keys and size must be known at plan."
  }
}

run "pinpoint_write_back" {
  command = apply

  variables {
    receipts = { enabled = true, consent_write_back = true }
  }

  assert {
    condition = {
      for k, v in nonsensitive(output.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY"
    } == merge({ for k, v in nonsensitive(run.receipts_in_lambda_mode.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY" }, { CHANNEL_CONSENT_WRITE_BACK = "true" })
    error_message = "consent_write_back adds exactly CHANNEL_CONSENT_WRITE_BACK for Pinpoint."
  }

  assert {
    condition = { for s in jsondecode(output.lambda_role_policy_json).Statement : s.Sid => s } == merge({ for s in jsondecode(run.receipts_in_lambda_mode.lambda_role_policy_json).Statement : s.Sid => s }, {
      WriteBackConsentToEndpoints = {
        Sid      = "WriteBackConsentToEndpoints"
        Effect   = "Allow"
        Action   = ["mobiletargeting:UpdateEndpoint"]
        Resource = ["arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/endpoints/*"]
      }
    })
    error_message = "consent_write_back adds exactly mobiletargeting:UpdateEndpoint on the endpoints of the module's application."
  }
}

run "pinpoint_write_back_existing_application" {
  command = plan

  variables {
    application = { create = false, id = "0123456789abcdef0123456789abcdef" }
    receipts    = { enabled = true, consent_write_back = true }
  }

  assert {
    condition     = one([for s in jsondecode(local.policy_json).Statement : s.Resource if s.Sid == "WriteBackConsentToEndpoints"]) == ["arn:aws:mobiletargeting:eu-west-1:123456789012:apps/0123456789abcdef0123456789abcdef/endpoints/*"]
    error_message = "The grant follows application.id."
  }
}

run "event_bus_by_name_and_by_arn" {
  command = plan

  variables {
    receipts = { enabled = true, event_bus_name = "channel-receipts" }
  }

  assert {
    condition     = local.environment.CHANNEL_RECEIPTS_EVENT_BUS == "channel-receipts" && one([for s in jsondecode(local.policy_json).Statement : s.Resource if s.Sid == "PublishDeliveryReceipts"]) == ["arn:aws:events:eu-west-1:123456789012:event-bus/channel-receipts"]
    error_message = "A bus name is the bus of the function's account and region."
  }
}

run "event_bus_arn" {
  command = plan

  variables {
    receipts = { enabled = true, event_bus_name = "arn:aws:events:eu-west-1:210987654321:event-bus/central" }
  }

  assert {
    condition     = local.environment.CHANNEL_RECEIPTS_EVENT_BUS == "arn:aws:events:eu-west-1:210987654321:event-bus/central" && one([for s in jsondecode(local.policy_json).Statement : s.Resource if s.Sid == "PublishDeliveryReceipts"]) == ["arn:aws:events:eu-west-1:210987654321:event-bus/central"]
    error_message = "A bus ARN is used as given (another account's bus included)."
  }
}

run "http_adapter_with_secret" {
  command = plan

  variables {
    delivery = {
      adapter = "http"
      http    = { url = "https://api.example.com/send" }
    }
    receipts = { enabled = true }
  }

  assert {
    condition     = local.environment.CHANNEL_RECEIPTS_EVENT_BUS == "default" && contains(keys(local.environment), "CHANNEL_RECEIPTS_URL")
    error_message = "The http adapter with a provider secret takes receipts."
  }
}

run "connect_receipts" {
  command = apply

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi"
    }
    receipts = { enabled = true }
  }

  assert {
    condition     = length([for k in keys(nonsensitive(output.lambda_function_environment)) : k if can(regex("^CHANNEL_(CONSENT|CONNECT_PROFILES)_", k))]) == 0
    error_message = "Without write-back, no consent variable."
  }
}

run "connect_write_back" {
  command = apply

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi"
    }
    receipts = { enabled = true, consent_write_back = true, connect_profiles_domain = "amazon-connect-acme_1" }
  }

  assert {
    condition = {
      for k, v in nonsensitive(output.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY"
      } == merge({ for k, v in nonsensitive(run.connect_receipts.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY" }, {
        CHANNEL_CONSENT_WRITE_BACK      = "true"
        CHANNEL_CONNECT_PROFILES_DOMAIN = "amazon-connect-acme_1"
    })
    error_message = "consent_write_back adds exactly CHANNEL_CONSENT_WRITE_BACK and CHANNEL_CONNECT_PROFILES_DOMAIN for Connect."
  }

  assert {
    condition = { for s in jsondecode(output.lambda_role_policy_json).Statement : s.Sid => s } == merge({ for s in jsondecode(run.connect_receipts.lambda_role_policy_json).Statement : s.Sid => s }, {
      WriteBackConsentToProfiles = {
        Sid      = "WriteBackConsentToProfiles"
        Effect   = "Allow"
        Action   = ["profile:UpdateProfile"]
        Resource = ["arn:aws:profile:eu-west-1:123456789012:domains/amazon-connect-acme_1"]
      }
    })
    error_message = "consent_write_back adds exactly profile:UpdateProfile on the domain for Connect."
  }
}

run "receiver_without_receipts" {
  command = apply

  variables {
    channel_mode = "receiver"
  }

  assert {
    condition     = length(aws_apigatewayv2_stage.receiver[0].route_settings) == 0 && length(aws_apigatewayv2_route.receipts) == 0
    error_message = "The receiver's stage is unchanged without receipts."
  }
}

run "receipts_in_receiver_mode" {
  command = apply

  variables {
    channel_mode = "receiver"
    receipts     = { enabled = true, throttling = { rate_limit = 5, burst_limit = 10 } }
  }

  assert {
    condition     = length(aws_apigatewayv2_api.receipts) == 0 && length(aws_apigatewayv2_stage.receipts) == 0 && length(aws_cloudwatch_log_group.receipts_access) == 0
    error_message = "Receiver mode adds the route to the receiver's API, no API of its own."
  }

  assert {
    condition     = aws_apigatewayv2_route.receipts[0].api_id == aws_apigatewayv2_api.receiver[0].id && aws_apigatewayv2_route.receipts[0].route_key == "POST /receipts" && aws_apigatewayv2_integration.receipts[0].api_id == aws_apigatewayv2_api.receiver[0].id
    error_message = "The route and its integration are on the receiver's API."
  }

  assert {
    condition     = [for r in aws_apigatewayv2_stage.receiver[0].route_settings : [r.route_key, r.throttling_rate_limit, r.throttling_burst_limit]] == [["POST /receipts", 5, 10]]
    error_message = "The receipts route is throttled on its own on the receiver's stage."
  }

  assert {
    condition     = aws_apigatewayv2_stage.receiver[0].default_route_settings[0].throttling_rate_limit == 20
    error_message = "The receiver's own throttle is unchanged."
  }

  assert {
    condition = {
      for k, v in nonsensitive(output.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY"
      } == merge({ for k, v in nonsensitive(run.receiver_without_receipts.lambda_function_environment) : k => v if k != "CHANNEL_LOG_ID_KEY" }, {
        CHANNEL_RECEIPTS_URL       = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/receipts"
        CHANNEL_RECEIPTS_EVENT_BUS = "default"
    })
    error_message = "Receiver mode: the same two variables, the URL on the receiver's endpoint (without its secret path)."
  }

  assert {
    condition     = keys(aws_lambda_permission.this) == ["apigateway", "receipts"] && aws_lambda_permission.this["receipts"].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/POST/receipts"
    error_message = "The receipts permission names the route, beside the receiver's."
  }

  assert {
    condition     = output.receipts_api_id == output.webhook_receiver_api_id
    error_message = "receipts_api_id is the receiver's API in receiver mode."
  }
}

run "delivered_rate_alarm" {
  command = apply

  variables {
    receipts = { enabled = true, delivered_rate_alarm_threshold = 95 }
    alarms   = { sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:ops"], period_seconds = 600 }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.receipts[0].alarm_name == "pinpoint-custom-channel-receipts-delivered-rate" && aws_cloudwatch_metric_alarm.receipts[0].threshold == 95 && aws_cloudwatch_metric_alarm.receipts[0].comparison_operator == "LessThanThreshold" && aws_cloudwatch_metric_alarm.receipts[0].treat_missing_data == "notBreaching"
    error_message = "The alarm fires below the threshold; missing data is not breaching."
  }

  assert {
    condition = { for q in aws_cloudwatch_metric_alarm.receipts[0].metric_query : q.id => jsonencode([for m in q.metric : [m.namespace, m.metric_name, m.dimensions, m.stat, m.period]]) if length(q.metric) > 0 } == {
      delivered   = jsonencode([["PinpointCustomChannelExecution", "ReceiptDeliveredCount", { Channel = "pinpoint-custom-channel" }, "Sum", 600]])
      undelivered = jsonencode([["PinpointCustomChannelExecution", "ReceiptUndeliveredCount", { Channel = "pinpoint-custom-channel" }, "Sum", 600]])
      failed      = jsonencode([["PinpointCustomChannelExecution", "ReceiptFailedCount", { Channel = "pinpoint-custom-channel" }, "Sum", 600]])
    }
    error_message = "The three receipt counts of this deployment's [Channel] series, summed per period."
  }

  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.receipts[0].metric_query : q.expression if q.return_data == true]) == "100 * FILL(delivered, 0) / (FILL(delivered, 0) + FILL(undelivered, 0) + FILL(failed, 0))"
    error_message = "The alarm returns the delivered-to-handset rate in percent."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.receipts[0].alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:ops"]) && length(aws_cloudwatch_metric_alarm.this) == 0
    error_message = "The receipts alarm notifies alarms.sns_topic_arns, without alarms.enabled."
  }

  assert {
    condition     = keys(output.cloudwatch_metric_alarm_names) == ["receipts_delivered_rate"]
    error_message = "The alarm outputs name the receipts alarm."
  }
}

run "delivered_rate_alarm_without_a_topic_warns" {
  command = plan

  variables {
    receipts = { enabled = true, delivered_rate_alarm_threshold = 95 }
  }

  expect_failures = [check.alarms_notify_someone]
}

################################################################################
# Refusals
################################################################################

run "reserved_adapter_names" {
  command = plan

  variables {
    delivery = { adapter = "receipts" }
  }

  expect_failures = [var.delivery]
}

run "reserved_adapter_name_consent" {
  command = plan

  variables {
    delivery = { adapter = "consent" }
  }

  expect_failures = [var.delivery]
}

run "unknown_key" {
  command = plan

  variables {
    receipts = { enabled = true, consent_writeback = true }
  }

  expect_failures = [var.receipts]
}

run "unknown_throttling_key" {
  command = plan

  variables {
    receipts = { enabled = true, throttling = { rate = 5 } }
  }

  expect_failures = [var.receipts]
}

run "not_a_boolean" {
  command = plan

  variables {
    receipts = { enabled = "yes" }
  }

  expect_failures = [var.receipts]
}

run "domain_name_rule" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi"
    }
    receipts = { enabled = true, consent_write_back = true, connect_profiles_domain = "acme.profiles" }
  }

  expect_failures = [var.receipts]
}

run "domain_name_too_long" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi"
    }
    receipts = { enabled = true, consent_write_back = true, connect_profiles_domain = join("", [for i in range(65) : "a"]) }
  }

  expect_failures = [var.receipts]
}

run "event_bus_rule" {
  command = plan

  variables {
    receipts = { enabled = true, event_bus_name = "arn:aws:sns:eu-west-1:123456789012:topic" }
  }

  expect_failures = [var.receipts]
}

run "threshold_zero" {
  command = plan

  variables {
    receipts = { enabled = true, delivered_rate_alarm_threshold = 0 }
  }

  expect_failures = [var.receipts]
}

run "threshold_above_100" {
  command = plan

  variables {
    receipts = { enabled = true, delivered_rate_alarm_threshold = 101 }
  }

  expect_failures = [var.receipts]
}

run "throttling_rule" {
  command = plan

  variables {
    receipts = { enabled = true, throttling = { burst_limit = 0.5 } }
  }

  expect_failures = [var.receipts]
}

run "webhook_mode" {
  command = plan

  variables {
    channel_mode = "webhook"
    webhook_url  = "https://hooks.example.com/p"
    delivery     = null
    receipts     = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "without_idempotency" {
  command = plan

  variables {
    idempotency = { enabled = false }
    receipts    = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "write_back_without_receipts" {
  command = plan

  variables {
    receipts = { consent_write_back = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "alarm_without_receipts" {
  command = plan

  variables {
    receipts = { delivered_rate_alarm_threshold = 90 }
  }

  expect_failures = [data.aws_partition.current]
}

run "adapter_none" {
  command = plan

  variables {
    delivery = { adapter = "none" }
    receipts = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "adapter_slack" {
  command = plan

  variables {
    delivery = { adapter = "slack" }
    receipts = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "http_adapter_without_secret" {
  command = plan

  variables {
    provider_secret = {}
    delivery = {
      adapter = "http"
      http    = { url = "https://api.example.com/send" }
    }
    receipts = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_write_back_without_domain" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi"
    }
    receipts = { enabled = true, consent_write_back = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "domain_with_pinpoint" {
  command = plan

  variables {
    receipts = { enabled = true, consent_write_back = true, connect_profiles_domain = "customers" }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_opt_out_field_not_an_attribute" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi"
      profiles         = { opt_out_field = "EmailAddress" }
    }
    receipts = { enabled = true, consent_write_back = true, connect_profiles_domain = "customers" }
  }

  expect_failures = [data.aws_partition.current]
}

run "alarm_with_metrics_off" {
  command = plan

  variables {
    metrics  = { mode = "off" }
    receipts = { enabled = true, delivered_rate_alarm_threshold = 90 }
    alarms   = { sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:ops"] }
  }

  expect_failures = [aws_cloudwatch_metric_alarm.receipts]
}
