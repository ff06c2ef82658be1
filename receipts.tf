################################################################################
# Input: delivery receipts and consent write-back (docs/receipts.md)
################################################################################

variable "receipts" {
  description = "Delivery receipts from the provider, and consent write-back. [More](docs/inputs.md#receipts)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `consent_write_back` left opted-out recipients unrecorded); the keys and
  # defaults are local.receipts_defaults and receipts_throttling_defaults (main.tf), and the
  # first validations refuse any other key.
  type     = any
  default  = {}
  nullable = false

  validation {
    condition     = try(length(setsubtract(keys(var.receipts), keys(local.receipts_defaults))) == 0, false)
    error_message = "receipts must be an object whose keys are among ${join(", ", keys(local.receipts_defaults))}${try(length(setsubtract(keys(var.receipts), keys(local.receipts_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.receipts), keys(local.receipts_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.receipts.throttling, null) == null || try(length(setsubtract(keys(var.receipts.throttling), keys(local.receipts_throttling_defaults))) == 0, false)
    error_message = "receipts.throttling takes only ${join(", ", keys(local.receipts_throttling_defaults))}${try(length(setsubtract(keys(var.receipts.throttling), keys(local.receipts_throttling_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.receipts.throttling), keys(local.receipts_throttling_defaults))))}" : ""}."
  }

  validation {
    # `any` converts nothing: each value must convert to its key's type (local.object_key_types).
    condition     = alltrue([for k, v in try(merge(var.receipts), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.receipts), {}) : "receipts.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    condition     = alltrue([for k, v in try(merge(var.receipts.throttling), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.receipts.throttling), {}) : "receipts.throttling.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    # Customer Profiles UpdateProfile DomainName: the `name` shape, 1-64 characters, pattern
    # ^[a-zA-Z0-9_-]+$ (botocore data/customer-profiles/2020-08-15/service-2.json).
    condition     = try(var.receipts.connect_profiles_domain, null) == null || can(regex("^[a-zA-Z0-9_-]{1,64}$", var.receipts.connect_profiles_domain))
    error_message = "receipts.connect_profiles_domain must be a Customer Profiles domain name: 1-64 letters, digits, '_' or '-'."
  }

  validation {
    # PutEvents Entries[].EventBusName: NonPartnerEventBusNameOrArn, 1-1600 characters, pattern
    # (arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[\.\-_A-Za-z0-9]+, the
    # name 1-256 characters (NonPartnerEventBusName) (botocore data/events/2015-10-07/service-2.json).
    condition     = try(var.receipts.event_bus_name, null) == null || can(regex("^(arn:aws[A-Za-z0-9_-]*:events:[a-z]+-[a-z]+-[A-Za-z0-9_-]+:[0-9]{12}:event-bus/)?[._A-Za-z0-9-]{1,256}$", var.receipts.event_bus_name))
    error_message = "receipts.event_bus_name must be an EventBridge bus name (1-256 letters, digits, '.', '_' or '-'; default \"default\") or a bus ARN (arn:<partition>:events:<region>:<account>:event-bus/<name>)."
  }

  validation {
    # A percentage: below 0 or above 100 the alarm could never fire or always would.
    condition     = try(var.receipts.delivered_rate_alarm_threshold, null) == null || try(tonumber(var.receipts.delivered_rate_alarm_threshold) > 0 && tonumber(var.receipts.delivered_rate_alarm_threshold) <= 100, false)
    error_message = "receipts.delivered_rate_alarm_threshold must be a percentage above 0 and at most 100 (null: no alarm)."
  }

  validation {
    # API Gateway: ThrottlingBurstLimit an integer, ThrottlingRateLimit a double (apigatewayv2
    # API model, RouteSettings).
    condition     = (try(var.receipts.throttling.rate_limit, null) == null || try(var.receipts.throttling.rate_limit > 0, false)) && (try(var.receipts.throttling.burst_limit, null) == null || try(var.receipts.throttling.burst_limit >= 1 && floor(var.receipts.throttling.burst_limit) == tonumber(var.receipts.throttling.burst_limit), false))
    error_message = "receipts.throttling.rate_limit must be > 0 and burst_limit a whole number >= 1."
  }
}

################################################################################
# The receipts route: POST /receipts on an API Gateway HTTP API invoking the function
#
# In channel_mode = "receiver" the route joins the receiver's HTTP API (webhook.tf), throttled
# on its own on that stage; in lambda mode the module creates a small HTTP API with this one
# route. The function learns the route's URL from CHANNEL_RECEIPTS_URL: built from the API's
# endpoint, which the API has before any integration, so the function (whose environment holds
# the URL) comes after the API and before the integration (which holds the function's ARN),
# without a cycle. Providers authenticate their callbacks by signature (X-Twilio-Signature,
# X-Channel-Signature), which the handler checks before anything else.
################################################################################

locals {
  receipts_own_api = local.create_receipts && !local.create_receiver

  receipts_api_id        = !local.create_receipts ? null : local.create_receiver ? try(aws_apigatewayv2_api.receiver[0].id, null) : try(aws_apigatewayv2_api.receipts[0].id, null)
  receipts_api_endpoint  = !local.create_receipts ? null : local.create_receiver ? try(aws_apigatewayv2_api.receiver[0].api_endpoint, null) : try(aws_apigatewayv2_api.receipts[0].api_endpoint, null)
  receipts_execution_arn = !local.create_receipts ? null : local.create_receiver ? try(aws_apigatewayv2_api.receiver[0].execution_arn, null) : try(aws_apigatewayv2_api.receipts[0].execution_arn, null)
  # The $default stage serves at the endpoint's root.
  receipts_url       = local.create_receipts ? "${coalesce(local.receipts_api_endpoint, "-")}/receipts" : null
  receipts_route_key = "POST /receipts"

  # The bus PutEvents writes to: the ARN given, or the bus of that name in the function's
  # account and region (Service Authorization Reference, EventBridge resource type event-bus:
  # arn:${Partition}:events:${Region}:${Account}:event-bus/${EventBusName}).
  receipts_event_bus_arn = startswith(local.receipts.event_bus_name, "arn:") ? local.receipts.event_bus_name : "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/${local.receipts.event_bus_name}"
}

resource "aws_apigatewayv2_api" "receipts" {
  count = local.receipts_own_api ? 1 : 0

  name          = "${local.name}-receipts"
  description   = "Delivery receipts of the ${local.name} ${local.connect ? "Amazon Connect custom action" : "Pinpoint custom channel"}"
  protocol_type = "HTTP"

  tags = var.tags
}

resource "aws_apigatewayv2_integration" "receipts" {
  count = local.create_receipts ? 1 : 0

  api_id                 = local.receipts_api_id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = local.function_invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = min(30000, (local.timeout + 1) * 1000)
}

resource "aws_apigatewayv2_route" "receipts" {
  #checkov:skip=CKV_AWS_309:Providers cannot present AWS credentials or a JWT; each callback is authenticated by its signature (X-Twilio-Signature, X-Channel-Signature), which the handler checks before any other work.
  count = local.create_receipts ? 1 : 0

  api_id    = local.receipts_api_id
  route_key = local.receipts_route_key
  target    = "integrations/${aws_apigatewayv2_integration.receipts[0].id}"
}

resource "aws_cloudwatch_log_group" "receipts_access" {
  #checkov:skip=CKV_AWS_338:Retention is the user's choice (cloudwatch_logs_retention_in_days, default 30); set 365 or more where a one-year policy applies.
  count = local.receipts_own_api && local.receipts.access_logs ? 1 : 0

  name              = "/aws/apigateway/${local.name}-receipts"
  retention_in_days = var.cloudwatch_logs_retention_in_days
  kms_key_id        = var.cloudwatch_logs_kms_key_arn

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "receipts" {
  count = local.receipts_own_api ? 1 : 0

  api_id      = aws_apigatewayv2_api.receipts[0].id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = local.receipts.throttling.rate_limit
    throttling_burst_limit = local.receipts.throttling.burst_limit
  }

  dynamic "access_log_settings" {
    for_each = local.receipts.access_logs ? [1] : []

    content {
      destination_arn = aws_cloudwatch_log_group.receipts_access[0].arn
      # The receiver's fields: no path or query string (the query's ref names the message).
      format = jsonencode({
        requestId          = "$context.requestId"
        requestTime        = "$context.requestTime"
        sourceIp           = "$context.identity.sourceIp"
        userAgent          = "$context.identity.userAgent"
        httpMethod         = "$context.httpMethod"
        status             = "$context.status"
        responseLength     = "$context.responseLength"
        integrationStatus  = "$context.integrationStatus"
        integrationLatency = "$context.integrationLatency"
        errorMessage       = "$context.error.message"
      })
    }
  }

  tags = var.tags

  # After the route, so that the stage's first automatic deployment holds it.
  depends_on = [aws_apigatewayv2_route.receipts]
}
