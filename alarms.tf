################################################################################
# Input
################################################################################

variable "alarms" {
  description = "CloudWatch alarms on the channel and its function. [More](docs/inputs.md#alarms)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `enabled` created no alarm); the keys and defaults
  # are local.alarms_defaults (main.tf), and the first validation refuses any other key.
  type     = any
  default  = {}
  nullable = false

  validation {
    condition     = try(length(setsubtract(keys(var.alarms), keys(local.alarms_defaults))) == 0, false)
    error_message = "alarms must be an object whose keys are among ${join(", ", keys(local.alarms_defaults))}${try(length(setsubtract(keys(var.alarms), keys(local.alarms_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.alarms), keys(local.alarms_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    # `any` converts nothing: each value must convert to its key's type (local.object_key_types).
    condition     = alltrue([for k, v in try(merge(var.alarms), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.alarms), {}) : "alarms.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    # local.sns_topic_arn_pattern; the topic name at most local.max_sns_topic_name_size characters.
    condition     = alltrue([for arn in try(var.alarms.sns_topic_arns[*], []) : can(regex(local.sns_topic_arn_pattern, arn)) && try(length(split(":", arn)[5]) <= local.max_sns_topic_name_size, false)])
    error_message = "alarms.sns_topic_arns must hold SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>, the topic name at most ${local.max_sns_topic_name_size} letters, digits, '-' or '_', optionally ending in .fifo)."
  }

  validation {
    # PutMetricAlarm AlarmActions and OKActions: ResourceList, at most 5 (CloudWatch API model).
    condition     = length(try(var.alarms.sns_topic_arns[*], [])) <= 5
    error_message = "alarms.sns_topic_arns holds at most 5 topics (CloudWatch's limit of actions per alarm state)."
  }

  validation {
    condition = alltrue([
      for k in ["failed_deliveries_threshold", "unknown_deliveries_threshold", "function_errors_threshold", "function_throttles_threshold", "failure_queue_depth_threshold"] :
      try(var.alarms[k], null) == null || try(tonumber(var.alarms[k]) >= 1 && floor(var.alarms[k]) == tonumber(var.alarms[k]), false)
    ])
    error_message = "alarms.failed_deliveries_threshold, unknown_deliveries_threshold, function_errors_threshold, function_throttles_threshold and failure_queue_depth_threshold must be whole numbers >= 1."
  }

  validation {
    # A message's age never exceeds the queue's longest retention, 1,209,600 seconds (SQS API
    # model, SetQueueAttributes MessageRetentionPeriod): a higher threshold never fires.
    condition     = try(var.alarms.failure_queue_message_age_threshold, null) == null || try(var.alarms.failure_queue_message_age_threshold >= 1 && var.alarms.failure_queue_message_age_threshold <= 1209600 && floor(var.alarms.failure_queue_message_age_threshold) == tonumber(var.alarms.failure_queue_message_age_threshold), false)
    error_message = "alarms.failure_queue_message_age_threshold must be a whole number of seconds between 1 and 1209600 (14 days, the longest a message is kept)."
  }

  validation {
    # PutMetricAlarm Period: "Valid values are 10, 20, 30, and any multiple of 60" (CloudWatch API
    # model); this module accepts 10 and 30 of the high-resolution ones.
    condition     = try(var.alarms.period_seconds, null) == null || try(contains([10, 30], tonumber(var.alarms.period_seconds)) || (var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0), false)
    error_message = "alarms.period_seconds must be 10, 30 or a multiple of 60."
  }

  validation {
    # PutMetricAlarm EvaluationPeriods: minimum 1 (CloudWatch API model).
    condition     = try(var.alarms.evaluation_periods, null) == null || try(var.alarms.evaluation_periods >= 1 && floor(var.alarms.evaluation_periods) == tonumber(var.alarms.evaluation_periods), false)
    error_message = "alarms.evaluation_periods must be a whole number >= 1."
  }

  validation {
    # PutMetricAlarm Period: "Period multiplied by EvaluationPeriods can't be more than 604,800
    # seconds. For alarms with a period of less than one hour (3,600 seconds), the total evaluation
    # period can't be longer than one day" (CloudWatch API model).
    condition = alltrue([
      for p in [coalesce(try(tonumber(var.alarms.period_seconds), null), local.alarms_defaults.period_seconds)] :
      p * coalesce(try(tonumber(var.alarms.evaluation_periods), null), local.alarms_defaults.evaluation_periods) <= (p >= 3600 ? 604800 : 86400)
    ])
    error_message = "alarms.period_seconds x evaluation_periods must not exceed 86400 seconds (one day), or 604800 (seven days) with a period of 3600 or more."
  }


}

################################################################################
# CloudWatch alarms: failed and unknown deliveries (the handler's metrics), function errors and
# throttles, and the failure queue's depth and oldest message
################################################################################

locals {
  # The delivery alarms watch this deployment's own series: the handler publishes its delivery
  # metrics once more under Channel=<CHANNEL_NAME>, which the module sets to the deployment's
  # name (handler/custom_channel/metrics.py, series). The dimensionless series (and Connect's
  # EventSource=connect) sum every channel publishing to the namespace, so an alarm on them
  # would fire for another deployment's failures.
  delivery_alarm_dimensions = { Channel = local.name }
  delivery_alarm_scope      = "this deployment's own series, Channel=${local.name}"
  channel_label             = local.connect ? "Amazon Connect custom action" : "Pinpoint custom channel"

  alarms = merge({ for key, alarm in {
    failed_deliveries = {
      namespace   = local.metrics_namespace
      metric_name = "FailedCount"
      dimensions  = local.delivery_alarm_dimensions
      threshold   = local.alarms_settings.failed_deliveries_threshold
      description = "Endpoints the ${local.name} ${local.channel_label} failed to deliver (FailedCount in ${local.metrics_namespace}, ${local.delivery_alarm_scope}): at least ${local.alarms_settings.failed_deliveries_threshold} in ${local.alarms_settings.evaluation_periods} period(s) of ${local.alarms_settings.period_seconds} s."
    }
    unknown_deliveries = {
      namespace   = local.metrics_namespace
      metric_name = "UnknownCount"
      dimensions  = local.delivery_alarm_dimensions
      threshold   = local.alarms_settings.unknown_deliveries_threshold
      description = "Endpoints the ${local.name} ${local.channel_label} sent without an answer, so possibly delivered (UnknownCount in ${local.metrics_namespace}, ${local.delivery_alarm_scope}): at least ${local.alarms_settings.unknown_deliveries_threshold} in ${local.alarms_settings.evaluation_periods} period(s) of ${local.alarms_settings.period_seconds} s."
    }
    function_errors = {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = try(aws_lambda_function.this[0].function_name, local.name) }
      threshold   = local.alarms_settings.function_errors_threshold
      description = "Failed invocations of the ${local.name} ${local.channel_label} function (AWS/Lambda Errors): at least ${local.alarms_settings.function_errors_threshold} in ${local.alarms_settings.evaluation_periods} period(s) of ${local.alarms_settings.period_seconds} s."
    }
    # Invocations Lambda refused for want of concurrency (AWS/Lambda Throttles): Pinpoint or
    # Connect got no answer for them, and the handler published nothing.
    function_throttles = {
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = try(aws_lambda_function.this[0].function_name, local.name) }
      threshold   = local.alarms_settings.function_throttles_threshold
      description = "Throttled invocations of the ${local.name} ${local.channel_label} function (AWS/Lambda Throttles): at least ${local.alarms_settings.function_throttles_threshold} in ${local.alarms_settings.evaluation_periods} period(s) of ${local.alarms_settings.period_seconds} s."
    }
    } : key => merge({ statistic = "Sum" }, alarm) if local.create_alarms },
    # The failure queue, only when there is one. Both metrics are gauges: their Maximum in the
    # period ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", in seconds;
    # Amazon SQS Developer Guide, "Available CloudWatch metrics for Amazon SQS", dimension
    # QueueName). A queue holding messages is active, so SQS publishes them; an empty idle queue
    # may publish nothing, which is healthy (missing data is not breaching).
    { for key, alarm in {
      failure_queue_depth = {
        namespace   = "AWS/SQS"
        metric_name = "ApproximateNumberOfMessagesVisible"
        statistic   = "Maximum"
        dimensions  = { QueueName = try(aws_sqs_queue.failures[0].name, "") }
        threshold   = local.alarms_settings.failure_queue_depth_threshold
        description = "Messages waiting in the ${local.name} ${local.channel_label}'s failure queue (AWS/SQS ApproximateNumberOfMessagesVisible, Maximum): at least ${local.alarms_settings.failure_queue_depth_threshold} in ${local.alarms_settings.evaluation_periods} period(s) of ${local.alarms_settings.period_seconds} s. Inspect them, or deliver them again with `custom-channel resend`."
      }
      failure_queue_message_age = {
        namespace   = "AWS/SQS"
        metric_name = "ApproximateAgeOfOldestMessage"
        statistic   = "Maximum"
        dimensions  = { QueueName = try(aws_sqs_queue.failures[0].name, "") }
        threshold   = local.alarms_settings.failure_queue_message_age_threshold
        description = "The oldest message of the ${local.name} ${local.channel_label}'s failure queue has waited at least ${local.alarms_settings.failure_queue_message_age_threshold} s (AWS/SQS ApproximateAgeOfOldestMessage, Maximum) in ${local.alarms_settings.evaluation_periods} period(s) of ${local.alarms_settings.period_seconds} s: resend skips messages older than its --max-age-hours (default 24 h)."
      }
    } : key => alarm if local.create_alarms && local.create_failure_queue },
  )

  # Alarms with no SNS topic change state in the console only.
  # From the input itself: a topic created in the same configuration is an ARN known only after
  # apply, and the converted list (local.alarms_settings) is then unknown as a whole.
  alarms_notify = lookup(var.alarms, "sns_topic_arns", null) == null ? false : length(var.alarms.sns_topic_arns) > 0
}

check "alarms_notify_someone" {
  assert {
    condition     = !local.create_alarms || local.alarms_notify
    error_message = "alarms.enabled = true without alarms.sns_topic_arns: the ${length(local.alarms)} alarms change state in the CloudWatch console only and notify nobody. Name at least one SNS topic in alarms.sns_topic_arns."
  }

  assert {
    condition     = !local.create_receipts_alarm || local.alarms_notify
    error_message = "receipts.delivered_rate_alarm_threshold without alarms.sns_topic_arns: the receipts alarm changes state in the CloudWatch console only and notifies nobody. Name at least one SNS topic in alarms.sns_topic_arns."
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = "${local.name}-${replace(each.key, "_", "-")}"
  alarm_description = each.value.description

  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = local.alarms_settings.period_seconds
  evaluation_periods  = local.alarms_settings.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # No invocation or no failure publishes nothing (or zero): quiet is healthy.
  treat_missing_data = "notBreaching"

  alarm_actions = local.alarms_settings.sns_topic_arns
  ok_actions    = local.alarms_settings.sns_topic_arns

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !local.alarms_settings.enabled || local.metrics.mode != "off"
      error_message = "The failed_deliveries and unknown_deliveries alarms watch the handler's FailedCount and UnknownCount metrics, which metrics.mode = \"off\" does not publish: set metrics.mode to \"api\" or \"emf\", or leave alarms.enabled false."
    }
  }
}

################################################################################
# Delivery receipts: the share of messages the provider reports delivered to the handset
################################################################################

locals {
  # Its own switch, not alarms.enabled: the threshold asks for it (receipts.tf). It notifies
  # alarms.sns_topic_arns and keeps alarms' period and evaluation periods.
  create_receipts_alarm = local.create_receipts && local.receipts.delivered_rate_alarm_threshold != null
  # The handler's receipt metrics (docs/receipts.md), on this deployment's [Channel] series.
  receipt_rate_metrics = {
    delivered   = "ReceiptDeliveredCount"
    undelivered = "ReceiptUndeliveredCount"
    failed      = "ReceiptFailedCount"
  }
}

resource "aws_cloudwatch_metric_alarm" "receipts" {
  count = local.create_receipts_alarm ? 1 : 0

  alarm_name        = "${local.name}-receipts-delivered-rate"
  alarm_description = "Share of the ${local.name} ${local.channel_label}'s messages that the provider reports delivered to the handset, of those with a final receipt (100 x ReceiptDeliveredCount / (ReceiptDeliveredCount + ReceiptUndeliveredCount + ReceiptFailedCount) in ${local.metrics_namespace}, ${local.delivery_alarm_scope}): below ${coalesce(local.receipts.delivered_rate_alarm_threshold, 0)} % in ${local.alarms_settings.evaluation_periods} period(s) of ${local.alarms_settings.period_seconds} s."

  dynamic "metric_query" {
    for_each = local.receipt_rate_metrics

    content {
      id = metric_query.key

      metric {
        namespace   = local.metrics_namespace
        metric_name = metric_query.value
        dimensions  = local.delivery_alarm_dimensions
        period      = local.alarms_settings.period_seconds
        stat        = "Sum"
      }
    }
  }

  metric_query {
    id = "rate"
    # A series with no receipt in the period counts 0 (FILL), so that a period of failures
    # alone is a rate of 0, not missing; a period with no receipt at all has no rate.
    expression  = "100 * FILL(delivered, 0) / (FILL(delivered, 0) + FILL(undelivered, 0) + FILL(failed, 0))"
    label       = "Delivered to handset (%)"
    return_data = true
  }

  evaluation_periods  = local.alarms_settings.evaluation_periods
  threshold           = local.receipts.delivered_rate_alarm_threshold
  comparison_operator = "LessThanThreshold"
  # No receipt in a period is no evidence of failure.
  treat_missing_data = "notBreaching"

  alarm_actions = local.alarms_settings.sns_topic_arns
  ok_actions    = local.alarms_settings.sns_topic_arns

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.metrics.mode != "off"
      error_message = "receipts.delivered_rate_alarm_threshold watches the handler's ReceiptDeliveredCount, ReceiptUndeliveredCount and ReceiptFailedCount metrics, which metrics.mode = \"off\" does not publish: set metrics.mode to \"api\" or \"emf\", or leave the threshold null."
    }
  }
}
