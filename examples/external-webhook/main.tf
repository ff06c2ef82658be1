provider "aws" {
  region = var.region
}

################################################################################
# A campaign that delivers to a webhook you already run: no Lambda function, no IAM role.
# Pinpoint POSTs each batch of endpoints to webhook_url; when the campaign is created it
# sends HEAD to the URL and expects the header X-Amz-Pinpoint-AccountId = your account id.
################################################################################

module "custom_channel" {
  source = "../../"

  name         = var.name
  event_source = "pinpoint"
  channel_mode = "webhook"
  webhook_url  = var.webhook_url

  campaign = {
    name           = var.campaign_name
    data           = var.campaign_data
    endpoint_types = var.endpoint_types
    is_paused      = var.campaign_paused
  }

  tags = var.tags
}
