provider "aws" {
  region = var.region
}

################################################################################
# Twilio credentials: a Secrets Manager secret the function may read (and nothing else)
################################################################################

resource "aws_secretsmanager_secret" "twilio" {
  #checkov:skip=CKV_AWS_149:The example keeps to the AWS managed key (aws/secretsmanager) so that it needs no key of its own; pass a customer managed key's ARN as kms_key_id here and as the module's provider_secret.kms_key_arn where a policy asks for one.
  #checkov:skip=CKV2_AWS_57:The provider issues and revokes these credentials; Secrets Manager rotation would need a rotation function that calls the provider's API, outside this example. Rotate by writing a new secret version.
  name_prefix             = "${var.name}-twilio-"
  description             = "Twilio credentials of the ${var.name} Pinpoint custom channel"
  recovery_window_in_days = var.secret_recovery_window_in_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "twilio" {
  secret_id = aws_secretsmanager_secret.twilio.id
  # The keys the twilio adapter reads.
  secret_string = jsonencode({
    account_sid = var.twilio_account_sid
    auth_token  = var.twilio_auth_token
  })
}

################################################################################
# The custom channel: Lambda function with the twilio adapter, a new Pinpoint application,
# an SMS segment and a campaign whose Data is the text message
################################################################################

module "custom_channel" {
  source = "../../"

  name         = var.name
  event_source = "pinpoint"

  delivery = {
    adapter = "twilio"
    twilio  = { from = var.twilio_from }
  }
  # The version's ARN is the secret's ARN; referring to the version makes the value exist
  # before the function can be invoked.
  provider_secret = { arn = aws_secretsmanager_secret_version.twilio.arn }

  segment = {
    channel_types = var.endpoint_types
  }

  campaign = {
    name           = var.campaign_name
    data           = var.message
    endpoint_types = var.endpoint_types
    is_paused      = var.campaign_paused
    limits = {
      messages_per_second = var.messages_per_second
    }
  }

  tags = var.tags
}
