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
  description = "Base name of the function, role, log group, failure queue, alarms and secret."
  type        = string
  default     = "connect-custom-action"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must start with a letter and hold at most 48 letters, digits, '-' and '_'."
  }
}

variable "connect_instance_arn" {
  description = "ARN of the existing Amazon Connect instance whose outbound campaigns call the function from a Custom action block (`arn:<partition>:connect:<region>:<account>:instance/<instance-id>`)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.connect_instance_arn))
    error_message = "connect_instance_arn must be an Amazon Connect instance ARN: arn:<partition>:connect:<region>:<account>:instance/<instance-id>."
  }
}

variable "register_with_instance" {
  description = "Register the function with the Connect instance on apply and remove it on destroy (connectcampaignsv2 PutConnectInstanceIntegration / DeleteConnectInstanceIntegration, run by Terraform through the AWS CLI). Needs the AWS CLI (v2, or v1 with connectcampaignsv2) where Terraform runs and credentials in its environment of the instance's account allowed connect-campaigns:PutConnectInstanceIntegration and DeleteConnectInstanceIntegration. False: run the outputs connect_register_command / connect_unregister_command yourself."
  type        = bool
  default     = false
  nullable    = false
}

variable "provider_url" {
  description = "URL the function sends each message to (POST, JSON body = the personalised message template). Must be https://. http:// is accepted only for 127.0.0.1 and localhost, for a local run against a provider stand-in on this machine: a function in AWS cannot reach your loopback address."
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
  description = "Header carrying a per-profile idempotency key (for example Idempotency-Key), if the provider deduplicates on one; the handler may then resend a request that got no answer. Null sends none."
  type        = string
  default     = null

  validation {
    condition     = var.provider_idempotency_header == null || can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", var.provider_idempotency_header))
    error_message = "provider_idempotency_header must be a valid HTTP header name."
  }
}

variable "message_template" {
  description = "The message of every Custom action block (the event carries no text): a JSON object, personalised per customer profile ({{Address}}, {{FirstName | default}}, {{Attributes.X}}, {{CampaignId}}, ...; values are JSON-escaped) and sent as the request body. The function's whole environment must stay within Lambda's 4 KB."
  type        = string
  default     = "{\"to\": \"{{Address}}\", \"text\": \"Hi {{FirstName | there}}, your order has shipped.\"}"

  validation {
    condition     = can(keys(jsondecode(var.message_template)))
    error_message = "message_template must be a JSON object (it is sent as the JSON request body)."
  }
}

variable "message_templates" {
  description = "Messages of particular Custom action blocks, keyed by the block's label as typed in the journey (Connect sends it as ActionId), each a JSON object like message_template; the blocks named neither here nor in template_ids get message_template."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for t in values(var.message_templates) : can(keys(jsondecode(t)))])
    error_message = "Each of message_templates must be a JSON object (it is sent as the JSON request body)."
  }
}

variable "knowledge_base_id" {
  description = "Id of the Amazon Q in Connect knowledge base holding the instance's message templates (a lowercase UUID, in this account and region); required with template_ids, null otherwise."
  type        = string
  default     = null

  validation {
    condition     = var.knowledge_base_id == null || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", coalesce(var.knowledge_base_id, "-")))
    error_message = "knowledge_base_id must be a knowledge base id: a lowercase UUID."
  }
}

variable "template_ids" {
  description = "Message templates authored in Connect (Message templates), keyed by the Custom action block's label as typed in the journey (Connect sends it as ActionId): a template id, with `:<version>` to pin a version, else its active version. They win over message_templates and message_template."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for label, id in var.template_ids : length(label) > 0 && can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:[0-9]+)?$", id))])
    error_message = "template_ids must map block labels to message template ids: a lowercase UUID, optionally :<version number>."
  }
}

variable "address_fields" {
  description = "Customer profile fields tried in order for the recipient's address (Attributes.X allowed). Null keeps the handler's default for the http adapter: the email fields first, then the phone fields."
  type        = list(string)
  default     = null
}

variable "receipts" {
  description = "Ask the provider for delivery receipts (docs/receipts.md, \"Your own provider\"): each request carries X-Channel-Receipt-Url and X-Channel-Receipt-Ref, and the provider POSTs signed JSON statuses back; needs provider_receipts_key."
  type        = bool
  default     = false
}

variable "provider_receipts_key" {
  description = "The key the provider signs its receipts with (HMAC-SHA256, at least 32 characters), stored in the provider secret as receipts_key. Required with receipts."
  type        = string
  default     = null
  sensitive   = true

  validation {
    # A cross-variable rule (Terraform 1.9+); the message shows no value.
    condition     = var.provider_receipts_key == null ? !var.receipts : length(var.provider_receipts_key) >= 32
    error_message = "provider_receipts_key must be set, of at least 32 characters, when receipts is true."
  }
}

variable "profiles_domain" {
  description = "The Connect instance's Customer Profiles domain: with receipts, a profile whose recipient opted out is written back there (its Attributes.OptOut), so the next run skips it. Null writes nothing back."
  type        = string
  default     = null

  validation {
    condition     = var.profiles_domain == null || can(regex("^[a-zA-Z0-9_-]{1,64}$", var.profiles_domain))
    error_message = "profiles_domain must be a Customer Profiles domain name: 1-64 letters, digits, _ or -."
  }
}

variable "delivered_rate_alarm_threshold" {
  description = "With receipts: alarm when the delivered-to-handset rate (percent) falls below this; null for no alarm."
  type        = number
  default     = 90
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
