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
  default     = "pinpoint-twilio-sms"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must start with a letter and hold at most 48 letters, digits, '-' and '_'."
  }
}

variable "twilio_account_sid" {
  description = "Twilio Account SID (AC followed by 32 hexadecimal characters). Stored in the Secrets Manager secret, and in the Terraform state."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^AC[0-9a-fA-F]{32}$", var.twilio_account_sid))
    error_message = "twilio_account_sid must be AC followed by 32 hexadecimal characters."
  }
}

variable "twilio_auth_token" {
  description = "Twilio Auth Token (32 hexadecimal characters). Stored in the Secrets Manager secret, and in the Terraform state: protect the state."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[0-9a-fA-F]{32}$", var.twilio_auth_token))
    error_message = "twilio_auth_token must be 32 hexadecimal characters."
  }
}

variable "twilio_from" {
  description = "Sender: an E.164 number of your Twilio account (+15551234567), a Messaging Service SID (MG + 32 hex) or an alphanumeric sender id (at most 11 characters, where the destination country allows it)."
  type        = string

  validation {
    condition     = can(regex("^(\\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$", var.twilio_from))
    error_message = "twilio_from must be an E.164 number (+15551234567), a Messaging Service SID (MG + 32 hex) or an alphanumeric sender id (at most 11 characters)."
  }
}

variable "campaign_name" {
  description = "Name of the Pinpoint campaign."
  type        = string
  default     = "sms-welcome"

  validation {
    condition     = length(var.campaign_name) >= 1 && length(var.campaign_name) <= 64
    error_message = "campaign_name must be 1-64 characters."
  }
}

variable "message" {
  description = "The text message (the campaign's Data), personalised per endpoint: {{Attributes.FirstName | there}} and so on. Twilio bills per 160-character GSM-7 segment (70 with other characters)."
  type        = string
  default     = "Hi {{Attributes.FirstName | there}}, your order has shipped. Reply STOP to opt out."

  validation {
    condition     = length(var.message) >= 1 && length(var.message) <= 1600
    error_message = "message must be 1-1600 characters (Twilio's limit for one message)."
  }
}

variable "endpoint_types" {
  description = "Endpoint types the segment and campaign target. The twilio adapter sends to SMS and CUSTOM endpoints whose Address is a phone number."
  type        = list(string)
  default     = ["SMS"]

  validation {
    condition     = length(var.endpoint_types) > 0 && length(distinct(var.endpoint_types)) == length(var.endpoint_types) && alltrue([for t in var.endpoint_types : contains(["SMS", "CUSTOM"], t)])
    error_message = "endpoint_types must hold SMS and/or CUSTOM, without duplicates."
  }
}

variable "messages_per_second" {
  description = "Campaign sending rate limit (messages per second). Keep it within your Twilio sender's throughput."
  type        = number
  default     = 10

  validation {
    condition     = var.messages_per_second >= 1 && var.messages_per_second <= 20000 && floor(var.messages_per_second) == var.messages_per_second
    error_message = "messages_per_second must be a whole number between 1 and 20000."
  }
}

variable "campaign_paused" {
  description = "Keep the campaign paused. Set false only when you are ready to send real, billed text messages: it then starts immediately, to every SMS endpoint of the application."
  type        = bool
  default     = true
}

variable "secret_recovery_window_in_days" {
  description = "Days the Twilio secret can be recovered after destroy; 0 deletes it at once."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_in_days == 0 || (var.secret_recovery_window_in_days >= 7 && var.secret_recovery_window_in_days <= 30)
    error_message = "secret_recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "tags" {
  description = "Tags for every resource created."
  type        = map(string)
  default     = {}
}
