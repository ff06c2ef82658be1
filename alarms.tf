################################################################################
# CloudWatch alarms: failed and unknown deliveries (the handler's metrics), function errors
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

  alarms = { for key, alarm in {
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
  } : key => alarm if local.create_alarms }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = "${local.name}-${replace(each.key, "_", "-")}"
  alarm_description = each.value.description

  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = "Sum"
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
