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
  description = "Base name of the function, role, log groups, HTTP API, path secret, Pinpoint application and campaign stack."
  type        = string
  default     = "pinpoint-webhook-receiver"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must start with a letter and hold at most 48 letters, digits, '-' and '_'."
  }
}

variable "provider_url" {
  description = "Optional URL the function POSTs each message to (JSON body = the personalised campaign Data). Null: the channel sends nothing (adapter none: counts and logs the endpoints and answers them skipped). https:// only; http:// is accepted for 127.0.0.1 and localhost alone, for local runs."
  type        = string
  default     = null

  validation {
    condition = var.provider_url == null || (
      can(regex("^https://[^\\s/?#@]+([/?#]\\S*)?$", var.provider_url)) ||
      can(regex("^http://(127\\.0\\.0\\.1|localhost)(:[0-9]{1,5})?([/?#]\\S*)?$", var.provider_url))
    )
    error_message = "provider_url must be null or an https:// URL; http:// is allowed only for 127.0.0.1 or localhost (local runs)."
  }
}

variable "receiver_rate_limit" {
  description = "Steady request rate (per second) of the receiver's HTTP API stage. Each Pinpoint request carries up to 50 endpoints."
  type        = number
  default     = 20

  validation {
    condition     = var.receiver_rate_limit > 0
    error_message = "receiver_rate_limit must be greater than 0."
  }
}

variable "receiver_burst_limit" {
  description = "Burst limit (requests) of the receiver's HTTP API stage."
  type        = number
  default     = 40

  validation {
    condition     = var.receiver_burst_limit >= 1 && floor(var.receiver_burst_limit) == var.receiver_burst_limit
    error_message = "receiver_burst_limit must be a whole number >= 1."
  }
}

variable "path_secret_recovery_window_in_days" {
  description = "Days the receiver's path secret can be recovered after destroy; 0 deletes it at once."
  type        = number
  default     = 7

  validation {
    condition     = var.path_secret_recovery_window_in_days == 0 || (var.path_secret_recovery_window_in_days >= 7 && var.path_secret_recovery_window_in_days <= 30)
    error_message = "path_secret_recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "campaign_name" {
  description = "Name of the Pinpoint campaign."
  type        = string
  default     = "webhook-welcome"

  validation {
    condition     = length(var.campaign_name) >= 1 && length(var.campaign_name) <= 64
    error_message = "campaign_name must be 1-64 characters."
  }
}

variable "campaign_data" {
  description = "The campaign's CustomMessage.Data, personalised per endpoint ({{Address}}, {{Attributes.FirstName | default}}, ...). A JSON object when provider_url is set (it is the request body). At most 5 KB."
  type        = string
  default     = "{\"to\": \"{{Address}}\", \"text\": \"Hi {{Attributes.FirstName | there}}, welcome aboard.\"}"

  validation {
    condition     = var.provider_url == null || can(keys(jsondecode(var.campaign_data)))
    error_message = "campaign_data must be a JSON object when provider_url is set (it is sent as the JSON request body)."
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
