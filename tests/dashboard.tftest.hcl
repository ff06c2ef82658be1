# The CloudWatch dashboard: off by default; its widgets' namespaces, metrics, dimensions,
# statistics and region; no guide counts for Connect; the alarms' thresholds only with alarms;
# the name's validation. The body is decoded from the planned dashboard_body.

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
    condition     = length(aws_cloudwatch_dashboard.this) == 0
    error_message = "No dashboard unless dashboard.enabled."
  }

  assert {
    condition     = output.cloudwatch_dashboard_name == null && output.cloudwatch_dashboard_url == null
    error_message = "The dashboard outputs are null without a dashboard."
  }
}

run "pinpoint_defaults" {
  command = plan

  variables {
    dashboard = { enabled = true }
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this[0].dashboard_name == "pinpoint-custom-channel"
    error_message = "The dashboard is named after the module by default."
  }

  assert {
    condition     = output.cloudwatch_dashboard_name == "pinpoint-custom-channel"
    error_message = "cloudwatch_dashboard_name is the dashboard's name."
  }

  assert {
    condition     = output.cloudwatch_dashboard_url == "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/pinpoint-custom-channel"
    error_message = "cloudwatch_dashboard_url opens the dashboard in the partition's console, in the module's region."
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).periodOverride == "inherit" &&
      length([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if w.type == "metric"]) == 5 &&
      length([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if w.type == "text"]) == 1
    )
    error_message = "Five metric widgets (guide counts, results, latency, function errors, duration) and a heading; each widget keeps its period."
  }

  assert {
    condition = alltrue([
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets :
      w.properties.region == "eu-west-1" && w.properties.view == "timeSeries" && w.properties.period == 300
      if w.type == "metric"
    ])
    error_message = "Every metric widget names the module's region (required by the body's syntax), draws a time series, at 300 s without alarms."
  }

  assert {
    condition = alltrue([
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets :
      w.x >= 0 && w.width >= 1 && w.x + w.width <= 24 && w.height >= 1
    ])
    error_message = "Every widget fits the dashboard's grid of 24 columns."
  }

  # (a) the guide's six counts: the namespace's series without dimensions, summed.
  assert {
    condition = [
      for m in one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "EndpointCount"]).properties.metrics :
      [m[0], m[1], length(m)]
      ] == [
      ["PinpointCustomChannelExecution", "EndpointCount", 3],
      ["PinpointCustomChannelExecution", "CustomCount", 3],
      ["PinpointCustomChannelExecution", "SMSCount", 3],
      ["PinpointCustomChannelExecution", "EmailCount", 3],
      ["PinpointCustomChannelExecution", "VoiceCount", 3],
      ["PinpointCustomChannelExecution", "PushCount", 3],
    ]
    error_message = "The guide's six counts, each without dimensions (namespace, name, options), in the handler's namespace."
  }

  # (b) the results of this deployment, Sum.
  assert {
    condition = (
      [for m in one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "DeliveredCount"]).properties.metrics : slice(m, 0, 4)] == [
        ["PinpointCustomChannelExecution", "DeliveredCount", "Channel", "pinpoint-custom-channel"],
        ["PinpointCustomChannelExecution", "FailedCount", "Channel", "pinpoint-custom-channel"],
        ["PinpointCustomChannelExecution", "UnknownCount", "Channel", "pinpoint-custom-channel"],
        ["PinpointCustomChannelExecution", "SkippedCount", "Channel", "pinpoint-custom-channel"],
      ] &&
      one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "DeliveredCount"]).properties.stat == "Sum"
    )
    error_message = "Delivered, failed, unknown and skipped endpoints under Channel = the module's name, summed."
  }

  # (c) latency: the statistics both metrics modes support.
  assert {
    condition = [
      for m in one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "ProviderLatency"]).properties.metrics :
      [m[0], m[1], m[2], m[3], m[4].stat]
      ] == [
      ["PinpointCustomChannelExecution", "ProviderLatency", "Channel", "pinpoint-custom-channel", "Average"],
      ["PinpointCustomChannelExecution", "ProviderLatency", "Channel", "pinpoint-custom-channel", "Maximum"],
    ]
    error_message = "ProviderLatency's Average and Maximum under Channel (no percentile: a StatisticSet has none)."
  }

  # (d) the function.
  assert {
    condition = (
      [for m in one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "Errors"]).properties.metrics : slice(m, 0, 4)] == [
        ["AWS/Lambda", "Errors", "FunctionName", "pinpoint-custom-channel"],
        ["AWS/Lambda", "Throttles", "FunctionName", "pinpoint-custom-channel"],
      ] &&
      [for m in one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "Duration"]).properties.metrics : [m[0], m[1], m[2], m[3], m[4].stat]] == [
        ["AWS/Lambda", "Duration", "FunctionName", "pinpoint-custom-channel", "Average"],
        ["AWS/Lambda", "Duration", "FunctionName", "pinpoint-custom-channel", "p99"],
        ["AWS/Lambda", "Duration", "FunctionName", "pinpoint-custom-channel", "Maximum"],
      ]
    )
    error_message = "The function's Errors and Throttles, and its Duration, by FunctionName."
  }

  # (e) without alarms, no threshold; the timeout line is the function's own limit.
  assert {
    condition = (
      alltrue([
        for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets :
        !can(w.properties.annotations) if w.type == "metric" && try(w.properties.metrics[0][1], "") != "Duration"
      ]) &&
      one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "Duration"]).properties.annotations.horizontal[0].value == 15000
    )
    error_message = "No threshold without alarms; the duration graph marks the 15 s timeout."
  }
}

run "name_namespace_and_prefix" {
  command = plan

  variables {
    name        = "sms"
    name_prefix = "prod-"
    metrics     = { mode = "emf", namespace = "Acme/CustomChannel" }
    dashboard   = { enabled = true, name = "Growth_SMS-channel" }
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this[0].dashboard_name == "Growth_SMS-channel" && output.cloudwatch_dashboard_url == "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/Growth_SMS-channel"
    error_message = "dashboard.name names the dashboard and its URL."
  }

  assert {
    condition = alltrue(flatten([
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [
        for m in w.properties.metrics : m[0] == "Acme/CustomChannel" && (length(m) == 3 || try(m[3], "") == "prod-sms")
        if m[0] != "AWS/Lambda"
      ] if w.type == "metric"
    ]))
    error_message = "The handler's series follow metrics.namespace, and Channel follows name_prefix and name (as CHANNEL_NAME does)."
  }

  assert {
    condition     = one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "Errors"]).properties.metrics[0][3] == "prod-sms"
    error_message = "The function's series name the function."
  }
}

run "connect_has_no_guide_counts" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
    }
    dashboard = { enabled = true }
  }

  assert {
    condition = alltrue(flatten([
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [
        for m in w.properties.metrics : !contains(["EndpointCount", "CustomCount", "SMSCount", "EmailCount", "VoiceCount", "PushCount"], m[1])
      ] if w.type == "metric"
    ]))
    error_message = "A Connect batch publishes no guide counts: the dashboard draws none."
  }

  assert {
    condition = (
      length([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if w.type == "metric"]) == 4 &&
      one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "DeliveredCount"]).width == 24
    )
    error_message = "Four metric widgets for Connect; the results take the guide counts' place."
  }

  assert {
    condition     = one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "DeliveredCount"]).properties.metrics[0][2] == "Channel"
    error_message = "Connect's results are under the Channel series too."
  }

  assert {
    condition     = one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "Duration"]).properties.annotations.horizontal[0].value == 30000
    error_message = "The duration graph marks Connect's 30 s timeout."
  }
}

run "thresholds_with_alarms" {
  command = plan

  variables {
    dashboard = { enabled = true }
    alarms = {
      enabled                      = true
      sns_topic_arns               = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"]
      failed_deliveries_threshold  = 25
      unknown_deliveries_threshold = 5
      function_errors_threshold    = 2
      period_seconds               = 60
    }
  }

  assert {
    condition = [
      for a in one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "DeliveredCount"]).properties.annotations.horizontal : a.value
    ] == [aws_cloudwatch_metric_alarm.this["failed_deliveries"].threshold, aws_cloudwatch_metric_alarm.this["unknown_deliveries"].threshold]
    error_message = "The results graph draws the failed_deliveries and unknown_deliveries alarms' thresholds (25, 5)."
  }

  assert {
    condition = [
      for a in one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "Errors"]).properties.annotations.horizontal : a.value
    ] == [aws_cloudwatch_metric_alarm.this["function_errors"].threshold]
    error_message = "The function errors graph draws the function_errors alarm's threshold (2)."
  }

  assert {
    condition = (
      strcontains(one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "DeliveredCount"]).properties.annotations.horizontal[0].label, "FailedCount >= 25") &&
      strcontains(one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "DeliveredCount"]).properties.annotations.horizontal[1].label, "UnknownCount >= 5")
    )
    error_message = "Each threshold line says which alarm it is."
  }

  assert {
    condition = alltrue([
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets :
      w.properties.period == aws_cloudwatch_metric_alarm.this["failed_deliveries"].period if w.type == "metric"
    ])
    error_message = "The graphs sum over the alarms' period, so a threshold line compares like with like."
  }

  assert {
    condition = (
      !can(one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "ProviderLatency"]).properties.annotations) &&
      !can(one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][1], "") == "EndpointCount"]).properties.annotations)
    )
    error_message = "No alarm watches latency or the guide's counts: no line there."
  }
}

run "receiver_mode" {
  command = plan

  variables {
    channel_mode = "receiver"
    dashboard    = { enabled = true }
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 1
    error_message = "The receiver's function gets the dashboard too."
  }
}

run "name_with_a_space" {
  command = plan

  variables {
    dashboard = { enabled = true, name = "custom channel" }
  }

  expect_failures = [var.dashboard]
}

run "name_with_a_slash" {
  command = plan

  variables {
    dashboard = { enabled = true, name = "team/channel" }
  }

  expect_failures = [var.dashboard]
}

run "name_empty" {
  command = plan

  variables {
    dashboard = { name = "" }
  }

  expect_failures = [var.dashboard]
}

run "name_longest" {
  command = plan

  variables {
    # 255 characters, the longest PutDashboard accepts.
    dashboard = { enabled = true, name = "a${join("", [for i in range(127) : "b_"])}" }
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this[0].dashboard_name) == 255
    error_message = "A name of 255 characters is accepted."
  }
}

run "name_too_long" {
  command = plan

  variables {
    dashboard = { enabled = true, name = "ab${join("", [for i in range(127) : "b_"])}" }
  }

  expect_failures = [var.dashboard]
}

run "webhook_mode_rejected" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com/pinpoint/k7Qx2pLm9"
    dashboard    = { enabled = true }
  }

  expect_failures = [data.aws_partition.current]
}

run "metrics_off_rejected" {
  command = plan

  variables {
    metrics   = { mode = "off" }
    dashboard = { enabled = true }
  }

  expect_failures = [aws_cloudwatch_dashboard.this]
}
