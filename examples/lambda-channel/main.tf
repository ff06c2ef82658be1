provider "aws" {
  region = var.region
}

################################################################################
# Provider credentials: a Secrets Manager secret the function may read (and nothing else)
################################################################################

resource "aws_secretsmanager_secret" "provider" {
  #checkov:skip=CKV_AWS_149:The example keeps to the AWS managed key (aws/secretsmanager) so that it needs no key of its own; pass a customer managed key's ARN as kms_key_id here and as the module's provider_secret.kms_key_arn where a policy asks for one.
  #checkov:skip=CKV2_AWS_57:The provider issues and revokes these credentials; Secrets Manager rotation would need a rotation function that calls the provider's API, outside this example. Rotate by writing a new secret version.
  name_prefix             = "${var.name}-provider-"
  description             = "Credentials of the HTTP provider used by the ${var.name} Pinpoint custom channel"
  recovery_window_in_days = var.secret_recovery_window_in_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "provider" {
  secret_id = aws_secretsmanager_secret.provider.id
  # A JSON object: the handler exposes its keys to templates as {{Secret.<key>}}.
  secret_string = jsonencode({ api_key = var.provider_api_key })
}

################################################################################
# The custom channel: Lambda function, a new Pinpoint application, segment and campaign
################################################################################

module "custom_channel" {
  source = "../../"

  name         = var.name
  event_source = "pinpoint"

  delivery = {
    adapter = "http"
    http = {
      url = var.provider_url
      # The campaign Data is already the JSON document to send (personalised, with JSON-escaped
      # values), so the body is Data as is: "plain" encoding and an explicit JSON content type.
      body_template = "{{Data}}"
      body_encoding = "plain"
      headers = {
        Authorization  = "Bearer {{Secret.api_key}}"
        "Content-Type" = "application/json; charset=utf-8"
      }
      success_codes      = var.provider_success_codes
      idempotency_header = var.provider_idempotency_header
    }
  }

  # The version's ARN is the secret's ARN; referring to the version makes the value exist
  # before the function can be invoked.
  provider_secret = { arn = aws_secretsmanager_secret_version.provider.arn }

  # Every failed or unknown endpoint is kept, encrypted, for `python -m custom_channel.operator resend`.
  failure_queue = { enabled = true }
  # Failed and unknown deliveries and function errors raise alarms (notifying the topics given).
  alarms = { enabled = true, sns_topic_arns = var.alarm_sns_topic_arns }
  # A CloudWatch dashboard: the guide's counts, results by status, provider latency, the
  # function's errors, throttles and duration, with the alarms' thresholds drawn in.
  dashboard = { enabled = true }

  campaign = {
    name           = var.campaign_name
    data           = var.campaign_data
    endpoint_types = var.endpoint_types
    is_paused      = var.campaign_paused
  }

  tags = var.tags
}
