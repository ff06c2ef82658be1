################################################################################
# Dashboard
################################################################################

variable "dashboard" {
  description = "A CloudWatch dashboard of the channel. [More](docs/inputs.md#dashboard)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `enabled` created no dashboard); the keys and defaults
  # are local.dashboard_defaults (main.tf), and the first validation refuses any other key.
  type     = any
  default  = {}
  nullable = false

  validation {
    condition     = try(length(setsubtract(keys(var.dashboard), keys(local.dashboard_defaults))) == 0, false)
    error_message = "dashboard must be an object whose keys are among ${join(", ", keys(local.dashboard_defaults))}${try(length(setsubtract(keys(var.dashboard), keys(local.dashboard_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.dashboard), keys(local.dashboard_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    # `any` converts nothing: each value must convert to its key's type (local.object_key_types).
    condition     = alltrue([for k, v in try(merge(var.dashboard), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.dashboard), {}) : "dashboard.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    # PutDashboard DashboardName: "The maximum length is 255, and valid characters are A-Z, a-z,
    # 0-9, "-", and "_"" (CloudWatch API model).
    condition     = try(var.dashboard.name, null) == null || can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard.name))
    error_message = "dashboard.name must be 1-255 characters, each a letter, a digit, '-' or '_' (CloudWatch's rule for dashboard names)."
  }


}

################################################################################
# CloudWatch dashboard: the channel's metrics and its function's, the alarms' thresholds
#
# The body follows the CloudWatch API Reference, "Dashboard Body Structure and Syntax": a
# `widgets` array of objects with `type`, `x`, `y`, `width` (1-24 grid units), `height` and
# `properties`; a metric widget's properties hold `metrics` (1-100 series, each
# [namespace, metric name, dimension name, dimension value, ..., {rendering options}]),
# `region` (required), `view`, `stat`, `period` and `annotations.horizontal`
# ([{ value, label, color }]). `periodOverride = "inherit"` keeps each widget's period when the
# time range changes: the thresholds drawn are Sums per alarm period, comparable only at it.
################################################################################

locals {
  # Like the alarms, the dashboard shows the module's function and the metrics its handler
  # publishes (variables.tf rejects it with channel_mode = "webhook" or metrics.mode = "off").
  create_dashboard = local.create_function && local.dashboard.enabled
  dashboard_name   = coalesce(local.dashboard.name, local.name)

  # The delivery metrics' per-deployment series (handler/custom_channel/metrics.py,
  # channel_series): Channel=<CHANNEL_NAME>, which the module sets to local.name, for both
  # event sources. The delivery alarms watch it as well (alarms.tf).
  dashboard_channel = ["Channel", local.name]

  dashboard_function_name = try(aws_lambda_function.this[0].function_name, local.name)

  # The alarms' Sum is over alarms.period_seconds: the graphs that carry a threshold use the
  # same period, or the line would be compared with sums over another window.
  dashboard_period = local.create_alarms ? local.alarms_settings.period_seconds : 300

  dashboard_common = {
    region = local.region
    view   = "timeSeries"
    period = local.dashboard_period
  }

  # (a) The guide's six counts, per channel type, Pinpoint only. They are published with the
  # campaign's (or journey's) ids and without dimensions (metrics.py: build_data, series); the
  # series without dimensions sums every campaign and journey publishing to the namespace,
  # the only one that does not need a campaign id here. A Connect batch publishes no guide
  # counts (they are Pinpoint's: metrics.py, build_data), so a Connect channel's dashboard has
  # no such widget rather than an empty one.
  dashboard_guide_counts = local.connect ? [] : [{
    type   = "metric"
    x      = 0
    y      = 2
    width  = 12
    height = 6
    properties = merge(local.dashboard_common, {
      title = "Endpoints per channel type (the guide's counts, every campaign and journey of the namespace)"
      stat  = "Sum"
      # Lists, not maps: a map's keys would come out sorted, and the legend in that order.
      metrics = [
        for series in [
          ["EndpointCount", "Endpoints"],
          ["CustomCount", "CUSTOM"],
          ["SMSCount", "SMS"],
          ["EmailCount", "EMAIL"],
          ["VoiceCount", "VOICE"],
          ["PushCount", "Push (every other type)"],
        ] : [local.metrics_namespace, series[0], { label = series[1] }]
      ]
    })
  }]

  # (b) Delivered / failed / unknown / skipped endpoints of this deployment, with the delivery
  # alarms' thresholds.
  dashboard_deliveries = {
    type   = "metric"
    x      = local.connect ? 0 : 12
    y      = 2
    width  = local.connect ? 24 : 12
    height = 6
    properties = merge(local.dashboard_common, {
      title = "Endpoints by result (Channel = ${local.name})"
      stat  = "Sum"
      metrics = [
        for series in [
          ["DeliveredCount", "Delivered"],
          ["FailedCount", "Failed"],
          ["UnknownCount", "Unknown (sent, no answer)"],
          ["SkippedCount", "Skipped"],
        ] : concat([local.metrics_namespace, series[0]], local.dashboard_channel, [{ label = series[1] }])
      ]
      }, local.create_alarms ? {
      annotations = {
        horizontal = [
          {
            label = "failed_deliveries alarm: FailedCount >= ${local.alarms_settings.failed_deliveries_threshold}"
            value = local.alarms_settings.failed_deliveries_threshold
            color = "#d62728"
          },
          {
            label = "unknown_deliveries alarm: UnknownCount >= ${local.alarms_settings.unknown_deliveries_threshold}"
            value = local.alarms_settings.unknown_deliveries_threshold
            color = "#ff7f0e"
          },
        ]
      }
    } : {})
  }

  # (c) Provider latency. In metrics.mode "api" the handler sends each batch's samples as a
  # StatisticSet (SampleCount, Sum, Minimum, Maximum: metrics.py, _put_metric_data), and
  # "CloudWatch needs raw data points to calculate percentile statistics. If you publish data
  # using a statistic set instead, you can only retrieve percentile statistics for this data
  # if" the set's Minimum equals its Maximum (CloudWatch API model, PutMetricData). EMF's value
  # arrays would support percentiles, but the dashboard has to be true in both modes: Average
  # (Sum / SampleCount) and Maximum are exact in both.
  dashboard_latency = {
    type   = "metric"
    x      = 0
    y      = 8
    width  = 8
    height = 6
    properties = merge(local.dashboard_common, {
      title = "Provider latency, ms (Channel = ${local.name})"
      metrics = [
        for stat in ["Average", "Maximum"] :
        concat([local.metrics_namespace, "ProviderLatency"], local.dashboard_channel, [{ stat = stat, label = stat }])
      ]
      yAxis = { left = { min = 0, showUnits = false, label = "ms" } }
    })
  }

  # (d) The function: errors and throttles (with the function_errors alarm's threshold), and its
  # duration against its timeout. The FunctionName series covers every version and alias.
  dashboard_function_errors = {
    type   = "metric"
    x      = 8
    y      = 8
    width  = 8
    height = 6
    properties = merge(local.dashboard_common, {
      title = "Function errors and throttles (${local.dashboard_function_name})"
      stat  = "Sum"
      metrics = [
        for name in ["Errors", "Throttles"] :
        ["AWS/Lambda", name, "FunctionName", local.dashboard_function_name, { label = name }]
      ]
      }, local.create_alarms ? {
      annotations = {
        horizontal = [{
          label = "function_errors alarm: Errors >= ${local.alarms_settings.function_errors_threshold}"
          value = local.alarms_settings.function_errors_threshold
          color = "#d62728"
        }]
      }
    } : {})
  }

  dashboard_function_duration = {
    type   = "metric"
    x      = 16
    y      = 8
    width  = 8
    height = 6
    properties = merge(local.dashboard_common, {
      title = "Function duration, ms (${local.dashboard_function_name})"
      metrics = [
        # Lambda publishes each invocation's Duration, so its percentiles exist.
        for stat in ["Average", "p99", "Maximum"] :
        ["AWS/Lambda", "Duration", "FunctionName", local.dashboard_function_name, { stat = stat, label = stat }]
      ]
      # Not an alarm: the limit every invocation must end within.
      annotations = {
        horizontal = [{ label = "timeout (${local.timeout} s)", value = local.timeout * 1000, color = "#7f7f7f" }]
      }
      yAxis = { left = { min = 0, showUnits = false, label = "ms" } }
    })
  }

  dashboard_header = {
    type   = "text"
    x      = 0
    y      = 0
    width  = 24
    height = 2
    properties = {
      markdown = join("\n", [
        "## ${local.name}: ${local.channel_label}",
        "Handler metrics in namespace `${local.metrics_namespace}` (metrics.mode `${local.metrics.mode}`); delivery results and latency under Channel = `${local.name}`; function `${local.dashboard_function_name}` in ${local.region}.${local.create_alarms ? " Lines mark the alarms' thresholds, per ${local.dashboard_period} s." : ""}",
      ])
    }
  }

  dashboard_body = {
    start          = "-PT6H"
    periodOverride = "inherit"
    widgets = concat(
      [local.dashboard_header],
      local.dashboard_guide_counts,
      [
        local.dashboard_deliveries,
        local.dashboard_latency,
        local.dashboard_function_errors,
        local.dashboard_function_duration,
      ],
    )
  }

  # The console's host per partition (null where the module knows of none).
  console_domains = {
    "aws"        = "console.aws.amazon.com"
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }
  dashboard_url = local.create_dashboard && contains(keys(local.console_domains), local.partition) ? "https://${local.console_domains[local.partition]}/cloudwatch/home?region=${local.region}#dashboards/dashboard/${local.dashboard_name}" : null
}

resource "aws_cloudwatch_dashboard" "this" {
  count = local.create_dashboard ? 1 : 0

  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode(local.dashboard_body)

  lifecycle {
    precondition {
      condition     = !local.dashboard.enabled || local.metrics.mode != "off"
      error_message = "dashboard shows the handler's metrics, which metrics.mode = \"off\" does not publish: set metrics.mode to \"api\" or \"emf\", or leave dashboard.enabled false."
    }
  }
}
