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
  description             = "Credentials of the HTTP provider used by the ${var.name} Amazon Connect custom action"
  recovery_window_in_days = var.secret_recovery_window_in_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "provider" {
  secret_id = aws_secretsmanager_secret.provider.id
  # A JSON object: the handler exposes its keys to templates as {{Secret.<key>}}; with
  # receipts, receipts_key checks the provider's signed receipts.
  secret_string = jsonencode(merge(
    { api_key = var.provider_api_key },
    var.receipts ? { receipts_key = var.provider_receipts_key } : {},
  ))
}

################################################################################
# The custom action's Lambda function, invoked by the Connect instance's outbound campaigns
################################################################################

module "custom_channel" {
  source = "../../"

  name = var.name

  event_source = "connect"
  connect = {
    instance_arn = var.connect_instance_arn
    # Connect's event carries no text: the message is a template over the customer profile.
    message_template  = var.message_template
    message_templates = var.message_templates
    # Templates authored in Connect (Message templates), by the custom action block's label;
    # they win over message_templates and message_template.
    knowledge_base_id = var.knowledge_base_id
    template_ids      = var.template_ids
    profiles = {
      address_fields = var.address_fields
    }
    # Terraform registers the function with the instance (and removes it on destroy) through
    # the AWS CLI; off, run the outputs connect_register_command / connect_unregister_command.
    register = var.register_with_instance
  }

  delivery = {
    adapter = "http"
    http = {
      url = var.provider_url
      # The message template is already the JSON document to send (personalised per profile,
      # with JSON-escaped values), so the body is it as is: "plain" encoding and a JSON type.
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

  # Receipts: the provider reports what reached a handset to the receipts route (an HTTP API
  # the module deploys); each final status is an EventBridge event and a count, and an
  # opt-out is written back to the profile when profiles_domain is given (docs/receipts.md).
  receipts = {
    enabled                        = var.receipts
    consent_write_back             = var.receipts && var.profiles_domain != null
    connect_profiles_domain        = var.profiles_domain
    delivered_rate_alarm_threshold = var.receipts ? var.delivered_rate_alarm_threshold : null
  }

  # Every failed or unknown profile is kept, encrypted, for `python -m custom_channel.operator resend`.
  failure_queue = { enabled = true }
  # Failed and unknown deliveries (EventSource=connect) and function errors raise alarms.
  alarms = { enabled = true, sns_topic_arns = var.alarm_sns_topic_arns }

  tags = var.tags
}
