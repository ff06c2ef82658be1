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
      namespace   = var.metrics.namespace
      metric_name = "FailedCount"
      dimensions  = local.delivery_alarm_dimensions
      threshold   = var.alarms.failed_deliveries_threshold
      description = "Endpoints the ${local.name} ${local.channel_label} failed to deliver (FailedCount in ${var.metrics.namespace}, ${local.delivery_alarm_scope}): at least ${var.alarms.failed_deliveries_threshold} in ${var.alarms.evaluation_periods} period(s) of ${var.alarms.period_seconds} s."
    }
    unknown_deliveries = {
      namespace   = var.metrics.namespace
      metric_name = "UnknownCount"
      dimensions  = local.delivery_alarm_dimensions
      threshold   = var.alarms.unknown_deliveries_threshold
      description = "Endpoints the ${local.name} ${local.channel_label} sent without an answer, so possibly delivered (UnknownCount in ${var.metrics.namespace}, ${local.delivery_alarm_scope}): at least ${var.alarms.unknown_deliveries_threshold} in ${var.alarms.evaluation_periods} period(s) of ${var.alarms.period_seconds} s."
    }
    function_errors = {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = try(aws_lambda_function.this[0].function_name, local.name) }
      threshold   = var.alarms.function_errors_threshold
      description = "Failed invocations of the ${local.name} ${local.channel_label} function (AWS/Lambda Errors): at least ${var.alarms.function_errors_threshold} in ${var.alarms.evaluation_periods} period(s) of ${var.alarms.period_seconds} s."
    }
    # Invocations Lambda refused for want of concurrency (AWS/Lambda Throttles): Pinpoint or
    # Connect got no answer for them, and the handler published nothing.
    function_throttles = {
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = try(aws_lambda_function.this[0].function_name, local.name) }
      threshold   = var.alarms.function_throttles_threshold
      description = "Throttled invocations of the ${local.name} ${local.channel_label} function (AWS/Lambda Throttles): at least ${var.alarms.function_throttles_threshold} in ${var.alarms.evaluation_periods} period(s) of ${var.alarms.period_seconds} s."
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
        threshold   = var.alarms.failure_queue_depth_threshold
        description = "Messages waiting in the ${local.name} ${local.channel_label}'s failure queue (AWS/SQS ApproximateNumberOfMessagesVisible, Maximum): at least ${var.alarms.failure_queue_depth_threshold} in ${var.alarms.evaluation_periods} period(s) of ${var.alarms.period_seconds} s. Inspect them, or deliver them again with `custom-channel resend`."
      }
      failure_queue_message_age = {
        namespace   = "AWS/SQS"
        metric_name = "ApproximateAgeOfOldestMessage"
        statistic   = "Maximum"
        dimensions  = { QueueName = try(aws_sqs_queue.failures[0].name, "") }
        threshold   = var.alarms.failure_queue_message_age_threshold
        description = "The oldest message of the ${local.name} ${local.channel_label}'s failure queue has waited at least ${var.alarms.failure_queue_message_age_threshold} s (AWS/SQS ApproximateAgeOfOldestMessage, Maximum) in ${var.alarms.evaluation_periods} period(s) of ${var.alarms.period_seconds} s: resend skips messages older than its --max-age-hours (default 24 h)."
      }
    } : key => alarm if local.create_alarms && local.create_failure_queue },
  )

  # Alarms with no SNS topic change state in the console only.
  alarms_notify = length(var.alarms.sns_topic_arns) > 0
}

check "alarms_notify_someone" {
  assert {
    condition     = !local.create_alarms || local.alarms_notify
    error_message = "alarms.enabled = true without alarms.sns_topic_arns: the ${length(local.alarms)} alarms change state in the CloudWatch console only and notify nobody. Name at least one SNS topic in alarms.sns_topic_arns."
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
  period              = var.alarms.period_seconds
  evaluation_periods  = var.alarms.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # No invocation or no failure publishes nothing (or zero): quiet is healthy.
  treat_missing_data = "notBreaching"

  alarm_actions = var.alarms.sns_topic_arns
  ok_actions    = var.alarms.sns_topic_arns

  tags = var.tags
}
