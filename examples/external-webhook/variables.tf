variable "region" {
  description = "AWS region to deploy to. Pinpoint campaigns must still be available there for this account."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "name" {
  description = "Base name of the Pinpoint application and the campaign stack."
  type        = string
  default     = "pinpoint-external-webhook"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must start with a letter and hold at most 48 letters, digits, '-' and '_'."
  }
}

variable "webhook_url" {
  description = "Your webhook, the campaign's DeliveryUri. Pinpoint's rules: https:// only; letters, digits and - . _ ~ ? / # : only (no = or &, so a token must travel in the path); RFC 3986. It must answer HEAD with header X-Amz-Pinpoint-AccountId = the account id, or creating the campaign fails. Sensitive, as a path token is a credential."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^https://[A-Za-z0-9._~-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~:/-]*)?(\\?[A-Za-z0-9._~:/?-]*)?(#[A-Za-z0-9._~:/?-]*)?$", var.webhook_url))
    error_message = "webhook_url must start with https:// and hold only letters, digits and - . _ ~ ? / # : (no = or &), as an RFC 3986 URL."
  }
}

variable "campaign_name" {
  description = "Name of the Pinpoint campaign."
  type        = string
  default     = "webhook-campaign"

  validation {
    condition     = length(var.campaign_name) >= 1 && length(var.campaign_name) <= 64
    error_message = "campaign_name must be 1-64 characters."
  }
}

variable "campaign_data" {
  description = "The campaign's CustomMessage.Data, passed to your webhook as is in each request's Data field. At most 5 KB."
  type        = string
  default     = "{\"text\": \"Your order has shipped.\"}"

  validation {
    condition     = length(var.campaign_data) > 0
    error_message = "campaign_data must not be empty."
  }
}

variable "endpoint_types" {
  description = "Endpoint types of the segment the campaign sends to (CUSTOM, SMS, EMAIL, ...)."
  type        = list(string)
  default     = ["CUSTOM"]

  validation {
    condition = length(var.endpoint_types) > 0 && alltrue([
      for t in var.endpoint_types : contains(["ADM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "CUSTOM", "EMAIL", "GCM", "SMS", "VOICE"], t)
    ])
    error_message = "endpoint_types must be a non-empty list of ADM, APNS, APNS_SANDBOX, APNS_VOIP, APNS_VOIP_SANDBOX, BAIDU, CUSTOM, EMAIL, GCM, SMS, VOICE."
  }
}

variable "campaign_paused" {
  description = "Keep the campaign paused. Set false only when you are ready to send: it then starts immediately, to every endpoint of the application with the chosen endpoint types."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource created."
  type        = map(string)
  default     = {}
}
