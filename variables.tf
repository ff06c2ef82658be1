# The interface follows one convention:
# - The Lambda function, its role and its logs are flat variables, named as
#   terraform-aws-modules/terraform-aws-lambda names them where the meaning is the same.
# - Everything else the channel configures is ONE object variable per concern, named after the
#   concern (provider_secret, delivery, metrics, idempotency, connect, application, segment,
#   campaign, pinpoint_permission, receiver, receipts, failure_queue, alarms, dashboard); the flag that
#   turns the concern on is inside it: `create` for what the module creates, `enabled` for
#   optional features.
# - Top-level switches stay flat: name, name_prefix, tags, event_source, channel_mode, and
#   webhook_url (flat because it is sensitive: an object holding it would hide every other field
#   of that object in plans).
# Where the inputs are: this file holds the function's, its role's and logs', and the handler's
# (delivery, provider_secret, metrics). A concern's input sits in the file of that concern,
# beside what it creates: connect (connect.tf), connect_campaign (connect_campaign.tf),
# idempotency (idempotency.tf), failure_queue (failures.tf), alarms (alarms.tf), dashboard
# (dashboard.tf), webhook_url and receiver (webhook.tf), receipts (receipts.tf), and the Pinpoint channel's
# pinpoint_permission, application, segment and campaign (pinpoint.tf), so that a Connect
# deployment reads none of Pinpoint's, and a Pinpoint one none of Connect's.
# Descriptions are one or two sentences; docs/inputs.md holds every input's detail (each key of
# an object input, its values, costs and caveats), and a description whose input has more to it
# than its line ends with a link there. Rules between two inputs are preconditions, not
# validations. Validations that encode a service's rule cite it;
# the patterns and value lists they share are defined once, in the locals of main.tf ("Rules of
# the services").
# Naming rule: an input that terraform-aws-modules/terraform-aws-lambda also has keeps that
# module's name and values where the meaning is the same, and where this module names it
# otherwise its name is refused with an error naming ours, never ignored (architectures,
# cloudwatch_logs_kms_key_id, vpc_subnet_ids, vpc_security_group_ids, policy_statements'
# `condition`, s3_existing_package's `version_id`, the log levels WARN, TRACE and FATAL),
# as is any key an object variable does not declare where a typo would change what is sent or
# widen a grant (delivery, failure_queue, idempotency, policy_statements, s3_existing_package,
# segment, pinpoint_permission, connect, campaign, metrics and receipts are typed `any` for that: main.tf, "Object inputs
# typed `any`").

################################################################################
# General
################################################################################

variable "name" {
  description = "Base name of every resource the module creates. [More](docs/inputs.md#name)."
  type        = string

  validation {
    # Lambda FunctionName: [a-zA-Z0-9-_]+, at most 64 characters (local.name_pattern).
    condition     = can(regex(local.name_pattern, var.name)) && length(var.name) <= local.max_name_length
    error_message = "name must start with a letter, hold only letters, digits, '-' and '_', and be at most ${local.max_name_length} characters long together with name_prefix."
  }
}

variable "name_prefix" {
  description = "Prefix prepended to `name`."
  type        = string
  default     = ""

  validation {
    condition     = var.name_prefix == "" || can(regex(local.name_pattern, var.name_prefix))
    error_message = "name_prefix must be empty or start with a letter and hold only letters, digits, '-' and '_'."
  }
}

variable "tags" {
  description = "Tags applied to every resource that supports them."
  type        = map(string)
  default     = {}
}

variable "event_source" {
  description = "What invokes the function, `connect` or `pinpoint`; required. [More](docs/inputs.md#event_source)."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["pinpoint", "connect"], var.event_source)
    error_message = "event_source must be \"pinpoint\" or \"connect\"."
  }
}

variable "channel_mode" {
  description = "How Pinpoint reaches the channel. [More](docs/inputs.md#channel_mode)."
  type        = string
  default     = "lambda"

  validation {
    condition     = contains(["lambda", "webhook", "receiver"], var.channel_mode)
    error_message = "channel_mode must be one of: lambda, webhook, receiver."
  }

}

################################################################################
# Lambda function
################################################################################

variable "description" {
  description = "Description of the Lambda function."
  type        = string
  default     = "Amazon Pinpoint custom channel"
}

variable "handler" {
  description = "Function entry point; null picks the packaged handler's. [More](docs/inputs.md#handler)."
  type        = string
  default     = null

  validation {
    # Lambda API model, Handler shape: at most 128 characters, pattern [^\s]+.
    condition     = var.handler == null || can(regex("^[^\\s]{1,128}$", var.handler))
    error_message = "handler must be 1 to 128 characters without whitespace."
  }
}

variable "local_existing_package" {
  description = "A local zip to deploy instead of the committed one. [More](docs/inputs.md#local_existing_package)."
  type        = string
  default     = null

  validation {
    condition     = var.local_existing_package == null || can(regex("\\.zip$", var.local_existing_package))
    error_message = "local_existing_package must name a .zip file."
  }
}

variable "s3_existing_package" {
  description = "Deploy the function's code from an S3 object. [More](docs/inputs.md#s3_existing_package)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (terraform-aws-lambda's `version_id` deployed whatever version was current); the keys are
  # local.s3_existing_package_defaults (main.tf), and the first validations refuse any other.
  type    = any
  default = null

  validation {
    # terraform-aws-lambda's name for the object version.
    condition     = var.s3_existing_package == null || try(!contains(keys(var.s3_existing_package), "version_id"), true)
    error_message = "s3_existing_package.version_id is terraform-aws-lambda's name: this module's is s3_existing_package.object_version."
  }

  validation {
    condition     = var.s3_existing_package == null || try(length(setsubtract(keys(var.s3_existing_package), concat(keys(local.s3_existing_package_defaults), ["version_id"]))) == 0, false)
    error_message = "s3_existing_package must be an object whose keys are among ${join(", ", keys(local.s3_existing_package_defaults))}${try(length(setsubtract(keys(var.s3_existing_package), concat(keys(local.s3_existing_package_defaults), ["version_id"]))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.s3_existing_package), concat(keys(local.s3_existing_package_defaults), ["version_id"]))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }


  validation {
    # S3 bucket names are at least 3 characters (Amazon S3 User Guide, "Bucket naming rules").
    condition     = var.s3_existing_package == null ? true : try(length(try(var.s3_existing_package.bucket, null)) >= 3 && length(try(var.s3_existing_package.key, null)) >= 1, false)
    error_message = "s3_existing_package needs a bucket name and an object key."
  }
}

variable "runtime" {
  description = "Lambda runtime: python3.12 or later."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.(1[2-9]|[2-9][0-9])$", var.runtime))
    error_message = "runtime must be python3.12 or later (for example python3.13)."
  }
}

variable "architecture" {
  description = "Instruction set of the function: `arm64` or `x86_64`."
  type        = string
  default     = "arm64"

  validation {
    # Lambda API model, Architecture enum.
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "architectures" {
  description = "terraform-aws-lambda's name, refused: set `architecture`."
  type        = any
  default     = null

  validation {
    condition     = var.architectures == null
    error_message = "architectures is terraform-aws-lambda's name: this module's is architecture, one value (\"arm64\" or \"x86_64\"), not a list."
  }
}

variable "timeout" {
  description = "Function timeout in seconds; null uses the event source's wait. [More](docs/inputs.md#timeout)."
  type        = number
  default     = null

  validation {
    # Lambda quotas: function timeout 900 seconds (15 minutes); the API model's Timeout minimum is 1.
    condition     = var.timeout == null || try(var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout, false)
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB. [More](docs/inputs.md#memory_size)."
  type        = number
  default     = 512

  validation {
    # Lambda quotas: memory 128 MB to 10,240 MB (the API model's MemorySize minimum is 128).
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function; -1: none."
  type        = number
  default     = -1

  validation {
    # Lambda API model, ReservedConcurrentExecutions: minimum 0; -1 is the provider's "unreserved".
    condition     = var.reserved_concurrent_executions >= -1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be -1 or a whole number >= 0."
  }
}

variable "publish" {
  description = "Publish versions behind the alias `alias_name`. [More](docs/inputs.md#publish)."
  type        = bool
  default     = false
}

variable "alias_name" {
  description = "Name of the alias created when `publish = true`."
  type        = string
  default     = "live"

  validation {
    # Lambda API model, Alias shape: 1-128 characters, pattern (?!^[0-9]+$)([a-zA-Z0-9-_]+).
    condition     = can(regex("^[A-Za-z_-][A-Za-z0-9_-]{0,127}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must be 1-128 letters, digits, '-' or '_', must not start with a digit and must not be a version number."
  }
}

variable "provisioned_concurrent_executions" {
  description = "Provisioned concurrency on the alias; 0 for none."
  type        = number
  default     = 0

  validation {
    condition     = var.provisioned_concurrent_executions >= 0 && floor(var.provisioned_concurrent_executions) == var.provisioned_concurrent_executions
    error_message = "provisioned_concurrent_executions must be a whole number >= 0."
  }

}

variable "tracing_mode" {
  description = "X-Ray tracing mode: null (off), `Active` or `PassThrough`."
  type        = string
  default     = null

  validation {
    # Lambda API model, TracingMode enum.
    condition     = var.tracing_mode == null || contains(["Active", "PassThrough"], coalesce(var.tracing_mode, "-"))
    error_message = "tracing_mode must be null, Active or PassThrough."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the function's environment variables. [More](docs/inputs.md#kms_key_arn)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

variable "vpc_config" {
  description = "Run the function in a VPC. [More](docs/inputs.md#vpc_config)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `subnet_ids` put the function outside the VPC); the keys and defaults
  # are local.vpc_config_defaults (main.tf), and the first validation refuses any other key.
  type    = any
  default = null

  validation {
    condition     = var.vpc_config == null || try(length(setsubtract(keys(var.vpc_config), keys(local.vpc_config_defaults))) == 0, false)
    error_message = "vpc_config must be an object whose keys are among ${join(", ", keys(local.vpc_config_defaults))}${try(length(setsubtract(keys(var.vpc_config), keys(local.vpc_config_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.vpc_config), keys(local.vpc_config_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    # `any` converts nothing: each value must convert to its key's type (local.object_key_types).
    condition     = alltrue([for k, v in try(merge(var.vpc_config), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.vpc_config), {}) : "vpc_config.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    # EC2 resource ids: subnet-<hex> and sg-<hex> (Amazon EC2 User Guide, "Resource IDs").
    condition = var.vpc_config == null || try(
      length(var.vpc_config.subnet_ids) > 0 && length(var.vpc_config.security_group_ids) > 0 &&
      alltrue([for s in var.vpc_config.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))]) &&
      alltrue([for g in var.vpc_config.security_group_ids : can(regex("^sg-[0-9a-f]+$", g))]),
      false
    )
    error_message = "vpc_config needs at least one subnet id (subnet-...) and one security group id (sg-...)."
  }
}

variable "vpc_subnet_ids" {
  description = "terraform-aws-lambda's name, refused: set `vpc_config`."
  type        = any
  default     = null

  validation {
    condition     = var.vpc_subnet_ids == null
    error_message = "vpc_subnet_ids is terraform-aws-lambda's name: this module's is vpc_config = { subnet_ids = [...], security_group_ids = [...] }."
  }
}

variable "vpc_security_group_ids" {
  description = "terraform-aws-lambda's name, refused: set `vpc_config`."
  type        = any
  default     = null

  validation {
    condition     = var.vpc_security_group_ids == null
    error_message = "vpc_security_group_ids is terraform-aws-lambda's name: this module's is vpc_config = { subnet_ids = [...], security_group_ids = [...] }."
  }
}

variable "environment_variables" {
  description = "Additional environment variables for the function."
  type        = map(string)
  default     = {}

  validation {
    # Lambda API model, EnvironmentVariableName: [a-zA-Z]([a-zA-Z0-9_])+.
    condition = alltrue([
      for k in keys(var.environment_variables) :
      can(regex("^[A-Za-z][A-Za-z0-9_]+$", k)) && !startswith(k, "CHANNEL_")
    ])
    error_message = "environment_variables names must start with a letter, be at least 2 characters of letters, digits and '_', and must not start with CHANNEL_ (use the module's variables for those)."
  }
}

################################################################################
# CloudWatch logs
################################################################################

variable "logging_log_format" {
  description = "Format of the function's logs: `JSON` or `Text`."
  type        = string
  default     = "JSON"

  validation {
    # Lambda API model, LogFormat enum.
    condition     = contains(["JSON", "Text"], var.logging_log_format)
    error_message = "logging_log_format must be JSON or Text."
  }
}

variable "logging_application_log_level" {
  description = "Handler log level: DEBUG, INFO, WARNING or ERROR."
  type        = string
  default     = "INFO"

  validation {
    # The handler's levels (Python logging names); each maps onto Lambda's ApplicationLogLevel
    # enum (TRACE, DEBUG, INFO, WARN, ERROR, FATAL) in local.application_log_level.
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "WARN", "TRACE", "FATAL"], var.logging_application_log_level)
    error_message = "logging_application_log_level must be DEBUG, INFO, WARNING or ERROR."
  }

  validation {
    # Lambda's (and terraform-aws-lambda's) names for levels the handler names otherwise or lacks.
    condition     = !contains(["WARN", "TRACE", "FATAL"], var.logging_application_log_level)
    error_message = "logging_application_log_level takes the handler's Python level names: WARNING, not Lambda's WARN (the module sets Lambda's WARN from it); no TRACE (DEBUG is the finest) and no FATAL (ERROR is the coarsest)."
  }
}

variable "logging_endpoint_ids" {
  description = "How log lines name an endpoint: `hashed` or `clear`. [More](docs/inputs.md#logging_endpoint_ids)."
  type        = string
  default     = "hashed"

  validation {
    condition     = contains(["hashed", "clear"], var.logging_endpoint_ids)
    error_message = "logging_endpoint_ids must be hashed or clear."
  }
}

variable "cloudwatch_logs_retention_in_days" {
  description = "Retention of the log groups, in days; 0 keeps logs forever."
  type        = number
  default     = 30

  validation {
    # CloudWatch Logs retentionInDays values (local.log_retention_days).
    condition     = contains(local.log_retention_days, var.cloudwatch_logs_retention_in_days)
    error_message = "cloudwatch_logs_retention_in_days must be one of ${join(", ", local.log_retention_days)}."
  }
}

variable "cloudwatch_logs_kms_key_arn" {
  description = "ARN of a KMS key that encrypts the log groups. [More](docs/inputs.md#cloudwatch_logs_kms_key_arn)."
  type        = string
  default     = null

  validation {
    condition     = var.cloudwatch_logs_kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.cloudwatch_logs_kms_key_arn))
    error_message = "cloudwatch_logs_kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

variable "cloudwatch_logs_kms_key_id" {
  description = "terraform-aws-lambda's name, refused: set `cloudwatch_logs_kms_key_arn`."
  type        = any
  default     = null

  validation {
    condition     = var.cloudwatch_logs_kms_key_id == null
    error_message = "cloudwatch_logs_kms_key_id is terraform-aws-lambda's name: this module's is cloudwatch_logs_kms_key_arn (a KMS key ARN)."
  }
}

variable "use_existing_cloudwatch_log_group" {
  description = "Use the existing log group instead of creating one. [More](docs/inputs.md#use_existing_cloudwatch_log_group)."
  type        = bool
  default     = false
  nullable    = false
}

variable "cloudwatch_logs_skip_destroy" {
  description = "Keep the function's log group when the module is destroyed."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# IAM
################################################################################

variable "create_role" {
  description = "Create the execution role; false to bring `lambda_role`."
  type        = bool
  default     = true
}

variable "lambda_role" {
  description = "ARN of an existing execution role (`create_role = false`)."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_role == null || can(regex(local.iam_role_arn_pattern, var.lambda_role))
    error_message = "lambda_role must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)."
  }

}

variable "role_name" {
  description = "Name of the created role. Null uses the function name."
  type        = string
  default     = null

  validation {
    # IAM API model, roleNameType: 1-64 characters, pattern [\w+=,.@-]+.
    condition     = var.role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters: letters, digits and + = , . @ _ -."
  }
}

variable "role_path" {
  description = "IAM path of the created role."
  type        = string
  default     = "/"

  validation {
    # IAM API model, pathType: at most 512 characters, (\u002F)|(\u002F[\u0021-\u007E]+\u002F).
    condition     = can(regex("^/([!-~]{0,510}/)?$", var.role_path))
    error_message = "role_path must start and end with '/' (for example /service/)."
  }
}

variable "role_permissions_boundary" {
  description = "ARN of the permissions boundary of the created role."
  type        = string
  default     = null

  validation {
    # A managed policy ARN: arn:<partition>:iam::<account, or aws for AWS managed>:policy/<path><name>
    # (Service Authorization Reference, IAM resource type "policy").
    condition     = var.role_permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.role_permissions_boundary))
    error_message = "role_permissions_boundary must be an IAM policy ARN (arn:<partition>:iam::<account|aws>:policy/<name>)."
  }
}

variable "policy_statements" {
  description = "Extra statements for the role's inline policy, keyed by Sid. [More](docs/inputs.md#policy_statements)."
  # `any`, not a map of objects: a key the type did not declare would be dropped without a word
  # (terraform-aws-lambda's `condition` granted the statement without its condition); the keys
  # and defaults are local.policy_statement_defaults and local.policy_condition_keys (main.tf),
  # and the first validations refuse any other key.
  type    = any
  default = {}

  validation {
    # terraform-aws-lambda's name for the conditions.
    condition     = var.policy_statements == null || try(alltrue([for sid, s in var.policy_statements : !contains(keys(s), "condition")]), true)
    error_message = "policy_statements: `condition` is terraform-aws-lambda's name: this module's is `conditions` (a list of { test, variable, values }); a statement is never granted without its conditions."
  }

  validation {
    condition = var.policy_statements == null || try(alltrue(flatten([
      for sid, s in var.policy_statements : concat(
        [length(setsubtract(keys(s), concat(keys(local.policy_statement_defaults), ["condition"]))) == 0],
        [for c in try(s.conditions, null) == null ? [] : s.conditions : length(setsubtract(keys(c), local.policy_condition_keys)) == 0],
      )
    ])), false)
    error_message = "policy_statements must map Sids to objects whose keys are among ${join(", ", keys(local.policy_statement_defaults))}, each of conditions holding only ${join(", ", local.policy_condition_keys)}${try(format("; unknown: %s", join(", ", flatten([for sid, s in var.policy_statements : concat([for k in setsubtract(keys(s), concat(keys(local.policy_statement_defaults), ["condition"])) : "${sid}.${k}"], [for i, c in try(s.conditions, null) == null ? [] : s.conditions : [for k in setsubtract(keys(c), local.policy_condition_keys) : "${sid}.conditions[${i}].${k}"]]...)]))), "")} (a key Terraform does not know would otherwise be ignored, and a grant widened). This module has no not_actions, not_resources or principals."
  }

  validation {
    # `any` checks no types: actions, resources and each condition's values are lists of strings.
    condition = var.policy_statements == null ? true : try(alltrue(flatten([
      for sid, s in var.policy_statements : concat(
        [for a in concat(tolist(s.actions), tolist(s.resources)) : can(tostring(a))],
        [for c in(try(s.conditions, null) == null ? [] : s.conditions) : can(tostring(c.test)) && can(tostring(c.variable)) && length(c.values) > 0 && alltrue([for v in c.values : can(tostring(v))])],
      )
    ])), false)
    error_message = "policy_statements: actions and resources must be lists of strings, and each condition needs test, variable and a non-empty list of values (strings)."
  }

  validation {
    # IAM JSON policy reference, "Sid": uppercase and lowercase ASCII letters and digits; Effect
    # is Allow or Deny.
    condition = var.policy_statements == null ? true : try(alltrue([
      for k, s in var.policy_statements :
      can(regex("^[A-Za-z0-9]+$", k)) && contains(["Allow", "Deny"], try(s.effect, null) == null ? local.policy_statement_defaults.effect : s.effect) && length(s.actions) > 0 && length(s.resources) > 0
    ]), false)
    error_message = "policy_statements keys must be alphanumeric Sids; each statement needs effect Allow or Deny, at least one action and at least one resource."
  }

  validation {
    # IAM rejects a policy with two statements of one Sid.
    condition     = var.policy_statements == null ? true : try(length(setintersection(keys(var.policy_statements), values(local.statement_sids))) == 0, false)
    error_message = "policy_statements keys must not be one of the Sids of the module's own statements: ${join(", ", sort(values(local.statement_sids)))} (IAM rejects a policy with two statements of one Sid)."
  }
}

################################################################################
# Handler settings (environment variables)
################################################################################

variable "provider_secret" {
  description = "Where the handler reads the provider's credentials. [More](docs/inputs.md#provider_secret)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `arn` left the handler without credentials); the keys and defaults
  # are local.provider_secret_defaults (main.tf), and the first validation refuses any other key.
  type     = any
  default  = {}
  nullable = false

  validation {
    condition     = try(length(setsubtract(keys(var.provider_secret), keys(local.provider_secret_defaults))) == 0, false)
    error_message = "provider_secret must be an object whose keys are among ${join(", ", keys(local.provider_secret_defaults))}${try(length(setsubtract(keys(var.provider_secret), keys(local.provider_secret_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.provider_secret), keys(local.provider_secret_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    # `any` converts nothing: each value must convert to its key's type (local.object_key_types).
    condition     = alltrue([for k, v in try(merge(var.provider_secret), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.provider_secret), {}) : "provider_secret.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    condition     = try(var.provider_secret.arn, null) == null || can(regex(local.secret_arn_pattern, var.provider_secret.arn))
    error_message = "provider_secret.arn must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>)."
  }

  validation {
    condition     = try(var.provider_secret.arn, null) == null || try(var.provider_secret.parameter_arn, null) == null
    error_message = "Set provider_secret.arn or provider_secret.parameter_arn, not both."
  }

  validation {
    condition     = try(var.provider_secret.parameter_arn, null) == null || can(regex(local.ssm_parameter_arn_pattern, var.provider_secret.parameter_arn))
    error_message = "provider_secret.parameter_arn must be an SSM parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>)."
  }

  validation {
    condition     = try(var.provider_secret.kms_key_arn, null) == null || can(regex(local.kms_key_arn_pattern, var.provider_secret.kms_key_arn))
    error_message = "provider_secret.kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }

  validation {
    condition     = try(var.provider_secret.kms_key_arn, null) == null || try(var.provider_secret.arn, null) != null || try(var.provider_secret.parameter_arn, null) != null
    error_message = "provider_secret.kms_key_arn is the key of provider_secret.arn or provider_secret.parameter_arn: set one of them too."
  }

  validation {
    condition     = try(var.provider_secret.ttl_seconds, null) == null || try(var.provider_secret.ttl_seconds >= 0 && var.provider_secret.ttl_seconds <= 86400 && floor(var.provider_secret.ttl_seconds) == tonumber(var.provider_secret.ttl_seconds), false)
    error_message = "provider_secret.ttl_seconds must be a whole number between 0 and 86400."
  }
}

variable "delivery" {
  description = "The adapter that sends each endpoint, and its settings. [More](docs/inputs.md#delivery)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `adaptor` left the adapter `none`); the keys and defaults are
  # local.delivery_defaults and local.delivery_adapter_defaults (main.tf), and the validations
  # below refuse any other key.
  type    = any
  default = null


  validation {
    condition     = var.delivery == null || try(length(setsubtract(keys(var.delivery), keys(local.delivery_defaults))) == 0, false)
    error_message = "delivery must be an object whose keys are among ${join(", ", keys(local.delivery_defaults))}${try(length(setsubtract(keys(var.delivery), keys(local.delivery_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.delivery), keys(local.delivery_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition = var.delivery == null || alltrue([
      for a, defaults in local.delivery_adapter_defaults :
      try(var.delivery[a], null) == null || try(length(setsubtract(keys(var.delivery[a]), keys(defaults))) == 0, false)
    ])
    error_message = "delivery.http takes only ${join(", ", keys(local.delivery_adapter_defaults.http))}; delivery.twilio only ${join(", ", keys(local.delivery_adapter_defaults.twilio))}; delivery.slack only ${join(", ", keys(local.delivery_adapter_defaults.slack))}${var.delivery == null ? "" : format(". Unknown: %s", join(", ", flatten([for a, defaults in local.delivery_adapter_defaults : [for k in try(setsubtract(keys(var.delivery[a]), keys(defaults)), []) : "delivery.${a}.${k}"]])))}."
  }

  validation {
    # Never defaulted: a typo in the key would otherwise deploy the `none` adapter, which sends
    # nothing, for a delivery meant to send.
    condition     = var.delivery == null || try(var.delivery.adapter, null) != null
    error_message = "delivery.adapter is required: none (sends nothing, every endpoint answered skipped), http, twilio, slack or your own adapter's name. It has no default."
  }

  validation {
    # `any` checks no types: the switches are booleans and the maps and lists hold strings (the
    # environment variables they become).
    condition = var.delivery == null ? true : try(
      (try(var.delivery.skip_opted_out, null) == null || can(tobool(var.delivery.skip_opted_out))) &&
      (try(var.delivery.skip_inactive, null) == null || can(tobool(var.delivery.skip_inactive))) &&
      (try(var.delivery.twilio.whatsapp, null) == null || can(tobool(var.delivery.twilio.whatsapp))) &&
      alltrue([for v in concat(try(values(var.delivery.adapter_settings), []), try(values(var.delivery.http.headers), []), try(var.delivery.twilio.allowed_country_codes, null) == null ? [] : var.delivery.twilio.allowed_country_codes) : can(tostring(v))]),
      false
    )
    error_message = "delivery.skip_opted_out, skip_inactive and twilio.whatsapp must be true or false; delivery.adapter_settings and http.headers maps of strings; twilio.allowed_country_codes a list of strings."
  }

  validation {
    # A block configures one adapter; another adapter's block would be ignored.
    condition = try(var.delivery.adapter, null) == null ? true : try(alltrue([
      for a in keys(local.delivery_adapter_defaults) : try(var.delivery[a], null) == null || var.delivery.adapter == a
    ]), false)
    error_message = "delivery.http, delivery.twilio and delivery.slack each configure the adapter of that name: set only the block of delivery.adapter${try(" (${var.delivery.adapter})", "")}, or it would be ignored."
  }


  validation {
    # The handler's rule (custom_channel/adapters/__init__.py, ADAPTER_NAME and RESERVED_NAMES):
    # an adapter's settings are CHANNEL_<NAME>_*, so a name must not be a word the handler's own
    # settings begin with (CHANNEL_METRICS_*, CHANNEL_SECRET_*, CHANNEL_RECEIPTS_*, CHANNEL_CONSENT_*...).
    condition     = try(var.delivery.adapter, null) == null ? true : try(can(regex("^[a-z][a-z0-9_]{0,31}$", var.delivery.adapter)) && !contains(["adapter", "connect", "consent", "deadline", "event", "failure", "idempotency", "log", "max", "message", "metrics", "name", "rate", "receipts", "receiver", "safety", "secret", "skip"], var.delivery.adapter), false)
    error_message = "delivery.adapter must be none, http, twilio, slack, or the name of your own adapter: 1-32 lower-case letters, digits or _, starting with a letter, and not adapter, connect, consent, deadline, event, failure, idempotency, log, max, message, metrics, name, rate, receipts, receiver, safety, secret or skip."
  }



  validation {
    # A Python module path (the handler imports it: adapters/__init__.py).
    condition     = try(var.delivery.adapter_module, null) == null ? true : can(regex("^[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)*$", var.delivery.adapter_module))
    error_message = "delivery.adapter_module must be a dotted Python module path, such as my_provider or vendor.adapters.echo."
  }

  validation {
    # Lambda's environment variable names: letters, digits and _ (Lambda API, Environment).
    condition     = try(var.delivery.adapter_settings, null) == null ? true : try(alltrue([for k in keys(var.delivery.adapter_settings) : can(regex("^[A-Z][A-Z0-9_]{0,63}$", k))]), false)
    error_message = "delivery.adapter_settings keys must be upper-case setting suffixes (A-Z, 0-9 and _, starting with a letter, at most 64): each becomes CHANNEL_<ADAPTER>_<KEY>."
  }

  validation {
    condition     = try(var.delivery.adapter, null) == null ? true : try(length(try(var.delivery.adapter_settings, null) == null ? {} : var.delivery.adapter_settings) == 0 || !contains(["none", "http", "twilio", "slack"], var.delivery.adapter), false)
    error_message = "delivery.adapter_settings is for an adapter of your own; the built-in adapters are set with delivery.http, delivery.twilio and delivery.slack."
  }

  validation {
    condition     = try(var.delivery.adapter, null) != "http" || try(var.delivery.http, null) != null
    error_message = "delivery.http (with at least url) is required when delivery.adapter is \"http\"."
  }

  validation {
    condition     = try(var.delivery.adapter, null) != "twilio" || try(var.delivery.twilio, null) != null
    error_message = "delivery.twilio (with at least from) is required when delivery.adapter is \"twilio\"."
  }

  validation {
    # https://, or http:// to a loopback host; the scheme, host and port are fixed (no
    # placeholder before the first "/" after "://": endpoint data must not pick the server).
    condition = try(var.delivery.http, null) == null ? true : try(
      var.delivery.http == null || try(
        (can(regex(local.https_url_pattern, var.delivery.http.url)) || can(regex(local.loopback_http_url_pattern, var.delivery.http.url))) &&
        !strcontains(split("/", replace(var.delivery.http.url, "://", "/"))[1], "{{"),
        false
      ),
      false
    )
    error_message = "delivery.http.url must be an https:// URL (http:// only to a loopback host: 127.0.0.0/8, localhost or [::1]), with no {{...}} placeholder in the scheme, host or port: placeholders may stand only after the first / of the path."
  }

  validation {
    condition     = try(var.delivery.http, null) == null ? true : try(try(var.delivery.http.method, null) == null ? true : contains(["POST", "PUT", "PATCH", "GET"], upper(var.delivery.http.method)), false)
    error_message = "delivery.http.method must be POST, PUT, PATCH or GET."
  }

  validation {
    condition     = try(var.delivery.http, null) == null ? true : try(try(var.delivery.http.body_encoding, null) == null ? true : contains(["json", "form", "plain"], var.delivery.http.body_encoding), false)
    error_message = "delivery.http.body_encoding must be json, form or plain."
  }

  validation {
    # HTTP status codes are three digits, 1xx to 5xx (RFC 9110, section 15).
    condition     = try(var.delivery.http, null) == null ? true : try(try(var.delivery.http.success_codes, null) == null ? true : can(regex("^[1-5][0-9]{2}(-[1-5][0-9]{2})?(,[1-5][0-9]{2}(-[1-5][0-9]{2})?)*$", replace(var.delivery.http.success_codes, " ", ""))), false)
    error_message = "delivery.http.success_codes must be a comma list of status codes or ranges, for example \"200-299\" or \"200,202\"."
  }

  validation {
    # A header name is a token (RFC 9110, section 5.1 and 5.6.2: tchar).
    condition = try(var.delivery.http, null) == null ? true : try(
      alltrue([
        for h in concat(keys(try(var.delivery.http.headers, {})), compact([try(var.delivery.http.idempotency_header, null)])) :
        can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", h))
      ]),
      false
    )
    error_message = "delivery.http header names (headers keys and idempotency_header) must be valid HTTP header names."
  }

  validation {
    # Twilio's From: an E.164 number (+ and at most 15 digits, ITU-T E.164), a Messaging Service
    # SID (MG and 32 hex digits) or an alphanumeric sender id of at most 11 characters (Twilio
    # Messaging docs, "Alphanumeric Sender ID").
    condition     = try(var.delivery.twilio, null) == null ? true : try(can(regex("^(\\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$", var.delivery.twilio.from)), false)
    error_message = "delivery.twilio.from must be an E.164 number (+15551234567), a Messaging Service SID (MG + 32 hex) or an alphanumeric sender id (at most 11 characters)."
  }

  validation {
    # E.164 country calling codes are 1 to 3 digits; 4 leaves room for a code plus an area
    # prefix (for example 1684, American Samoa within +1).
    condition = try(var.delivery.twilio.allowed_country_codes, null) == null ? true : try(
      try(
        length(var.delivery.twilio.allowed_country_codes) > 0 &&
        alltrue([for c in var.delivery.twilio.allowed_country_codes : can(regex("^[1-9][0-9]{0,3}$", c))]),
        false
      ),
      false
    )
    error_message = "delivery.twilio.allowed_country_codes must be a non-empty list of E.164 calling-code prefixes without '+': 1 to 4 digits each, not starting with 0 (for example [\"1\", \"44\"])."
  }

  validation {
    # Only non-empty: the handler compiles it with Python's re, whose syntax Terraform's RE2 does not check.
    condition     = try(var.delivery.slack, null) == null ? true : try(try(var.delivery.slack.channel_pattern, null) == null ? true : length(var.delivery.slack.channel_pattern) > 0, false)
    error_message = "delivery.slack.channel_pattern must be null (the handler's default) or a non-empty regular expression (Python re syntax)."
  }

  validation {
    condition = var.delivery == null ? true : try(
      alltrue([
        for u in compact([try(var.delivery.twilio.api_base, null), try(var.delivery.slack.api_base, null)]) :
        can(regex(local.https_url_pattern, u))
      ]),
      false
    )
    error_message = "delivery.twilio.api_base and delivery.slack.api_base must be https:// URLs."
  }


  validation {
    condition     = try(var.delivery.max_workers, null) == null ? true : try(var.delivery.max_workers >= 1 && var.delivery.max_workers <= 50 && floor(var.delivery.max_workers) == var.delivery.max_workers, false)
    error_message = "delivery.max_workers must be a whole number between 1 and 50."
  }

  validation {
    condition     = try(var.delivery.max_attempts, null) == null ? true : try(var.delivery.max_attempts >= 1 && var.delivery.max_attempts <= 10 && floor(var.delivery.max_attempts) == var.delivery.max_attempts, false)
    error_message = "delivery.max_attempts must be a whole number between 1 and 10."
  }

  validation {
    condition     = try(var.delivery.rate_limit_per_second, null) == null ? true : try(var.delivery.rate_limit_per_second >= 0 && var.delivery.rate_limit_per_second <= 100000 && floor(var.delivery.rate_limit_per_second) == var.delivery.rate_limit_per_second, false)
    error_message = "delivery.rate_limit_per_second must be a whole number between 0 and 100000."
  }


  validation {
    condition     = try(var.delivery.failure_policy, null) == null ? true : try(contains(["report", "retry"], var.delivery.failure_policy), false)
    error_message = "delivery.failure_policy must be \"report\" or \"retry\"."
  }





  validation {
    # At most the longest wait of an event source (local.source_wait_seconds: Connect's 30); the
    # function's precondition bounds it by the chosen source's wait and by timeout.
    condition     = try(var.delivery.deadline_seconds, null) == null ? true : try(var.delivery.deadline_seconds >= 1 && var.delivery.deadline_seconds <= max(values(local.source_wait_seconds)...) && floor(var.delivery.deadline_seconds) == var.delivery.deadline_seconds, false)
    error_message = "delivery.deadline_seconds must be a whole number between 1 and ${max(values(local.source_wait_seconds)...)}: the event source waits at most that long for the function (Pinpoint 15, Connect 30)."
  }

  validation {
    condition     = try(var.delivery.safety_margin_ms, null) == null ? true : try(var.delivery.safety_margin_ms >= 0 && var.delivery.safety_margin_ms <= 5000 && floor(var.delivery.safety_margin_ms) == var.delivery.safety_margin_ms, false)
    error_message = "delivery.safety_margin_ms must be a whole number between 0 and 5000."
  }
}

variable "metrics" {
  description = "The handler's metrics: `mode` and `namespace`. [More](docs/inputs.md#metrics)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `namespace` published to the default one); the keys and defaults are
  # local.metrics_defaults (main.tf), and the first validation refuses any other key.
  type     = any
  default  = {}
  nullable = false

  validation {
    condition     = try(length(setsubtract(keys(var.metrics), keys(local.metrics_defaults))) == 0, false)
    error_message = "metrics must be an object whose keys are among ${join(", ", keys(local.metrics_defaults))}${try(length(setsubtract(keys(var.metrics), keys(local.metrics_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.metrics), keys(local.metrics_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.metrics.mode, null) == null ? true : try(contains(["api", "emf", "off"], var.metrics.mode), false)
    error_message = "metrics.mode must be api, emf or off."
  }

  validation {
    # CloudWatch API model, Namespace: 1-255 characters, pattern [^:].*; AWS/ is reserved for
    # AWS services (CloudWatch User Guide, "Namespaces"). No '$': this module's own rule.
    condition     = try(var.metrics.namespace, null) == null ? true : try(can(regex("^[^:$][^$]{0,254}$", var.metrics.namespace)) && !startswith(var.metrics.namespace, "AWS/"), false)
    error_message = "metrics.namespace must be 1-255 characters, must not start with ':' or contain '$', and must not start with AWS/."
  }
}
