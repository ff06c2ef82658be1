# A root configuration around the module, for tests/unknown_at_plan.tftest.hcl: what a real
# configuration passes in or orders around the module is often known only after apply, and the
# module must plan with it. `scenario` picks one case:
# - "treatment_function": an A/B treatment delivers to another function of this configuration
#   (its ARN is known only after apply);
# - "campaign_scope": pinpoint_permission.scope = "campaign" with the module's own campaign;
# - "campaign_scope_after": the same, the module waiting for another resource (module-level
#   depends_on, which defers every data source of the module until that resource is applied).

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
    condition     = contains(["treatment_function", "campaign_scope", "campaign_scope_after"], var.scenario)
    error_message = "scenario must be treatment_function, campaign_scope or campaign_scope_after."
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
  count  = var.scenario == "campaign_scope_after" ? 0 : 1

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

output "treatment_permission_statement_ids" {
  value = try(module.channel[0].lambda_treatment_permission_statement_ids, null)
}
