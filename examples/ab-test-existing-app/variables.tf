variable "region" {
  description = "AWS region of the existing Pinpoint application. Pinpoint campaigns must still be available there for this account."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "name" {
  description = "Base name of the function, role, log group and campaign stack."
  type        = string
  default     = "pinpoint-ab-test"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must start with a letter and hold at most 48 letters, digits, '-' and '_'."
  }
}

variable "application_id" {
  description = "Id of the existing Pinpoint application (project). It is not managed by this configuration and stays after destroy."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{32}$", var.application_id))
    error_message = "application_id must be a Pinpoint application id (32 lowercase letters and digits)."
  }
}

variable "segment_id" {
  description = "Id of the existing segment of that application the campaign sends to. It stays after destroy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9]{1,64}$", var.segment_id))
    error_message = "segment_id must be a Pinpoint segment id (letters and digits)."
  }
}

variable "permission_scope" {
  description = "What Pinpoint may invoke the function for: \"campaign\" (only this campaign; the first apply allows the application while the campaign is created, and the next apply of the same configuration narrows it), \"application\" (any campaign of the application) or \"account\" (any application of the account)."
  type        = string
  default     = "campaign"

  validation {
    condition     = contains(["account", "application", "campaign"], var.permission_scope)
    error_message = "permission_scope must be account, application or campaign."
  }
}

variable "provider_url" {
  description = "URL the function POSTs each message to (JSON body = the personalised Data of the endpoint's treatment). https:// only; http:// is accepted for 127.0.0.1 and localhost alone, for local runs."
  type        = string

  validation {
    condition = (
      can(regex("^https://[^\\s/?#@]+([/?#]\\S*)?$", var.provider_url)) ||
      can(regex("^http://(127\\.0\\.0\\.1|localhost)(:[0-9]{1,5})?([/?#]\\S*)?$", var.provider_url))
    )
    error_message = "provider_url must be an https:// URL; http:// is allowed only for 127.0.0.1 or localhost (local runs)."
  }
}

variable "provider_secret_arn" {
  description = "Optional ARN of an existing Secrets Manager secret {\"api_key\": ...}: sent as `Authorization: Bearer <api_key>`, and the only secret the function may read. Null sends no credentials."
  type        = string
  default     = null

  validation {
    condition     = var.provider_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.provider_secret_arn))
    error_message = "provider_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "campaign_name" {
  description = "Name of the Pinpoint campaign."
  type        = string
  default     = "ab-test"

  validation {
    condition     = length(var.campaign_name) >= 1 && length(var.campaign_name) <= 64
    error_message = "campaign_name must be 1-64 characters."
  }
}

variable "main_treatment_name" {
  description = "Name of the main treatment (TreatmentId 0), which gets the share the variants and the holdout leave."
  type        = string
  default     = "A"

  validation {
    condition     = length(var.main_treatment_name) >= 1 && length(var.main_treatment_name) <= 64
    error_message = "main_treatment_name must be 1-64 characters."
  }
}

variable "campaign_data" {
  description = "Data of the main treatment: a JSON object, personalised per endpoint and sent as the request body. At most 5 KB."
  type        = string
  default     = "{\"to\": \"{{Address}}\", \"variant\": \"A\", \"text\": \"Hi {{Attributes.FirstName | there}}, 10% off this week.\"}"

  validation {
    condition     = can(keys(jsondecode(var.campaign_data)))
    error_message = "campaign_data must be a JSON object (it is sent as the JSON request body)."
  }
}

variable "variants" {
  description = "The additional treatments (TreatmentId 1, 2, ... in this order): each a name, the whole percentage of the segment it gets, and its own Data (a JSON object). At most 4."
  type = list(object({
    name         = string
    size_percent = number
    data         = string
  }))
  default = [
    {
      name         = "B"
      size_percent = 30
      data         = "{\"to\": \"{{Address}}\", \"variant\": \"B\", \"text\": \"{{Attributes.FirstName | Hello}}, free shipping this week.\"}"
    },
    {
      name         = "C"
      size_percent = 30
      data         = "{\"to\": \"{{Address}}\", \"variant\": \"C\", \"text\": \"Last chance, {{Attributes.FirstName | friend}}: 10% off ends Sunday.\"}"
    },
  ]

  validation {
    condition     = length(var.variants) >= 1 && length(var.variants) <= 4
    error_message = "variants must hold 1 to 4 additional treatments."
  }

  validation {
    condition = alltrue([
      for v in var.variants :
      length(v.name) >= 1 && length(v.name) <= 64 && v.size_percent >= 1 && floor(v.size_percent) == v.size_percent && can(keys(jsondecode(v.data)))
    ])
    error_message = "Each variant needs a name (1-64 characters), a whole size_percent >= 1 and data that is a JSON object."
  }

  validation {
    condition     = sum(concat([var.holdout_percent], [for v in var.variants : v.size_percent])) <= 99
    error_message = "The variants' size_percent plus holdout_percent must leave at least 1% to the main treatment (at most 99 in all)."
  }
}

variable "holdout_percent" {
  description = "Whole percentage of the segment that receives nothing (the control group)."
  type        = number
  default     = 10

  validation {
    condition     = var.holdout_percent >= 0 && var.holdout_percent <= 98 && floor(var.holdout_percent) == var.holdout_percent
    error_message = "holdout_percent must be a whole number between 0 and 98."
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
  description = "Keep the campaign paused. Set false only when you are ready to send: it then starts immediately, to the segment's endpoints of the chosen endpoint types."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource created (the application and segment are not touched)."
  type        = map(string)
  default     = {}
}
