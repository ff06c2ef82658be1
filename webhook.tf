################################################################################
# Inputs: the external webhook (channel_mode = "webhook") and the receiver (channel_mode = "receiver")
################################################################################

variable "webhook_url" {
  description = "External webhook of `channel_mode = \"webhook\"`. Sensitive. [More](docs/inputs.md#webhook_url)."
  type        = string
  default     = null
  sensitive   = true

  # No validation here: a failed variable validation prints the value it tested, sensitive or
  # not (Terraform 1.11), and this URL's path holds a secret. Its rules are the preconditions
  # of output pinpoint_delivery_uri (outputs.tf), whose messages show no value
  # (tests/test_module_inputs.py).
}

################################################################################
# Webhook receiver (channel_mode = "receiver")
################################################################################

variable "receiver" {
  description = "The webhook receiver of `channel_mode = \"receiver\"`. [More](docs/inputs.md#receiver)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `throttling` left the route unthrottled); the keys and defaults are
  # local.receiver_defaults and receiver_throttling_defaults (main.tf), and the first
  # validations refuse any other key.
  type     = any
  default  = {}
  nullable = false

  validation {
    condition     = try(length(setsubtract(keys(var.receiver), keys(local.receiver_defaults))) == 0, false)
    error_message = "receiver must be an object whose keys are among ${join(", ", keys(local.receiver_defaults))}${try(length(setsubtract(keys(var.receiver), keys(local.receiver_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.receiver), keys(local.receiver_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.receiver.throttling, null) == null || try(length(setsubtract(keys(var.receiver.throttling), keys(local.receiver_throttling_defaults))) == 0, false)
    error_message = "receiver.throttling takes only ${join(", ", keys(local.receiver_throttling_defaults))}${try(length(setsubtract(keys(var.receiver.throttling), keys(local.receiver_throttling_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.receiver.throttling), keys(local.receiver_throttling_defaults))))}" : ""}."
  }

  validation {
    # `any` converts nothing: each value must convert to its key's type (local.object_key_types).
    condition     = alltrue([for k, v in try(merge(var.receiver), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.receiver), {}) : "receiver.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    condition     = alltrue([for k, v in try(merge(var.receiver.throttling), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.receiver.throttling), {}) : "receiver.throttling.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    # API Gateway: ThrottlingBurstLimit an integer, ThrottlingRateLimit a double (apigatewayv2
    # API model, RouteSettings).
    condition     = (try(var.receiver.throttling.rate_limit, null) == null || try(var.receiver.throttling.rate_limit > 0, false)) && (try(var.receiver.throttling.burst_limit, null) == null || try(var.receiver.throttling.burst_limit >= 1 && floor(var.receiver.throttling.burst_limit) == tonumber(var.receiver.throttling.burst_limit), false))
    error_message = "receiver.throttling.rate_limit must be > 0 and burst_limit a whole number >= 1."
  }

  validation {
    # DeleteSecret RecoveryWindowInDays: "from 7 to 30" (Secrets Manager API model); 0 is the
    # provider's ForceDeleteWithoutRecovery.
    condition     = try(var.receiver.secret_recovery_window_in_days, null) == null || try(tonumber(var.receiver.secret_recovery_window_in_days) == 0 || (var.receiver.secret_recovery_window_in_days >= 7 && var.receiver.secret_recovery_window_in_days <= 30), false)
    error_message = "receiver.secret_recovery_window_in_days must be 0 or between 7 and 30."
  }

  validation {
    condition     = try(var.receiver.secret_kms_key_arn, null) == null || can(regex(local.kms_key_arn_pattern, var.receiver.secret_kms_key_arn))
    error_message = "receiver.secret_kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

################################################################################
# Webhook receiver (channel_mode = "receiver")
#
# An API Gateway HTTP API with the single route `ANY /<secret>` (the literal secret path) invokes the function
# (entry custom_channel.receiver.lambda_handler). The Lambda permission names this API as
# source, so no other caller may invoke the function; the stage is throttled. A Lambda
# function URL was not used: a NONE-auth URL now also needs lambda:InvokeFunction, which
# is safe only with the InvokedViaFunctionUrl condition that aws_lambda_permission cannot
# express, and aws_lambda_function_url adds a statement of its own outside Terraform state.
#
# Pinpoint webhooks take no query string with '=', so the secret travels in the path.
# It is generated once by Secrets Manager (letters and digits only) and kept: the version's
# secret_string is ignored after creation, so later plans do not change it.
################################################################################

resource "aws_secretsmanager_secret" "receiver" {
  #checkov:skip=CKV_AWS_149:A customer managed key is the user's choice (receiver.secret_kms_key_arn); the default is the AWS managed key aws/secretsmanager, which encrypts the secret at rest without a key policy to keep.
  #checkov:skip=CKV2_AWS_57:The path secret is part of the campaign DeliveryUri; rotation outside Terraform would break delivery; rotate with terraform apply -replace on the secret version, which also updates the campaign.
  count = local.create_receiver ? 1 : 0

  name_prefix             = "${local.name}-webhook-path-"
  description             = "Path secret of the ${local.name} Pinpoint webhook receiver"
  kms_key_id              = local.receiver.secret_kms_key_arn
  recovery_window_in_days = local.receiver.secret_recovery_window_in_days

  tags = var.tags
}

data "aws_secretsmanager_random_password" "receiver" {
  count = local.create_receiver ? 1 : 0

  password_length     = 48
  exclude_punctuation = true
  include_space       = false
}

resource "aws_secretsmanager_secret_version" "receiver" {
  count = local.create_receiver ? 1 : 0

  secret_id     = aws_secretsmanager_secret.receiver[0].id
  secret_string = data.aws_secretsmanager_random_password.receiver[0].random_password

  lifecycle {
    # Written once: the data source yields a new value on every plan.
    ignore_changes = [secret_string]
  }
}

resource "aws_apigatewayv2_api" "receiver" {
  count = local.create_receiver ? 1 : 0

  name          = "${local.name}-webhook"
  description   = "Amazon Pinpoint custom channel webhook receiver"
  protocol_type = "HTTP"

  tags = var.tags
}

resource "aws_apigatewayv2_integration" "receiver" {
  count = local.create_receiver ? 1 : 0

  api_id                 = aws_apigatewayv2_api.receiver[0].id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = local.function_invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = min(30000, (local.timeout + 1) * 1000)
}

resource "aws_apigatewayv2_route" "receiver" {
  #checkov:skip=CKV_AWS_309:Pinpoint webhooks send no credentials and cannot sign requests; the caller is authenticated by the 48-character path secret.
  count = local.create_receiver ? 1 : 0

  api_id = aws_apigatewayv2_api.receiver[0].id
  # The literal secret path, not `ANY /{secret}`: a request to any other path is answered 404
  # by API Gateway itself, without invoking the function or spending this route's throttle,
  # so unauthenticated callers cannot crowd out Pinpoint's calls. Sensitive (the stored
  # secret), so plans show it as such.
  route_key = "ANY /${aws_secretsmanager_secret_version.receiver[0].secret_string}"
  target    = "integrations/${aws_apigatewayv2_integration.receiver[0].id}"
}

resource "aws_cloudwatch_log_group" "receiver_access" {
  #checkov:skip=CKV_AWS_338:Retention is the user's choice (cloudwatch_logs_retention_in_days, default 30); set 365 or more where a one-year policy applies.
  count = local.create_receiver && local.receiver.access_logs ? 1 : 0

  name              = "/aws/apigateway/${local.name}-webhook"
  retention_in_days = var.cloudwatch_logs_retention_in_days
  kms_key_id        = var.cloudwatch_logs_kms_key_arn

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "receiver" {
  count = local.create_receiver ? 1 : 0

  api_id      = aws_apigatewayv2_api.receiver[0].id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = local.receiver.throttling.rate_limit
    throttling_burst_limit = local.receiver.throttling.burst_limit
  }

  # The receipts route (receipts.tf), throttled on its own: providers' callbacks must not
  # spend the throttle of Pinpoint's deliveries, nor theirs.
  dynamic "route_settings" {
    for_each = local.create_receipts ? [local.receipts_route_key] : []

    content {
      route_key              = aws_apigatewayv2_route.receipts[0].route_key
      throttling_rate_limit  = local.receipts.throttling.rate_limit
      throttling_burst_limit = local.receipts.throttling.burst_limit
    }
  }

  dynamic "access_log_settings" {
    for_each = local.receiver.access_logs ? [1] : []

    content {
      destination_arn = aws_cloudwatch_log_group.receiver_access[0].arn
      # Neither the path nor the route key, which both carry the secret.
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
}

locals {
  receiver_path_secret = try(aws_secretsmanager_secret_version.receiver[0].secret_string, null)
  receiver_url         = local.create_receiver ? "${try(aws_apigatewayv2_api.receiver[0].api_endpoint, "")}/${coalesce(local.receiver_path_secret, "-")}" : null
}
