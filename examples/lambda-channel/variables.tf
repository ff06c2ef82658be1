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
  description = "Base name of the function, role, log group, Pinpoint application, campaign stack and secret."
  type        = string
  default     = "pinpoint-lambda-channel"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must start with a letter and hold at most 48 letters, digits, '-' and '_'."
  }
}

variable "provider_url" {
  description = "URL the function sends each message to (POST, JSON body = the personalised campaign Data). Must be https://. http:// is accepted only for 127.0.0.1 and localhost, for a local run against a provider stand-in on this machine: a function in AWS cannot reach your loopback address."
  type        = string

  validation {
    condition = (
      can(regex("^https://[^\\s/?#@]+([/?#]\\S*)?$", var.provider_url)) ||
      can(regex("^http://(127\\.0\\.0\\.1|localhost)(:[0-9]{1,5})?([/?#]\\S*)?$", var.provider_url))
    )
    error_message = "provider_url must be an https:// URL; http:// is allowed only for 127.0.0.1 or localhost (local runs)."
  }
}

variable "provider_api_key" {
  description = "API key of the provider, stored by this example in a Secrets Manager secret as {\"api_key\": ...} and sent as `Authorization: Bearer <key>`. It is kept in the Terraform state (as every secret value Terraform writes): protect the state."
  type        = string
  sensitive   = true

  validation {
    condition     = length(trimspace(var.provider_api_key)) > 0
    error_message = "provider_api_key must not be empty."
  }
}

variable "provider_success_codes" {
  description = "HTTP status codes (and ranges) of the provider that mean delivered, for example \"200-299\" or \"200,202\"."
  type        = string
  default     = "200-299"

  validation {
    condition     = can(regex("^[1-5][0-9]{2}(-[1-5][0-9]{2})?(,[1-5][0-9]{2}(-[1-5][0-9]{2})?)*$", var.provider_success_codes))
    error_message = "provider_success_codes must be a comma list of status codes or ranges, for example \"200-299\" or \"200,202\"."
  }
}

variable "provider_idempotency_header" {
  description = "Header carrying a per-endpoint idempotency key (for example Idempotency-Key), if the provider deduplicates on one; the handler may then resend a request that got no answer. Null sends none."
  type        = string
  default     = null

  validation {
    condition     = var.provider_idempotency_header == null || can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", var.provider_idempotency_header))
    error_message = "provider_idempotency_header must be a valid HTTP header name."
  }
}

variable "campaign_name" {
  description = "Name of the Pinpoint campaign."
  type        = string
  default     = "welcome"

  validation {
    condition     = length(var.campaign_name) >= 1 && length(var.campaign_name) <= 64
    error_message = "campaign_name must be 1-64 characters."
  }
}

variable "campaign_data" {
  description = "The campaign's CustomMessage.Data: a JSON object, personalised per endpoint ({{Address}}, {{Attributes.FirstName | default}}, ...; values are JSON-escaped) and sent as the request body. At most 5 KB."
  type        = string
  default     = "{\"to\": \"{{Address}}\", \"text\": \"Hi {{Attributes.FirstName | there}}, your order has shipped.\"}"

  validation {
    condition     = can(keys(jsondecode(var.campaign_data)))
    error_message = "campaign_data must be a JSON object (it is sent as the JSON request body)."
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

variable "secret_recovery_window_in_days" {
  description = "Days the provider secret can be recovered after destroy; 0 deletes it at once."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_in_days == 0 || (var.secret_recovery_window_in_days >= 7 && var.secret_recovery_window_in_days <= 30)
    error_message = "secret_recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "alarm_sns_topic_arns" {
  description = "SNS topics the alarms (failed or unknown deliveries, function errors) notify on alarm and on recovery; empty creates the alarms without notifications."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.alarm_sns_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "alarm_sns_topic_arns must hold SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>)."
  }
}

variable "tags" {
  description = "Tags for every resource created."
  type        = map(string)
  default     = {}
}
