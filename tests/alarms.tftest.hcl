# CloudWatch alarms: failed and unknown deliveries (the handler's metrics under this deployment's
# Channel dimension)
# and the function's errors, keyed by alarm.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
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

  # No topic: the plan warns that the alarms notify nobody.
  expect_failures = [check.alarms_notify_someone]

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["failed_deliveries", "function_errors", "function_throttles", "unknown_deliveries"]
    error_message = "Four alarms, keyed failed_deliveries, unknown_deliveries, function_errors and function_throttles."
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
      function_throttles = "pinpoint-custom-channel-function-throttles"
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

  expect_failures = [check.alarms_notify_someone]

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 4
    error_message = "The receiver's function gets the alarms too."
  }
}

# Alarms that notify nobody: the plan says so (a check block: a warning, not an error).
run "alarms_without_a_topic_warn" {
  command = plan

  variables {
    alarms = { enabled = true }
  }

  expect_failures = [check.alarms_notify_someone]
}

run "alarms_with_a_topic_do_not_warn" {
  command = plan

  variables {
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"] }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) > 0
    error_message = "The alarms are planned."
  }
}

# The failure queue's depth and the age of its oldest message (AWS/SQS, QueueName), and the
# function's throttles (AWS/Lambda): each only when what it watches exists.
run "queue_and_throttle_alarms" {
  command = apply

  variables {
    failure_queue = { enabled = true }
    alarms = {
      enabled        = true
      sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"]
    }
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["failed_deliveries", "failure_queue_depth", "failure_queue_message_age", "function_errors", "function_throttles", "unknown_deliveries"]
    error_message = "With a failure queue: the delivery and error alarms, the queue's depth and message age, and the function's throttles."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failure_queue_depth"].namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.this["failure_queue_depth"].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.this["failure_queue_depth"].dimensions == tomap({ QueueName = "pinpoint-custom-channel-failures" }) &&
      aws_cloudwatch_metric_alarm.this["failure_queue_depth"].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.this["failure_queue_depth"].threshold == 1
    )
    error_message = "failure_queue_depth: the Maximum of the queue's visible messages >= 1 (default)."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failure_queue_message_age"].namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.this["failure_queue_message_age"].metric_name == "ApproximateAgeOfOldestMessage" &&
      aws_cloudwatch_metric_alarm.this["failure_queue_message_age"].dimensions == tomap({ QueueName = "pinpoint-custom-channel-failures" }) &&
      aws_cloudwatch_metric_alarm.this["failure_queue_message_age"].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.this["failure_queue_message_age"].threshold == 43200
    )
    error_message = "failure_queue_message_age: the Maximum age of the oldest message >= 43200 s (default: half of resend's 24-hour age limit)."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["function_throttles"].namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.this["function_throttles"].metric_name == "Throttles" &&
      aws_cloudwatch_metric_alarm.this["function_throttles"].dimensions == tomap({ FunctionName = "pinpoint-custom-channel" }) &&
      aws_cloudwatch_metric_alarm.this["function_throttles"].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.this["function_throttles"].threshold == 1
    )
    error_message = "function_throttles: the Sum of the function's AWS/Lambda Throttles >= 1 (default)."
  }

  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this :
      a.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:channel-alerts"]) && a.ok_actions == a.alarm_actions &&
      a.comparison_operator == "GreaterThanOrEqualToThreshold" && a.treat_missing_data == "notBreaching" && a.period == 300
    ])
    error_message = "The new alarms notify the topics, on ALARM and on OK, like the others."
  }

  assert {
    condition = (
      output.cloudwatch_metric_alarm_names["failure_queue_depth"] == "pinpoint-custom-channel-failure-queue-depth" &&
      output.cloudwatch_metric_alarm_names["failure_queue_message_age"] == "pinpoint-custom-channel-failure-queue-message-age" &&
      output.cloudwatch_metric_alarm_names["function_throttles"] == "pinpoint-custom-channel-function-throttles"
    )
    error_message = "The new alarms are in the outputs, named <name>-<key>."
  }
}

run "queue_and_throttle_thresholds" {
  command = plan

  variables {
    failure_queue = { enabled = true, name = "sms_dead_letters" }
    alarms = {
      enabled                             = true
      sns_topic_arns                      = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"]
      failure_queue_depth_threshold       = 50
      failure_queue_message_age_threshold = 3600
      function_throttles_threshold        = 10
    }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failure_queue_depth"].threshold == 50 &&
      aws_cloudwatch_metric_alarm.this["failure_queue_message_age"].threshold == 3600 &&
      aws_cloudwatch_metric_alarm.this["function_throttles"].threshold == 10
    )
    error_message = "Each new alarm takes its own threshold."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["failure_queue_depth"].dimensions == tomap({ QueueName = "sms_dead_letters" })
    error_message = "The queue alarms watch the named queue."
  }
}

run "no_queue_no_queue_alarms" {
  command = plan

  variables {
    alarms = {
      enabled        = true
      sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"]
    }
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["failed_deliveries", "function_errors", "function_throttles", "unknown_deliveries"]
    error_message = "Without a failure queue there is no queue alarm; the throttles alarm watches the function."
  }
}

run "throttles_threshold_must_be_whole" {
  command = plan

  variables {
    alarms = { enabled = true, function_throttles_threshold = 0.5 }
  }

  expect_failures = [var.alarms]
}

run "queue_depth_threshold_at_least_one" {
  command = plan

  variables {
    alarms = { enabled = true, failure_queue_depth_threshold = 0 }
  }

  expect_failures = [var.alarms]
}

run "message_age_threshold_within_retention" {
  command = plan

  variables {
    alarms = { enabled = true, failure_queue_message_age_threshold = 1209601 }
  }

  expect_failures = [var.alarms]
}
