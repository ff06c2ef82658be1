variable "region" {
  description = "AWS region to deploy to: the Amazon Connect instance's region."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "name" {
  description = "Base name of the function, role, log group, table, queue, alarms, topic and secret."
  type        = string
  default     = "connect-twilio-sms"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must start with a letter and hold at most 48 letters, digits, '-' and '_'."
  }
}

variable "connect_instance_arn" {
  description = "ARN of the existing Amazon Connect instance whose journeys call the function from a Custom action block (`arn:<partition>:connect:<region>:<account>:instance/<instance-id>`)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.connect_instance_arn))
    error_message = "connect_instance_arn must be an Amazon Connect instance ARN: arn:<partition>:connect:<region>:<account>:instance/<instance-id>."
  }
}

variable "knowledge_base_id" {
  description = "Id of the Amazon Q in Connect knowledge base holding the instance's message templates (a lowercase UUID, in this account and region)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.knowledge_base_id))
    error_message = "knowledge_base_id must be a knowledge base id: a lowercase UUID."
  }
}

variable "template_ids" {
  description = "SMS message templates authored in Connect, keyed by the Custom action block's label as typed in the journey (Connect sends it as ActionId): a template id, with `:<version>` to pin a version, else its active version."
  type        = map(string)

  validation {
    condition     = length(var.template_ids) > 0 && alltrue([for label, id in var.template_ids : length(label) > 0 && can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:[0-9]+)?$", id))])
    error_message = "template_ids must map at least one block label to a message template id: a lowercase UUID, optionally :<version number>."
  }
}

variable "message_template" {
  description = "The text of every Custom action block that template_ids does not name; null answers the profiles of those blocks `failed` (`ActionId has no message template`)."
  type        = string
  default     = null
}

variable "register_with_instance" {
  description = "Register the function with the Connect instance on apply and unregister it on destroy (the module's connect.register: runs the AWS CLI where Terraform runs, with Terraform's credentials). False: run the outputs connect_register_command / connect_unregister_command yourself."
  type        = bool
  default     = false
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
