# A root configuration around the module, for tests/unknown_at_plan.tftest.hcl: what a real
# configuration passes in or orders around the module is often known only after apply, and the
# module must plan with it. `scenario` picks one case:
# - "treatment_function": an A/B treatment delivers to another function of this configuration
#   (its ARN is known only after apply);
# - "campaign_scope": pinpoint_permission.scope = "campaign" with the module's own campaign;
# - "campaign_scope_after": the same, the module waiting for another resource (module-level
#   depends_on, which defers every data source of the module until that resource is applied);
# - "resources_of_the_configuration": a key, an operator role, a topic and a secret of this
#   configuration in the object inputs (idempotency, failure_queue, alarms, provider_secret).

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "scenario" {
  type = string

  validation {
    condition     = contains(["treatment_function", "campaign_scope", "campaign_scope_after", "resources_of_the_configuration"], var.scenario)
    error_message = "scenario must be treatment_function, campaign_scope, campaign_scope_after or resources_of_the_configuration."
  }
}

# Another channel function of the same configuration.
resource "aws_lambda_function" "other" {
  count = var.scenario == "treatment_function" ? 1 : 0

  function_name = "other-channel"
  role          = "arn:aws:iam::123456789012:role/other-channel"
  handler       = "custom_channel.lambda_function.lambda_handler"
  runtime       = "python3.13"
  s3_bucket     = "packages-123456789012"
  s3_key        = "other-channel.zip"
}

# Something the module has to wait for (a network, a key policy, ...).
resource "terraform_data" "prerequisite" {
  input = "ready"
}

locals {
  campaign = {
    name = "spring"
    data = "hello"
    treatments = var.scenario == "treatment_function" ? [
      { size_percent = 20, data = "other", delivery_uri = aws_lambda_function.other[0].arn, invoke_permission = true },
      { size_percent = 20, data = "webhook", delivery_uri = "https://partner.example.com/pinpoint/hook" },
    ] : []
  }
  pinpoint_permission = var.scenario == "treatment_function" ? {} : { scope = "campaign" }
}

module "channel" {
  source = "../../.."
  count  = contains(["treatment_function", "campaign_scope"], var.scenario) ? 1 : 0

  name                = "pinpoint-custom-channel"
  event_source        = "pinpoint"
  delivery            = { adapter = "none" }
  campaign            = local.campaign
  pinpoint_permission = local.pinpoint_permission
}

module "channel_after" {
  source = "../../.."
  count  = var.scenario == "campaign_scope_after" ? 1 : 0

  name                = "pinpoint-custom-channel"
  event_source        = "pinpoint"
  delivery            = { adapter = "none" }
  campaign            = local.campaign
  pinpoint_permission = local.pinpoint_permission

  depends_on = [terraform_data.prerequisite]
}

# Keys, a role, a topic and a secret of the same configuration, whose ARNs are known only after
# apply, in the object inputs: the objects' switches (failure_queue.enabled, ...) must stay known.
resource "aws_kms_key" "channel" {
  count = var.scenario == "resources_of_the_configuration" ? 1 : 0
}

resource "aws_iam_role" "operator" {
  count = var.scenario == "resources_of_the_configuration" ? 1 : 0

  name               = "channel-operator"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::123456789012:root" } }] })
}

resource "aws_sns_topic" "alerts" {
  count = var.scenario == "resources_of_the_configuration" ? 1 : 0

  name = "channel-alerts"
}

resource "aws_secretsmanager_secret" "provider" {
  count = var.scenario == "resources_of_the_configuration" ? 1 : 0

  name = "channel-provider"
}

module "channel_resources" {
  source = "../../.."
  count  = var.scenario == "resources_of_the_configuration" ? 1 : 0

  name            = "pinpoint-custom-channel"
  event_source    = "pinpoint"
  delivery        = { adapter = "twilio", twilio = { from = "+15550000000" } }
  provider_secret = { arn = aws_secretsmanager_secret.provider[0].arn, kms_key_arn = aws_kms_key.channel[0].arn }
  idempotency     = { enabled = true, kms_key_arn = aws_kms_key.channel[0].arn }
  # The queue's own key is an existing one: with operator roles, whether their KMS grants exist
  # depends on the queue's key being set, which Terraform cannot tell of an ARN unknown at plan.
  failure_queue = {
    enabled            = true
    kms_key_arn        = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    operator_role_arns = [aws_iam_role.operator[0].arn]
  }
  alarms      = { enabled = true, sns_topic_arns = [aws_sns_topic.alerts[0].arn] }
  kms_key_arn = aws_kms_key.channel[0].arn
}

output "treatment_permission_statement_ids" {
  value = try(module.channel[0].lambda_treatment_permission_statement_ids, null)
}
