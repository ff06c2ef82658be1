provider "aws" {
  region = var.region
}

################################################################################
# Twilio credentials: a Secrets Manager secret the function may read (and nothing else)
################################################################################

resource "aws_secretsmanager_secret" "twilio" {
  #checkov:skip=CKV_AWS_149:The example keeps to the AWS managed key (aws/secretsmanager) so that it needs no key of its own; pass a customer managed key's ARN as kms_key_id here and as the module's provider_secret.kms_key_arn where a policy asks for one.
  #checkov:skip=CKV2_AWS_57:Twilio issues and revokes these credentials; Secrets Manager rotation would need a rotation function that calls Twilio's API, outside this example. Rotate by writing a new secret version.
  name_prefix             = "${var.name}-twilio-"
  description             = "Twilio credentials of the ${var.name} Amazon Connect custom action"
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
# Where the alarms go: an SNS topic (subscribe your on-call to it)
################################################################################

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# A topic encrypted with SNS's AWS managed key cannot receive CloudWatch alarms (its key
# policy cannot name cloudwatch.amazonaws.com): the topic has a key of its own.
data "aws_iam_policy_document" "alarms_key" {
  #checkov:skip=CKV_AWS_111:A key policy: its Resource "*" is this key alone (AWS KMS Developer Guide, "Key policies"), and the account-root statement is AWS's default key policy, which leaves access to IAM.
  #checkov:skip=CKV_AWS_356:A key policy: its Resource "*" is this key alone, not every resource.
  #checkov:skip=CKV_AWS_109:A key policy: the account-root statement is AWS's default key policy (IAM decides who administers the key), and its Resource "*" is this key alone.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_kms_key" "alarms" {
  description             = "Encrypts the ${var.name} alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.alarms_key.json

  tags = var.tags
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn

  tags = var.tags
}

################################################################################
# The custom action: Connect invokes the function with a batch of customer profiles; each
# profile's phone number gets the text of the template authored in Connect, through Twilio
################################################################################

module "custom_channel" {
  source = "../../"

  name = var.name

  event_source = "connect"
  connect = {
    instance_arn = var.connect_instance_arn
    # The text of each Custom action block, authored in Connect (Message templates): block
    # label -> template id; message_template serves the blocks not named there.
    knowledge_base_id = var.knowledge_base_id
    template_ids      = var.template_ids
    message_template  = var.message_template
    # Registration with the instance: off unless asked (it runs the AWS CLI where Terraform runs).
    register = var.register_with_instance
    # Profiles are read for a phone number (the twilio adapter's default order:
    # PhoneNumber, MobilePhoneNumber, HomePhoneNumber, BusinessPhoneNumber, then email fields).
  }

  delivery = {
    adapter = "twilio"
    twilio  = { from = var.twilio_from }
  }
  # The version's ARN is the secret's ARN; referring to the version makes the value exist
  # before the function can be invoked.
  provider_secret = { arn = aws_secretsmanager_secret_version.twilio.arn }

  # On by default, named here because this example is about them: a profile Connect sends
  # again is not texted twice (the ledger), and every failed or unknown one is kept for
  # `custom-channel resend` (the failure queue).
  idempotency   = { enabled = true }
  failure_queue = { enabled = true }
  alarms        = { enabled = true, sns_topic_arns = [aws_sns_topic.alarms.arn] }

  tags = var.tags
}
