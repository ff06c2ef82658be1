provider "aws" {
  region = var.region
}

################################################################################
# The custom channel behind its own HTTPS webhook: API Gateway HTTP API -> Lambda function.
# The campaign's DeliveryUri is the API's URL ending in a generated path secret; the function
# answers Pinpoint's HEAD check (X-Amz-Pinpoint-AccountId) and rejects any other path.
################################################################################

module "custom_channel" {
  source = "../../"

  name         = var.name
  event_source = "pinpoint"
  channel_mode = "receiver"

  # Without a provider URL the channel sends nothing: adapter "none" counts and logs each
  # endpoint and answers it "skipped".
  delivery = {
    adapter = var.provider_url == null ? "none" : "http"
    http = var.provider_url == null ? null : {
      url           = var.provider_url
      body_template = "{{Data}}"
      body_encoding = "plain"
      headers       = { "Content-Type" = "application/json; charset=utf-8" }
    }
  }

  receiver = {
    throttling = {
      rate_limit  = var.receiver_rate_limit
      burst_limit = var.receiver_burst_limit
    }
    secret_recovery_window_in_days = var.path_secret_recovery_window_in_days
  }

  campaign = {
    name           = var.campaign_name
    data           = var.campaign_data
    endpoint_types = var.endpoint_types
    is_paused      = var.campaign_paused
  }

  tags = var.tags
}
