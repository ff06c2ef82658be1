provider "aws" {
  region = var.region
}

################################################################################
# An A/B test in a Pinpoint application and segment you already have: the main treatment,
# additional treatments with their own Data, and a holdout that receives nothing. The
# function's invoke permission is scoped to this one campaign (pinpoint_permission.scope =
# "campaign"): Pinpoint checks it when the campaign is created, so the first apply allows the
# application and the second apply of the same configuration narrows it.
################################################################################

module "custom_channel" {
  source = "../../"

  name         = var.name
  event_source = "pinpoint"

  application         = { create = false, id = var.application_id }
  segment             = { id = var.segment_id }
  pinpoint_permission = { scope = var.permission_scope }

  delivery = {
    adapter = "http"
    http = {
      url = var.provider_url
      # Each treatment's Data is the JSON body to send, personalised per endpoint.
      body_template = "{{Data}}"
      body_encoding = "plain"
      headers = merge(
        { "Content-Type" = "application/json; charset=utf-8" },
        var.provider_secret_arn == null ? {} : { Authorization = "Bearer {{Secret.api_key}}" },
      )
    }
  }
  provider_secret = { arn = var.provider_secret_arn }

  campaign = {
    name            = var.campaign_name
    data            = var.campaign_data
    endpoint_types  = var.endpoint_types
    is_paused       = var.campaign_paused
    treatment_name  = var.main_treatment_name
    holdout_percent = var.holdout_percent
    treatments = [
      for v in var.variants : {
        name         = v.name
        size_percent = v.size_percent
        data         = v.data
      }
    ]
  }

  tags = var.tags
}
