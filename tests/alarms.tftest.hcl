# CloudWatch alarms: failed and unknown deliveries (the handler's metrics under this deployment's
# Channel dimension)
# and the function's errors, keyed by alarm.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  delivery = { adapter = "none" }
  name     = "pinpoint-custom-channel"
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0
    error_message = "No alarm unless alarms.enabled."
  }

  assert {
    condition     = output.cloudwatch_metric_alarm_arns == {} && output.cloudwatch_metric_alarm_names == {}
    error_message = "Alarm outputs must be empty without alarms."
  }
}

run "defaults" {
  command = apply

  variables {
    alarms = { enabled = true }
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["failed_deliveries", "function_errors", "unknown_deliveries"]
    error_message = "Three alarms, keyed failed_deliveries, unknown_deliveries and function_errors."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].alarm_name == "pinpoint-custom-channel-failed-deliveries" &&
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].alarm_name == "pinpoint-custom-channel-unknown-deliveries" &&
      aws_cloudwatch_metric_alarm.this["function_errors"].alarm_name == "pinpoint-custom-channel-function-errors"
    )
    error_message = "Alarm names are the module's name and the alarm's key."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].namespace == "PinpointCustomChannelExecution" &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].metric_name == "FailedCount" &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].dimensions == tomap({ Channel = "pinpoint-custom-channel" })
    )
    error_message = "failed_deliveries watches FailedCount of this deployment's own series (Channel=<name>) in the handler's namespace."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].namespace == "PinpointCustomChannelExecution" &&
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].metric_name == "UnknownCount" &&
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].dimensions == tomap({ Channel = "pinpoint-custom-channel" })
    )
    error_message = "unknown_deliveries watches UnknownCount of this deployment's own series (Channel=<name>) in the handler's namespace."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["function_errors"].namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.this["function_errors"].metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.this["function_errors"].dimensions == tomap({ FunctionName = "pinpoint-custom-channel" })
    )
    error_message = "function_errors watches the function's AWS/Lambda Errors."
  }

  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this :
      a.statistic == "Sum" && a.period == 300 && a.evaluation_periods == 1 && a.threshold == 1 &&
      a.comparison_operator == "GreaterThanOrEqualToThreshold" && a.treat_missing_data == "notBreaching"
    ])
    error_message = "Every alarm fires on a Sum >= 1 in one 5-minute period; missing data is not breaching."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : length(a.alarm_actions) == 0 && length(a.ok_actions) == 0])
    error_message = "No action without SNS topics."
  }

  assert {
    condition = (
      strcontains(aws_cloudwatch_metric_alarm.this["failed_deliveries"].alarm_description, "FailedCount in PinpointCustomChannelExecution, this deployment's own series, Channel=pinpoint-custom-channel") &&
      strcontains(aws_cloudwatch_metric_alarm.this["unknown_deliveries"].alarm_description, "UnknownCount in PinpointCustomChannelExecution") &&
      strcontains(aws_cloudwatch_metric_alarm.this["function_errors"].alarm_description, "AWS/Lambda Errors")
    )
    error_message = "Each alarm describes what it counts."
  }

  assert {
    condition = output.cloudwatch_metric_alarm_names == {
      failed_deliveries  = "pinpoint-custom-channel-failed-deliveries"
      unknown_deliveries = "pinpoint-custom-channel-unknown-deliveries"
      function_errors    = "pinpoint-custom-channel-function-errors"
    }
    error_message = "The alarm names are an output keyed by alarm."
  }

  assert {
    condition     = output.cloudwatch_metric_alarm_arns == { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
    error_message = "The alarm ARNs are an output keyed by alarm."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this[0].policy, "sqs:") && length(aws_sqs_queue.failures) == 0
    error_message = "Alarms need no queue and no extra permission."
  }
}

run "topics_thresholds_and_window" {
  command = apply

  variables {
    name        = "sms"
    name_prefix = "prod-"
    tags        = { Team = "growth" }
    metrics = {
      mode      = "emf"
      namespace = "Acme/CustomChannel"
    }
    publish = true
    alarms = {
      enabled = true
      sns_topic_arns = [
        "arn:aws:sns:eu-west-1:123456789012:channel-alerts",
        "arn:aws:sns:eu-west-1:123456789012:on-call",
      ]
      failed_deliveries_threshold  = 25
      unknown_deliveries_threshold = 5
      function_errors_threshold    = 2
      period_seconds               = 60
      evaluation_periods           = 3
    }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].threshold == 25 &&
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].threshold == 5 &&
      aws_cloudwatch_metric_alarm.this["function_errors"].threshold == 2
    )
    error_message = "Each alarm takes its own threshold."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.period == 60 && a.evaluation_periods == 3])
    error_message = "period_seconds and evaluation_periods reach every alarm."
  }

  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this :
      a.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:channel-alerts", "arn:aws:sns:eu-west-1:123456789012:on-call"]) && a.ok_actions == a.alarm_actions
    ])
    error_message = "The topics are notified on ALARM and on OK."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["failed_deliveries"].namespace == "Acme/CustomChannel" && aws_cloudwatch_metric_alarm.this["unknown_deliveries"].namespace == "Acme/CustomChannel"
    error_message = "The delivery alarms follow metrics.namespace (EMF metrics land in the same namespace)."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["function_errors"].dimensions == tomap({ FunctionName = "prod-sms" })
    error_message = "With publish the alarm still watches the function (its FunctionName series covers every version and alias)."
  }

  # Two deployments in one account and namespace: each alarm watches only its own series, and
  # the function publishes it (CHANNEL_NAME), so another channel's failures cannot trip it.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].dimensions == tomap({ Channel = "prod-sms" }) &&
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].dimensions == tomap({ Channel = "prod-sms" }) &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_NAME"] == "prod-sms"
    )
    error_message = "The delivery alarms must watch Channel=<the deployment's name>, the series its function publishes under CHANNEL_NAME."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["function_errors"].alarm_name == "prod-sms-function-errors"
    error_message = "Alarm names follow name_prefix and name."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.tags == tomap({ Team = "growth" })])
    error_message = "Tags must reach the alarms."
  }
}

run "receiver_mode" {
  command = plan

  variables {
    channel_mode = "receiver"
    alarms       = { enabled = true }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 3
    error_message = "The receiver's function gets the alarms too."
  }
}
