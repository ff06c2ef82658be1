# The interface follows one convention:
# - The Lambda function, its role and its logs are flat variables, named as
#   terraform-aws-modules/terraform-aws-lambda names them where the meaning is the same.
# - Everything else the channel configures is ONE object variable per concern, named after the
#   concern (provider_secret, delivery, metrics, idempotency, connect, application, segment,
#   campaign, pinpoint_permission, receiver, failure_queue, alarms, dashboard); the flag that
#   turns the concern on is inside it: `create` for what the module creates, `enabled` for
#   optional features.
# - Top-level switches stay flat: name, name_prefix, tags, event_source, channel_mode, and
#   webhook_url (flat because it is sensitive: an object holding it would hide every other field
#   of that object in plans).
# Validations that encode a service's rule cite it; the patterns and value lists they share are
# defined once, in the locals of main.tf ("Rules of the services").
# Naming rule: an input that terraform-aws-modules/terraform-aws-lambda also has keeps that
# module's name and values where the meaning is the same, and where this module names it
# otherwise its name is refused with an error naming ours, never ignored (architectures,
# cloudwatch_logs_kms_key_id, vpc_subnet_ids, vpc_security_group_ids, policy_statements'
# `condition`, s3_existing_package's `version_id`, the log levels WARN, TRACE and FATAL),
# as is any key an object variable does not declare where a typo would change what is sent or
# widen a grant (delivery, failure_queue, idempotency, policy_statements, s3_existing_package,
# segment, pinpoint_permission and connect are typed `any` for that: main.tf, "Object inputs
# typed `any`").

################################################################################
# General
################################################################################

variable "name" {
  description = "Base name of every resource the module creates (Lambda function, IAM role, log group, HTTP API, CloudFormation stack). Required: starts with a letter; letters, digits, hyphens and underscores; at most 64 characters together with `name_prefix`."
  type        = string

  validation {
    # Lambda FunctionName: [a-zA-Z0-9-_]+, at most 64 characters (local.name_pattern).
    condition     = can(regex(local.name_pattern, var.name)) && length("${var.name_prefix}${var.name}") <= local.max_name_length
    error_message = "name must start with a letter, hold only letters, digits, '-' and '_', and be at most ${local.max_name_length} characters long together with name_prefix."
  }
}

variable "name_prefix" {
  description = "Prefix prepended to `name` (for example `prod-`). Letters, digits, hyphens and underscores; starts with a letter when set."
  type        = string
  default     = ""

  validation {
    condition     = var.name_prefix == "" || can(regex(local.name_pattern, var.name_prefix))
    error_message = "name_prefix must be empty or start with a letter and hold only letters, digits, '-' and '_'."
  }
}

variable "tags" {
  description = "Tags applied to every resource that supports them (also to the CloudFormation stack, which passes them on to the segment and campaign)."
  type        = map(string)
  default     = {}
}

variable "event_source" {
  description = <<-EOT
    What invokes the function (CHANNEL_EVENT_SOURCE):
    `pinpoint` - an Amazon Pinpoint campaign or journey through its custom channel (the module's application, segment, campaign and `pinpoint.<region>.amazonaws.com` permission);
    `connect` - an Amazon Connect outbound campaign's Custom action block, with a batch of customer profiles. Needs `connect.instance_arn` and a message (`connect.template_ids`, `connect.message_templates` or `connect.message_template`); creates no Pinpoint application, segment, campaign or Pinpoint permission, and grants the invoke permission to `connect-campaigns.amazonaws.com` and `connect.amazonaws.com` for the instance's account instead. Only with `channel_mode = "lambda"` and `delivery.failure_policy = "report"`. Register the function with the instance afterwards: output `connect_register_command`.
  EOT
  type        = string
  default     = "pinpoint"
  nullable    = false

  validation {
    condition     = contains(["pinpoint", "connect"], var.event_source)
    error_message = "event_source must be \"pinpoint\" or \"connect\"."
  }
}

variable "channel_mode" {
  description = <<-EOT
    How Pinpoint reaches the channel:
    `lambda` - the campaign's DeliveryUri is the Lambda function (or its alias); Pinpoint invokes it directly.
    `webhook` - the campaign's DeliveryUri is the external https URL in `webhook_url`; no Lambda function is created.
    `receiver` - the Lambda function is put behind an API Gateway HTTP API (one route, on the literal secret path) and that URL, carrying a generated path secret, is the DeliveryUri.
  EOT
  type        = string
  default     = "lambda"

  validation {
    condition     = contains(["lambda", "webhook", "receiver"], var.channel_mode)
    error_message = "channel_mode must be one of: lambda, webhook, receiver."
  }

  validation {
    condition     = var.event_source != "connect" || var.channel_mode == "lambda"
    error_message = "event_source = \"connect\" needs channel_mode = \"lambda\": a Connect custom action invokes a Lambda function, not a webhook."
  }
}

variable "webhook_url" {
  description = "External webhook used as the campaign's DeliveryUri when `channel_mode = \"webhook\"`. Pinpoint's rules: starts with `https://`, holds only letters, digits and `- . _ ~ ? / # :`, and complies with RFC 3986 (so no `=` or `&`: a secret has to travel in the path). On campaign creation Pinpoint sends HEAD to it and expects header `X-Amz-Pinpoint-AccountId` equal to the account id. Sensitive: a secret in its path is kept out of plans and outputs (it still reaches the state and the campaign's CloudFormation template)."
  type        = string
  default     = null
  sensitive   = true

  # No validation here: a failed variable validation prints the value it tested, sensitive or
  # not (Terraform 1.11), and this URL's path holds a secret. Its rules are the preconditions
  # of output pinpoint_delivery_uri (outputs.tf), whose messages show no value
  # (tests/test_module_inputs.py).
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
  description = "Function entry point. Null picks `custom_channel.lambda_function.lambda_handler`, or `custom_channel.receiver.lambda_handler` when `channel_mode = \"receiver\"`. Set it only for a vendored handler."
  type        = string
  default     = null

  validation {
    # Lambda API model, Handler shape: at most 128 characters, pattern [^\s]+.
    condition     = var.handler == null || can(regex("^[^\\s]{1,128}$", var.handler))
    error_message = "handler must be 1 to 128 characters without whitespace."
  }
}

variable "local_existing_package" {
  description = "Path of a local zip to deploy instead of the package committed with the module (`handler/dist/custom-channel.zip`). Its hash sets `source_code_hash`. Conflicts with `s3_existing_package`."
  type        = string
  default     = null

  validation {
    condition     = var.local_existing_package == null || can(regex("\\.zip$", var.local_existing_package))
    error_message = "local_existing_package must name a .zip file."
  }
}

variable "s3_existing_package" {
  description = "Deploy the function code from an S3 object instead of a local zip (the bucket must be in the function's region): `bucket`, `key`, `object_version` (terraform-aws-lambda's `version_id` is refused) and `source_code_hash` (base64 SHA-256 of the zip; makes Terraform notice new code under the same key). Any other key is refused."
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
    condition     = var.s3_existing_package == null || var.local_existing_package == null
    error_message = "Set local_existing_package or s3_existing_package, not both."
  }

  validation {
    # S3 bucket names are at least 3 characters (Amazon S3 User Guide, "Bucket naming rules").
    condition     = var.s3_existing_package == null ? true : try(length(try(var.s3_existing_package.bucket, null)) >= 3 && length(try(var.s3_existing_package.key, null)) >= 1, false)
    error_message = "s3_existing_package needs a bucket name and an object key."
  }
}

variable "runtime" {
  description = "Lambda runtime. The packaged handler runs on python3.12 and python3.13."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.(1[2-9]|[2-9][0-9])$", var.runtime))
    error_message = "runtime must be python3.12 or later (for example python3.13)."
  }
}

variable "architecture" {
  description = "Instruction set of the function: `arm64` (Graviton, cheaper) or `x86_64`."
  type        = string
  default     = "arm64"

  validation {
    # Lambda API model, Architecture enum.
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "architectures" {
  description = "terraform-aws-lambda's name for `architecture`: refused, so that it is not ignored. Set `architecture` (one value, arm64 or x86_64)."
  type        = any
  default     = null

  validation {
    condition     = var.architectures == null
    error_message = "architectures is terraform-aws-lambda's name: this module's is architecture, one value (\"arm64\" or \"x86_64\"), not a list."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. Null uses the event source's wait: 15 for Pinpoint, 30 for Connect. Pinpoint waits at most 15 seconds for the function and may then try the same delivery again (up to 3 times in all), so a timeout above 15 lets a slow run overlap its own retry: a source of duplicate deliveries. Connect waits 30 seconds and fails the custom action after that."
  type        = number
  default     = null

  validation {
    # Lambda quotas: function timeout 900 seconds (15 minutes); the API model's Timeout minimum is 1.
    condition     = var.timeout == null || try(var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout, false)
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB; Lambda gives CPU in proportion (1,769 MB = one vCPU). 512 (the default): a 50-endpoint batch is CPU-bound below about 850 MB, so 128-512 MB cost the same per batch, and 512 halves the billed duration of 256 (about 165 vs 330 ms against a 100 ms provider). More memory shortens a batch but raises its price (1,769 MB: about 2x). Measured figures and the model: docs/benchmarks.md."
  type        = number
  default     = 512

  validation {
    # Lambda quotas: memory 128 MB to 10,240 MB (the API model's MemorySize minimum is 128).
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function; -1 leaves it unreserved, 0 stops every invocation."
  type        = number
  default     = -1

  validation {
    # Lambda API model, ReservedConcurrentExecutions: minimum 0; -1 is the provider's "unreserved".
    condition     = var.reserved_concurrent_executions >= -1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be -1 or a whole number >= 0."
  }
}

variable "publish" {
  description = "Publish a version on every code or configuration change and point an alias (`alias_name`) at it. Pinpoint (or the HTTP API) then invokes the alias, and the invoke permission targets the alias."
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
  description = "Provisioned concurrency on the alias; 0 for none. Needs `publish = true`."
  type        = number
  default     = 0

  validation {
    condition     = var.provisioned_concurrent_executions >= 0 && floor(var.provisioned_concurrent_executions) == var.provisioned_concurrent_executions
    error_message = "provisioned_concurrent_executions must be a whole number >= 0."
  }

  validation {
    # PutProvisionedConcurrencyConfig takes an alias or version, never $LATEST.
    condition     = var.provisioned_concurrent_executions == 0 || var.publish
    error_message = "provisioned_concurrent_executions needs publish = true (it is set on the alias)."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode: null (off), `Active` or `PassThrough`. When set the role may write trace segments."
  type        = string
  default     = null

  validation {
    # Lambda API model, TracingMode enum.
    condition     = var.tracing_mode == null || contains(["Active", "PassThrough"], coalesce(var.tracing_mode, "-"))
    error_message = "tracing_mode must be null, Active or PassThrough."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key that encrypts the function's environment variables (null: the AWS managed key). Lambda decrypts them through a grant it creates when the function is deployed, so whoever runs Terraform needs kms:CreateGrant and kms:Encrypt on the key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

variable "vpc_config" {
  description = "Run the function in a VPC. The role then gets the EC2 network-interface permissions Lambda needs. Provider APIs must then be reachable from the subnets (NAT or VPC endpoints, including Secrets Manager / SSM / CloudWatch when used)."
  type = object({
    subnet_ids                  = list(string)
    security_group_ids          = list(string)
    ipv6_allowed_for_dual_stack = optional(bool, false)
  })
  default = null

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
  description = "terraform-aws-lambda's name for `vpc_config.subnet_ids`: refused, so that it is not ignored. Set `vpc_config`."
  type        = any
  default     = null

  validation {
    condition     = var.vpc_subnet_ids == null
    error_message = "vpc_subnet_ids is terraform-aws-lambda's name: this module's is vpc_config = { subnet_ids = [...], security_group_ids = [...] }."
  }
}

variable "vpc_security_group_ids" {
  description = "terraform-aws-lambda's name for `vpc_config.security_group_ids`: refused, so that it is not ignored. Set `vpc_config`."
  type        = any
  default     = null

  validation {
    condition     = var.vpc_security_group_ids == null
    error_message = "vpc_security_group_ids is terraform-aws-lambda's name: this module's is vpc_config = { subnet_ids = [...], security_group_ids = [...] }."
  }
}

variable "environment_variables" {
  description = "Additional environment variables for the function. Names starting with `CHANNEL_` are reserved for the module's typed variables."
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
  description = "Format of the function's logs: `JSON` (structured; the log level settings apply) or `Text`."
  type        = string
  default     = "JSON"

  validation {
    # Lambda API model, LogFormat enum.
    condition     = contains(["JSON", "Text"], var.logging_log_format)
    error_message = "logging_log_format must be JSON or Text."
  }
}

variable "logging_application_log_level" {
  description = "Handler log level (CHANNEL_LOG_LEVEL); with JSON logs it also sets the function's application log level (WARNING becomes Lambda's WARN)."
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
  description = "How the function's log lines name an endpoint (a Pinpoint endpoint id, a Connect profile id), which is often an email address or a phone number (CHANNEL_LOG_ENDPOINT_IDS): `hashed`, a keyed HMAC-SHA256 under a random key the module generates for the function (`custom-channel log-id` prints the hash of a given id), or `clear`, the id itself, for deployments whose ids are opaque."
  type        = string
  default     = "hashed"

  validation {
    condition     = contains(["hashed", "clear"], var.logging_endpoint_ids)
    error_message = "logging_endpoint_ids must be hashed or clear."
  }
}

variable "cloudwatch_logs_retention_in_days" {
  description = "Retention of the function's log group (and of the HTTP API access log group), in days. 0 keeps logs forever."
  type        = number
  default     = 30

  validation {
    # CloudWatch Logs retentionInDays values (local.log_retention_days).
    condition     = contains(local.log_retention_days, var.cloudwatch_logs_retention_in_days)
    error_message = "cloudwatch_logs_retention_in_days must be one of ${join(", ", local.log_retention_days)}."
  }
}

variable "cloudwatch_logs_kms_key_arn" {
  description = "ARN of a KMS key that encrypts the log groups. Its key policy must allow the `logs.<region>.amazonaws.com` principal kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* with condition `ArnLike kms:EncryptionContext:aws:logs:arn = arn:<partition>:logs:<region>:<account>:log-group:*`; otherwise creating the log group fails."
  type        = string
  default     = null

  validation {
    condition     = var.cloudwatch_logs_kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.cloudwatch_logs_kms_key_arn))
    error_message = "cloudwatch_logs_kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

variable "cloudwatch_logs_kms_key_id" {
  description = "terraform-aws-lambda's name for `cloudwatch_logs_kms_key_arn`: refused, so that it is not ignored. Set `cloudwatch_logs_kms_key_arn`."
  type        = any
  default     = null

  validation {
    condition     = var.cloudwatch_logs_kms_key_id == null
    error_message = "cloudwatch_logs_kms_key_id is terraform-aws-lambda's name: this module's is cloudwatch_logs_kms_key_arn (a KMS key ARN)."
  }
}

variable "use_existing_cloudwatch_log_group" {
  description = "Use the existing log group `/aws/lambda/<name>` (read with a data source: the plan fails if it does not exist) instead of creating it, for example when adopting a function whose log group exists (creating it again fails with ResourceAlreadyExistsException). The module then leaves its retention and encryption as they are: `cloudwatch_logs_retention_in_days` and `cloudwatch_logs_kms_key_arn` apply to the log groups the module creates only."
  type        = bool
  default     = false
  nullable    = false
}

variable "cloudwatch_logs_skip_destroy" {
  description = "Keep the function's log group (and its logs) when the module is destroyed, only removing it from the state. Applies to a log group the module creates."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# IAM
################################################################################

variable "create_role" {
  description = "Create the function's execution role. Set false to bring your own role in `lambda_role`; the output `lambda_role_policy_json` holds the policy it needs."
  type        = bool
  default     = true
}

variable "lambda_role" {
  description = "ARN of an existing execution role (trusting lambda.amazonaws.com), used when `create_role = false`."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_role == null || can(regex(local.iam_role_arn_pattern, var.lambda_role))
    error_message = "lambda_role must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)."
  }

  validation {
    condition     = var.create_role || var.channel_mode == "webhook" || var.lambda_role != null
    error_message = "lambda_role is required when create_role is false (unless channel_mode is \"webhook\", which creates no function)."
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
  description = "ARN of the managed policy used as permissions boundary of the created role."
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
  description = "Extra statements for the role's inline policy, keyed by a Sid (letters and digits, and none of the Sids of the module's own statements, listed in the validation message; IAM rejects two statements of one Sid). Each: `effect` (Allow/Deny, default Allow), `actions`, `resources`, and optional `conditions` (`test`, `variable`, `values`). Any other key is refused, terraform-aws-lambda's `condition`, `not_actions`, `not_resources` and `principals` included: a statement is never granted without part of what was written."
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
  description = <<-EOT
    Where the handler reads the provider credentials, a JSON object (the twilio and slack adapters need it):
    `arn` (a Secrets Manager secret, CHANNEL_SECRET_ID; the role may read only this secret) or `parameter_arn` (an SSM SecureString parameter, whose name the handler gets in CHANNEL_SECRET_PARAMETER; the role may read only this parameter), not both;
    `kms_key_arn` (the customer managed KMS key that encrypts the secret or parameter; the role may then kms:Decrypt with it, only through Secrets Manager or SSM; null when the AWS managed key is used);
    `ttl_seconds` (how long the handler caches the secret, CHANNEL_SECRET_TTL_SECONDS; 0-86400, default 300).
  EOT
  type = object({
    arn           = optional(string)
    parameter_arn = optional(string)
    kms_key_arn   = optional(string)
    ttl_seconds   = optional(number, 300)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.provider_secret.arn == null || can(regex(local.secret_arn_pattern, var.provider_secret.arn))
    error_message = "provider_secret.arn must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>)."
  }

  validation {
    condition     = var.provider_secret.arn == null || var.provider_secret.parameter_arn == null
    error_message = "Set provider_secret.arn or provider_secret.parameter_arn, not both."
  }

  validation {
    condition     = var.provider_secret.parameter_arn == null || can(regex(local.ssm_parameter_arn_pattern, var.provider_secret.parameter_arn))
    error_message = "provider_secret.parameter_arn must be an SSM parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>)."
  }

  validation {
    condition     = var.provider_secret.kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.provider_secret.kms_key_arn))
    error_message = "provider_secret.kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }

  validation {
    condition     = var.provider_secret.kms_key_arn == null || var.provider_secret.arn != null || var.provider_secret.parameter_arn != null
    error_message = "provider_secret.kms_key_arn is the key of provider_secret.arn or provider_secret.parameter_arn: set one of them too."
  }

  validation {
    condition     = var.provider_secret.ttl_seconds >= 0 && var.provider_secret.ttl_seconds <= 86400 && floor(var.provider_secret.ttl_seconds) == var.provider_secret.ttl_seconds
    error_message = "provider_secret.ttl_seconds must be a whole number between 0 and 86400."
  }
}

variable "delivery" {
  description = <<-EOT
    Where and how the handler sends each endpoint (environment CHANNEL_ADAPTER and CHANNEL_HTTP_* / CHANNEL_TWILIO_* / CHANNEL_SLACK_*, and the CHANNEL_* settings named below). Required when the module creates a function (`channel_mode` `lambda` or `receiver`), null with `webhook`. Only the keys below are accepted: a misspelt key is refused, not ignored.
    `adapter` (required, never defaulted): `none` (sends nothing: counts and logs, and answers every endpoint `skipped`), `http`, `twilio` or `slack`; or the name of an adapter of your own (docs/adapters.md), allowed only with `local_existing_package` or `s3_existing_package`: the package committed with the module has only the built-in ones.
    `adapter_module` (CHANNEL_ADAPTER_MODULE): the dotted path of the module in your package that defines `ADAPTER`, your adapter class (null when your adapter is in the package's own registry).
    `adapter_settings` (map; for an adapter of your own): each key, an upper-case suffix, becomes `CHANNEL_<ADAPTER>_<KEY>` (`{ URL = "https://..." }` with adapter `echo` is CHANNEL_ECHO_URL), which your adapter reads and validates; no credentials here, they belong in the secret. The built-in adapters take `http`, `twilio` and `slack` instead.
    Only the block of the chosen adapter may be set. `http`: `url` (required for http; https://, or http:// to a loopback host only: 127.0.0.0/8, localhost, [::1]; `{{...}}` placeholders may stand in the path, query and fragment, never in the scheme, host or port), `method` (POST), `headers` (map; no credentials here, they belong in the secret), `body_template` ({{Data}}), `body_encoding` (json|form|plain), `success_codes` ("200-299"), `idempotency_header`.
    `twilio`: `from` (E.164 number, Messaging Service SID or alphanumeric sender id), `whatsapp` (false), `api_base`,
    `allowed_country_codes` (CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES: E.164 calling-code prefixes without "+", 1-4 digits each, that a recipient number must start with; default ["1"], North America).
    `slack`: `channel_attribute` (endpoint attribute holding the channel or user; null uses the endpoint Address), `api_base`,
    `channel_pattern` (CHANNEL_SLACK_CHANNEL_PATTERN: regular expression a channel or user id must match; null keeps the handler's default).
    Twilio and Slack read their credentials from `provider_secret.arn` or `provider_secret.parameter_arn`.
    `skip_opted_out` (skip endpoints whose OptOut is not NONE, CHANNEL_SKIP_OPTED_OUT; default true);
    `skip_inactive` (skip endpoints whose EndpointStatus is INACTIVE, CHANNEL_SKIP_INACTIVE; default true);
    `max_workers` (endpoints delivered in parallel per invocation, CHANNEL_MAX_WORKERS; 1-50, default 50; a payload holds at most 50 endpoints);
    `max_attempts` (attempts per endpoint for retryable provider errors, CHANNEL_MAX_ATTEMPTS; 1-10, default 3);
    `rate_limit_per_second` (requests one function instance starts per second, retries included, CHANNEL_RATE_LIMIT_PER_SECOND; 0-100000, default 0: no limit. The account-wide rate is this times the function's concurrency, so a limit needs `reserved_concurrent_executions` >= 1; the output `lambda_max_requests_per_second` is the product);
    `failure_policy` (CHANNEL_FAILURE_POLICY: `report`, the default: the invocation never fails, failures are answered per endpoint, so Pinpoint never resends a partly delivered batch; or `retry`: the invocation fails when an endpoint can still be delivered, so Pinpoint retries it; requires `idempotency.enabled`; refused with `event_source = "connect"`, where a throw fails the whole batch);
    `deadline_seconds` (time budget of one invocation, CHANNEL_DEADLINE_SECONDS: at most what the event source waits for the function, 15 for Pinpoint and 30 for Connect, the handler capping each event at its source's wait, and at most `timeout`; null, the default, uses the smaller of the two);
    `safety_margin_ms` (milliseconds kept free before the deadline to return a result, CHANNEL_SAFETY_MARGIN_MS; 0-5000, default 750).
  EOT
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `adaptor` left the adapter `none`); the keys and defaults are
  # local.delivery_defaults and local.delivery_adapter_defaults (main.tf), and the validations
  # below refuse any other key.
  type    = any
  default = null

  validation {
    condition     = (var.channel_mode == "webhook") == (var.delivery == null)
    error_message = "delivery is required when the module creates a function (channel_mode \"lambda\" or \"receiver\"): at least { adapter = \"none\" }, which sends nothing; with channel_mode = \"webhook\", which creates none, it must be null."
  }

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
    # settings begin with (CHANNEL_METRICS_*, CHANNEL_SECRET_*...).
    condition     = try(var.delivery.adapter, null) == null ? true : try(can(regex("^[a-z][a-z0-9_]{0,31}$", var.delivery.adapter)) && !contains(["adapter", "connect", "deadline", "event", "failure", "idempotency", "log", "max", "message", "metrics", "name", "rate", "receiver", "safety", "secret", "skip"], var.delivery.adapter), false)
    error_message = "delivery.adapter must be none, http, twilio, slack, or the name of your own adapter: 1-32 lower-case letters, digits or _, starting with a letter, and not adapter, connect, deadline, event, failure, idempotency, log, max, message, metrics, name, rate, receiver, safety, secret or skip."
  }

  validation {
    # The package committed with the module holds only the built-in adapters (the handler's
    # adapters.ADAPTERS): another name deploys only with a package that has it.
    condition     = try(var.delivery.adapter, null) == null ? true : try(contains(["none", "http", "twilio", "slack"], var.delivery.adapter) || var.local_existing_package != null || var.s3_existing_package != null, false)
    error_message = "delivery.adapter is not a built-in adapter (none, http, twilio, slack): set local_existing_package or s3_existing_package to your own package that has it (docs/adapters.md, \"Vendoring the handler\")."
  }

  validation {
    condition     = try(var.delivery.adapter_module, null) == null || var.local_existing_package != null || var.s3_existing_package != null
    error_message = "delivery.adapter_module names a module of your own package: set local_existing_package or s3_existing_package to it."
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
    condition     = try(var.delivery.adapter, null) == null ? true : try(!contains(["twilio", "slack"], var.delivery.adapter) || var.provider_secret.arn != null || var.provider_secret.parameter_arn != null, false)
    error_message = "The twilio and slack adapters read their credentials from a secret: set provider_secret.arn or provider_secret.parameter_arn."
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
    condition     = try(var.delivery.rate_limit_per_second, null) == null ? true : try(var.delivery.rate_limit_per_second == 0 || var.reserved_concurrent_executions > 0, false)
    error_message = "delivery.rate_limit_per_second holds for one function instance, so the account-wide rate is it times the concurrency: set reserved_concurrent_executions (>= 1) to bound it (output lambda_max_requests_per_second shows the product)."
  }

  validation {
    condition     = try(var.delivery.failure_policy, null) == null ? true : try(contains(["report", "retry"], var.delivery.failure_policy), false)
    error_message = "delivery.failure_policy must be \"report\" or \"retry\"."
  }

  validation {
    condition     = try(var.delivery.failure_policy, null) == null ? true : try(var.delivery.failure_policy != "retry" || local.idempotency.enabled, false)
    error_message = "delivery.failure_policy = \"retry\" requires idempotency.enabled = true, or Pinpoint's retry would deliver twice."
  }

  validation {
    # Connect marks every profile of a batch failed when the function throws, and the retry
    # policy works by throwing (docs/connect.md; config.py refuses the pair).
    condition     = try(var.delivery.failure_policy, null) == null ? true : try(var.event_source != "connect" || var.delivery.failure_policy != "retry", false)
    error_message = "delivery.failure_policy = \"retry\" cannot serve event_source = \"connect\": it works by failing the invocation, and a Connect batch whose function throws fails whole. Use delivery.failure_policy = \"report\"."
  }

  validation {
    # The event source's wait (local.wait_seconds: Pinpoint 15, Connect 30).
    condition     = try(var.delivery.deadline_seconds, null) == null ? true : try(var.delivery.deadline_seconds >= 1 && var.delivery.deadline_seconds <= local.wait_seconds && floor(var.delivery.deadline_seconds) == var.delivery.deadline_seconds, false)
    error_message = "delivery.deadline_seconds must be a whole number between 1 and ${local.wait_seconds}: the ${var.event_source} event source waits at most ${local.wait_seconds} seconds for the function (Pinpoint 15, Connect 30)."
  }

  validation {
    condition     = try(var.delivery.deadline_seconds, null) == null ? true : try(var.delivery.deadline_seconds <= local.timeout, false)
    error_message = "delivery.deadline_seconds must not exceed timeout."
  }

  validation {
    condition     = try(var.delivery.safety_margin_ms, null) == null ? true : try(var.delivery.safety_margin_ms >= 0 && var.delivery.safety_margin_ms <= 5000 && floor(var.delivery.safety_margin_ms) == var.delivery.safety_margin_ms, false)
    error_message = "delivery.safety_margin_ms must be a whole number between 0 and 5000."
  }
}

variable "metrics" {
  description = <<-EOT
    The handler's metrics:
    `mode` (CHANNEL_METRICS_MODE): `api` (the default: cloudwatch:PutMetricData, allowed only for `namespace`), `emf` (embedded metric format in the logs, no extra permission) or `off`;
    `namespace` (CHANNEL_METRICS_NAMESPACE: the CloudWatch namespace; default "PinpointCustomChannelExecution").
  EOT
  type = object({
    mode      = optional(string, "api")
    namespace = optional(string, "PinpointCustomChannelExecution")
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["api", "emf", "off"], var.metrics.mode)
    error_message = "metrics.mode must be api, emf or off."
  }

  validation {
    # CloudWatch API model, Namespace: 1-255 characters, pattern [^:].*; AWS/ is reserved for
    # AWS services (CloudWatch User Guide, "Namespaces"). No '$': this module's own rule.
    condition     = can(regex("^[^:$][^$]{0,254}$", var.metrics.namespace)) && !startswith(var.metrics.namespace, "AWS/")
    error_message = "metrics.namespace must be 1-255 characters, must not start with ':' or contain '$', and must not start with AWS/."
  }
}

variable "idempotency" {
  description = <<-EOT
    Idempotent delivery: a DynamoDB table (on-demand, TTL on `expires_at`, encrypted, point-in-time recovery) in which each endpoint's delivery is claimed with a conditional write before it is sent and settled after, so a repeated invocation sends nothing twice (CHANNEL_IDEMPOTENCY_TABLE).
    `enabled` (default true: without it a batch that the platform stops and Pinpoint then sends again is delivered again; set false to turn it off). Cost: on-demand DynamoDB, 2 calls per 50-endpoint batch (one transaction claims, one settles), 4 write request units per message (roughly USD 2.50 per million messages at us-east-1 on-demand prices), plus storage of the records until their TTL;
    `lease_seconds` (16-86400 and longer than the event source's wait, 15 s for Pinpoint and 30 s for Connect; default 60: how long an in-progress record blocks a resend; must outlast an invocation);
    `ttl_seconds` (3600-31622400, default 604800: how long records are kept); `kms_key_arn` (a customer managed key; null uses the AWS managed key `aws/dynamodb`);
    `point_in_time_recovery` (default true);
    `journey_reentry_seconds` (900-31622400, default 3600: a Pinpoint journey's repeat after this is a new entry and is sent; no longer than the journey's EndpointReentryInterval; docs/handler.md).
    Only these keys are accepted: a misspelt one is refused, not ignored.
  EOT
  # `any`, not an object type: a key the type did not declare would be dropped without a word;
  # the keys and defaults are local.idempotency_defaults (main.tf), and the first validation
  # refuses any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.idempotency == null || try(length(setsubtract(keys(var.idempotency), keys(local.idempotency_defaults))) == 0, false)
    error_message = "idempotency must be an object whose keys are among ${join(", ", keys(local.idempotency_defaults))}${try(length(setsubtract(keys(var.idempotency), keys(local.idempotency_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.idempotency), keys(local.idempotency_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    # `any` checks no types.
    condition     = var.idempotency == null ? true : try(can(tobool((try(var.idempotency.enabled, null) == null ? local.idempotency_defaults.enabled : var.idempotency.enabled))) && can(tobool((try(var.idempotency.point_in_time_recovery, null) == null ? local.idempotency_defaults.point_in_time_recovery : var.idempotency.point_in_time_recovery))), false)
    error_message = "idempotency.enabled and idempotency.point_in_time_recovery must be true or false."
  }

  validation {
    # At least the longest a Lambda invocation (an earlier entry's holder) can run.
    condition     = try(var.idempotency.journey_reentry_seconds, null) == null ? true : try(var.idempotency.journey_reentry_seconds >= 900 && var.idempotency.journey_reentry_seconds <= 31622400 && floor(var.idempotency.journey_reentry_seconds) == var.idempotency.journey_reentry_seconds, false)
    error_message = "idempotency.journey_reentry_seconds must be a whole number between 900 and 31622400."
  }

  validation {
    condition     = try(var.idempotency.lease_seconds, null) == null ? true : try(var.idempotency.lease_seconds >= 16 && var.idempotency.lease_seconds <= 86400 && floor(var.idempotency.lease_seconds) == var.idempotency.lease_seconds, false)
    error_message = "idempotency.lease_seconds must be a whole number between 16 and 86400 (longer than an invocation)."
  }

  validation {
    # An in-progress record must outlast the invocation that claimed it, which its event
    # source lets run for local.wait_seconds (Pinpoint 15, Connect 30).
    condition     = try(var.idempotency.lease_seconds, null) == null ? true : try(var.idempotency.lease_seconds > local.wait_seconds, false)
    error_message = "idempotency.lease_seconds must be longer than the ${local.wait_seconds} seconds the ${var.event_source} event source lets an invocation run, or a delivery still in progress could be sent again."
  }

  validation {
    condition     = try(var.idempotency.ttl_seconds, null) == null ? true : try(var.idempotency.ttl_seconds >= 3600 && var.idempotency.ttl_seconds <= 31622400 && floor(var.idempotency.ttl_seconds) == var.idempotency.ttl_seconds, false)
    error_message = "idempotency.ttl_seconds must be a whole number between 3600 and 31622400."
  }

  validation {
    condition     = try(var.idempotency.kms_key_arn, null) == null ? true : try(can(regex(local.kms_key_arn_pattern, var.idempotency.kms_key_arn)), false)
    error_message = "idempotency.kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

################################################################################
# Amazon Connect (event_source = "connect")
################################################################################

variable "connect" {
  description = <<-EOT
    The Amazon Connect outbound campaigns that invoke the function (only with `event_source = "connect"`):
    `instance_arn` (the instance, `arn:<partition>:connect:<region>:<account>:instance/<instance-id>`; required with `event_source = "connect"`, null otherwise. The invoke permissions carry its account as AWS:SourceAccount, and the `connect-campaigns.amazonaws.com` one also the ARN as AWS:SourceArn);
    `message_template` (CHANNEL_MESSAGE_TEMPLATE: the message of every custom action block that `template_ids` and `message_templates` do not name; Connect's event carries no text. Placeholders are the profile's fields (`{{FirstName}}`, `{{Attributes.X}}`, `{{Address}}`) and `{{CampaignId}}`, `{{RunId}}`, `{{ActionId}}`. At most 16,384 characters; this, `message_templates` or `template_ids` is required);
    `message_templates` (CHANNEL_MESSAGE_TEMPLATES, as JSON: templates keyed by the custom action block's label as typed in the journey, which Connect sends as ActionId; each at most 16,384 characters. A block gets `template_ids[label]` first, then `message_templates[label]`, then `message_template`);
    `knowledge_base_id` (CHANNEL_CONNECT_KNOWLEDGE_BASE_ID: the Amazon Q in Connect knowledge base holding the message templates, a lowercase UUID in the function's account and region; required with `template_ids`);
    `template_ids` (CHANNEL_CONNECT_TEMPLATE_IDS, as JSON: message templates authored in Connect, keyed by the custom action block's label as typed in the journey (ActionId), each a template id, `:<version>` to pin one, else its active version; it wins over `message_templates` and `message_template`. Grants the role `wisdom:GetMessageTemplate` on the knowledge base and these templates);
    `template_ttl_seconds` (CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS: seconds a read template is cached, 0-86400; null keeps the handler's 300);
    `profiles`, how Connect customer profiles become recipients (null fields keep the handler's defaults):
    `address_fields` (CHANNEL_CONNECT_ADDRESS_FIELDS: the profile fields tried in order for the delivery address, `Attributes.X` allowed; default phone fields first for the twilio adapter, email fields first otherwise),
    `channel_type` (CHANNEL_CONNECT_CHANNEL_TYPE: the channel type profiles take, an upper-case name such as SMS; default SMS for twilio, CUSTOM otherwise),
    `opt_out_field` (CHANNEL_CONNECT_OPT_OUT_FIELD: the field that marks an opt-out; default Attributes.OptOut),
    `result_field` (CHANNEL_CONNECT_RESULT_FIELD: add `Result: SUCCESS/FAILURE` to each profile's answer; default false).
    Field names: 1-255 characters, no whitespace, ',', '{', '}' or '|'.
  EOT
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `profiles.opt_out_field` would read consent from the default field, a misspelt
  # `template_ids` send `message_template` instead); the keys and defaults are
  # local.connect_defaults and local.connect_profiles_defaults (main.tf), and the first
  # validations refuse any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.connect == null || try(length(setsubtract(keys(var.connect), keys(local.connect_defaults))) == 0, false)
    error_message = "connect must be an object whose keys are among ${join(", ", keys(local.connect_defaults))}${try(length(setsubtract(keys(var.connect), keys(local.connect_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.connect), keys(local.connect_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.connect.profiles, null) == null || try(length(setsubtract(keys(var.connect.profiles), keys(local.connect_profiles_defaults))) == 0, false)
    error_message = "connect.profiles must be an object whose keys are among ${join(", ", keys(local.connect_profiles_defaults))}${try(length(setsubtract(keys(var.connect.profiles), keys(local.connect_profiles_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.connect.profiles), keys(local.connect_profiles_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored: a misspelt opt_out_field would read consent elsewhere)."
  }

  validation {
    # `any` checks no types.
    condition     = try(var.connect.profiles.result_field, null) == null || can(tobool(var.connect.profiles.result_field))
    error_message = "connect.profiles.result_field must be true or false."
  }

  validation {
    # local.connect_instance_arn_pattern (Service Authorization Reference).
    condition     = try(var.connect.instance_arn, null) == null || can(regex(local.connect_instance_arn_pattern, try(var.connect.instance_arn, null)))
    error_message = "connect.instance_arn must be an Amazon Connect instance ARN: arn:<partition>:connect:<region>:<account>:instance/<instance-id> (a lowercase UUID)."
  }

  validation {
    condition     = (var.event_source == "connect") == (try(var.connect.instance_arn, null) != null)
    error_message = "connect.instance_arn is required when event_source is \"connect\" and must be null otherwise."
  }

  validation {
    condition     = try(var.connect.message_template, null) == null || try(length(try(var.connect.message_template, null)) >= 1 && length(try(var.connect.message_template, null)) <= local.max_message_template_chars, false)
    error_message = "connect.message_template must be 1 to ${local.max_message_template_chars} characters (the handler's limit)."
  }

  validation {
    condition     = alltrue([for id, template in(try(var.connect.message_templates, null) == null ? {} : var.connect.message_templates) : length(trimspace(id)) > 0 && length(template) <= local.max_message_template_chars])
    error_message = "connect.message_templates keys must be non-empty ActionIds and each template at most ${local.max_message_template_chars} characters (the handler's limit)."
  }

  validation {
    condition     = var.event_source == "connect" || (try(var.connect.message_template, null) == null && length((try(var.connect.message_templates, null) == null ? {} : var.connect.message_templates)) == 0)
    error_message = "connect.message_template and connect.message_templates are the messages of Connect custom actions: set them only with event_source = \"connect\" (a Pinpoint campaign's message is its data)."
  }

  validation {
    condition     = var.event_source != "connect" || try(var.connect.message_template, null) != null || length((try(var.connect.message_templates, null) == null ? {} : var.connect.message_templates)) > 0 || length((try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids)) > 0
    error_message = "event_source = \"connect\" needs a message: set connect.message_template, connect.message_templates or connect.template_ids (Connect's event carries no text)."
  }

  validation {
    # local.qconnect_uuid_pattern (botocore's qconnect model, Uuid).
    condition     = try(var.connect.knowledge_base_id, null) == null || can(regex(local.qconnect_uuid_pattern, coalesce(try(var.connect.knowledge_base_id, null), "-")))
    error_message = "connect.knowledge_base_id must be an Amazon Q in Connect knowledge base id: a lowercase UUID."
  }

  validation {
    # local.qconnect_template_id_pattern (botocore's qconnect model, UuidWithQualifier).
    condition     = alltrue([for label, id in(try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids) : length(label) > 0 && can(regex(local.qconnect_template_id_pattern, id))])
    error_message = "connect.template_ids keys must be non-empty custom action block labels and each value a message template id: a lowercase UUID, optionally :<version number>."
  }

  validation {
    condition     = (length((try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids)) > 0) == (try(var.connect.knowledge_base_id, null) != null)
    error_message = "connect.knowledge_base_id is required when connect.template_ids is set and must be null when it is empty."
  }

  validation {
    condition     = try(var.connect.template_ttl_seconds, null) == null || try(try(var.connect.template_ttl_seconds, null) >= 0 && try(var.connect.template_ttl_seconds, null) <= local.max_connect_template_ttl_seconds && floor(try(var.connect.template_ttl_seconds, null)) == try(var.connect.template_ttl_seconds, null), false)
    error_message = "connect.template_ttl_seconds must be a whole number of seconds from 0 to ${local.max_connect_template_ttl_seconds}."
  }

  validation {
    condition     = var.event_source == "connect" || (try(var.connect.knowledge_base_id, null) == null && length((try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids)) == 0 && try(var.connect.template_ttl_seconds, null) == null)
    error_message = "connect.knowledge_base_id, connect.template_ids and connect.template_ttl_seconds are for Connect's message templates: set them only with event_source = \"connect\"."
  }

  validation {
    condition = try(var.connect.profiles.address_fields, null) == null || try(
      length(try(var.connect.profiles.address_fields, null)) > 0 &&
      alltrue([for f in try(var.connect.profiles.address_fields, null) : can(regex(local.connect_field_name_pattern, f))]),
      false
    )
    error_message = "connect.profiles.address_fields must be a non-empty list of profile field names (1-255 characters, no whitespace, ',', '{', '}' or '|'), for example [\"PhoneNumber\", \"Attributes.Mobile\"]."
  }

  validation {
    condition     = try(var.connect.profiles.channel_type, null) == null || can(regex(local.connect_channel_type_pattern, coalesce(try(var.connect.profiles.channel_type, null), "-")))
    error_message = "connect.profiles.channel_type must be a channel type such as SMS, EMAIL or CUSTOM: an upper-case letter, then at most 31 upper-case letters, digits or '_'."
  }

  validation {
    condition     = try(var.connect.profiles.opt_out_field, null) == null || can(regex(local.connect_field_name_pattern, coalesce(try(var.connect.profiles.opt_out_field, null), " ")))
    error_message = "connect.profiles.opt_out_field must be a profile field name (1-255 characters, no whitespace, ',', '{', '}' or '|'), for example Attributes.OptOut."
  }

  validation {
    condition = var.event_source == "connect" || (
      try(var.connect.profiles.address_fields, null) == null && try(var.connect.profiles.channel_type, null) == null &&
      try(var.connect.profiles.opt_out_field, null) == null && try(var.connect.profiles.result_field, null) == null
    )
    error_message = "connect.profiles applies to Connect customer profiles only: set it only with event_source = \"connect\"."
  }
}

################################################################################
# Invoke permission (channel_mode = "lambda")
################################################################################

variable "pinpoint_permission" {
  description = <<-EOT
    The `pinpoint.<region>.amazonaws.com` invoke permission (always with SourceAccount):
    `scope`, what it allows: `account` - any Pinpoint application of the account (`apps/*`);
    `application` (the default) - any campaign of the application (`apps/<app-id>/*`);
    `campaign` - only the campaign (`apps/<app-id>/campaigns/<campaign-id>`).
    Pinpoint checks the permission when the campaign is created, so a permission cannot name a campaign that does not exist yet: with `campaign` and the module's own campaign, the first apply allows the application and warns "apply again" (a check block), and the next apply with the same configuration narrows it to the campaign (replaced create-before-destroy). A renamed stack or a replaced application starts again from the application scope the same way. The stack records its campaign's ARN in the SSM parameter `/custom-channel/<stack name>/campaign-arn`, which the module reads back (whoever runs Terraform needs `ssm:GetParametersByPath`, and for the stack `ssm:PutParameter` and `ssm:DeleteParameter`, on that path).
    `campaign_id` (the campaign of `scope = "campaign"`, for a campaign the module does not manage; null uses the module's own campaign as above).
  EOT
  # `any`, not an object type: a key the type did not declare would be dropped without a word;
  # the keys and defaults are local.pinpoint_permission_defaults (main.tf), and the first validation refuses
  # any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.pinpoint_permission == null || try(length(setsubtract(keys(var.pinpoint_permission), keys(local.pinpoint_permission_defaults))) == 0, false)
    error_message = "pinpoint_permission must be an object whose keys are among ${join(", ", keys(local.pinpoint_permission_defaults))}${try(length(setsubtract(keys(var.pinpoint_permission), keys(local.pinpoint_permission_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.pinpoint_permission), keys(local.pinpoint_permission_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.pinpoint_permission.scope, null) == null ? true : try(contains(["account", "application", "campaign"], var.pinpoint_permission.scope), false)
    error_message = "pinpoint_permission.scope must be account, application or campaign."
  }

  validation {
    condition     = (try(var.pinpoint_permission.scope, null) == null ? local.pinpoint_permission_defaults.scope : var.pinpoint_permission.scope) != "campaign" || try(var.pinpoint_permission.campaign_id, null) != null || (var.campaign != null && try(var.campaign.create, true))
    error_message = "pinpoint_permission.scope \"campaign\" needs a campaign: the one this module manages (campaign, campaign.create = true) or pinpoint_permission.campaign_id."
  }

  validation {
    condition     = var.event_source != "connect" || (try(var.pinpoint_permission.campaign_id, null) == null && (try(var.pinpoint_permission.scope, null) == null ? local.pinpoint_permission_defaults.scope : var.pinpoint_permission.scope) != "campaign")
    error_message = "pinpoint_permission.scope = \"campaign\" and pinpoint_permission.campaign_id shape the Pinpoint invoke permission, which event_source = \"connect\" does not create (its permission is for connect.instance_arn): leave them unset."
  }

  validation {
    condition     = try(var.pinpoint_permission.campaign_id, null) == null ? true : try(var.pinpoint_permission.campaign_id == null || can(regex(local.pinpoint_resource_id_pattern, var.pinpoint_permission.campaign_id)), false)
    error_message = "pinpoint_permission.campaign_id must be a Pinpoint campaign id (letters and digits)."
  }
}

################################################################################
# Pinpoint application, segment and campaign
################################################################################

variable "application" {
  description = <<-EOT
    The Pinpoint application (project):
    `create` (null, the default, creates one for `event_source = "pinpoint"` and none for `"connect"`; set false and give `id` to use an existing one);
    `id` (id of an existing application, used when `create = false`);
    `name` (name of the created application, 1-64 characters; null uses the module's name).
  EOT
  type = object({
    create = optional(bool)
    id     = optional(string)
    name   = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.application.id == null || can(regex(local.pinpoint_application_id_pattern, var.application.id))
    error_message = "application.id must be a Pinpoint application id (32 lowercase letters and digits)."
  }

  validation {
    condition     = var.event_source == "connect" || coalesce(var.application.create, true) == (var.application.id == null)
    error_message = "Give application.id exactly when application.create is false."
  }

  validation {
    condition     = var.event_source != "connect" || (var.application.create != true && var.application.id == null)
    error_message = "application.create and application.id are for a Pinpoint application, which event_source = \"connect\" does not use: leave them unset."
  }

  validation {
    # The API model states no length for CreateApp's Name: 64 is this module's bound.
    condition     = var.application.name == null || try(length(var.application.name) >= 1 && length(var.application.name) <= 64, false)
    error_message = "application.name must be 1-64 characters."
  }
}

variable "segment" {
  description = <<-EOT
    The segment the campaign sends to: `id` of an existing segment, or (when `id` is null) a segment created with the campaign in its CloudFormation stack (AWS::Pinpoint::Segment). With no filter it holds every endpoint of the application (the campaign's endpoint types still apply).
    `name` (default `<name>-segment`), `channel_types` (Demographic.Channel), `attributes` and `user_attributes` (INCLUSIVE matches on endpoint / user attributes),
    `dimensions_json` (raw Dimensions JSON; replaces the three filters).
  EOT
  # `any`, not an object type: a key the type did not declare would be dropped without a word;
  # the keys and defaults are local.segment_defaults (main.tf), and the first validation refuses
  # any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.segment == null || try(length(setsubtract(keys(var.segment), keys(local.segment_defaults))) == 0, false)
    error_message = "segment must be an object whose keys are among ${join(", ", keys(local.segment_defaults))}${try(length(setsubtract(keys(var.segment), keys(local.segment_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.segment), keys(local.segment_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.segment.id, null) == null ? true : try(var.segment.id == null || can(regex(local.pinpoint_resource_id_pattern, var.segment.id)), false)
    error_message = "segment.id must be a Pinpoint segment id (letters and digits)."
  }

  validation {
    # local.endpoint_types (the custom-channel guide's endpoint types).
    condition = alltrue([
      for t in(try(var.segment.channel_types, null) == null ? local.segment_defaults.channel_types : var.segment.channel_types) :
      contains(local.endpoint_types, t)
    ])
    error_message = "segment.channel_types must hold values of ${join(", ", local.endpoint_types)}."
  }

  validation {
    condition     = try(var.segment.dimensions_json, null) == null ? true : try(var.segment.dimensions_json == null || can(keys(jsondecode(var.segment.dimensions_json))), false)
    error_message = "segment.dimensions_json must be a JSON object (the Dimensions of AWS::Pinpoint::Segment)."
  }

  validation {
    # The API model states no length for a segment's Name: 64 is this module's bound.
    condition     = try(var.segment.name, null) == null ? true : try(var.segment.name == null || try(length(var.segment.name) >= 1 && length(var.segment.name) <= 64, false), false)
    error_message = "segment.name must be 1-64 characters."
  }

  validation {
    condition = var.event_source != "connect" || (
      try(var.segment.id, null) == null && try(var.segment.name, null) == null && length((try(var.segment.channel_types, null) == null ? local.segment_defaults.channel_types : var.segment.channel_types)) == 0 &&
      length((try(var.segment.attributes, null) == null ? local.segment_defaults.attributes : var.segment.attributes)) == 0 && length((try(var.segment.user_attributes, null) == null ? local.segment_defaults.user_attributes : var.segment.user_attributes)) == 0 && try(var.segment.dimensions_json, null) == null
    )
    error_message = "segment describes a Pinpoint segment, which event_source = \"connect\" does not use: leave it unset (a Connect campaign's audience is a Customer Profiles segment)."
  }
}

variable "campaign" {
  description = <<-EOT
    Campaign that delivers through this channel; null creates none (the channel alone).
    `create` (default true: a CloudFormation stack with AWS::Pinpoint::Campaign, and the segment; false keeps the campaign only for the `pinpoint_campaign_definition_json` output, for example for a local campaign runner);
    `stack_name` (name of the CloudFormation stack holding the segment and campaign; null uses `<name>-campaign`, underscores becoming hyphens);
    `name`, `description`; `data` (CustomMessage.Data, at most 5 KB in UTF-8 bytes, passed to the channel as is);
    `endpoint_types` (the guide's set; default ["CUSTOM"]);
    `is_paused` (default true: an apply never starts sending by surprise; set false to send);
    `schedule`: `start_time` ("IMMEDIATE" or an RFC 3339 time such as 2026-05-01T09:00:00Z), `end_time` (required for recurring frequencies),
    `frequency` (ONCE, HOURLY, DAILY, WEEKLY, MONTHLY, EVENT), `timezone` (one of the API's values: UTC, UTC+01 ... UTC+13 with UTC+03:30, UTC+04:30, UTC+05:30, UTC+05:45, UTC+06:30, UTC+09:30, UTC+10:30, and UTC-02 ... UTC-11), `is_local_time`, `event_types` (required for EVENT);
    `treatments`: at most 4 additional A/B treatments, each with `size_percent`, its own `data`, optional `name`/`description` and its own `delivery_uri`/`endpoint_types`,
    and `invoke_permission` (whether the module grants Pinpoint's invoke permission on the Lambda function of the treatment's `delivery_uri`; null, the default: for an ARN of another function than the module's own target, decided at plan, so only for an ARN known then; set true for a function of the same configuration, whose ARN is known only after apply, and false to grant it yourself)
    (the main treatment gets the percentage that treatments and `holdout_percent` leave, which must be at least 1: this module's rule, not a documented API one, so that the main treatment's Data is sent to someone);
    `limits` (`daily` and `total` 0-100 messages per endpoint, `messages_per_second` 1-20000, `maximum_duration` >= 60 seconds, `session`); `tags`.
  EOT
  type = object({
    create         = optional(bool, true)
    stack_name     = optional(string)
    name           = string
    description    = optional(string)
    data           = string
    endpoint_types = optional(list(string), ["CUSTOM"])
    is_paused      = optional(bool, true)
    schedule = optional(object({
      start_time    = optional(string, "IMMEDIATE")
      end_time      = optional(string)
      frequency     = optional(string, "ONCE")
      timezone      = optional(string)
      is_local_time = optional(bool)
      event_types   = optional(list(string))
    }), {})
    treatment_name        = optional(string)
    treatment_description = optional(string)
    treatments = optional(list(object({
      size_percent      = number
      data              = string
      name              = optional(string)
      description       = optional(string)
      delivery_uri      = optional(string)
      endpoint_types    = optional(list(string))
      invoke_permission = optional(bool)
    })), [])
    holdout_percent = optional(number, 0)
    limits = optional(object({
      daily               = optional(number)
      total               = optional(number)
      messages_per_second = optional(number)
      maximum_duration    = optional(number)
      session             = optional(number)
    }))
    tags = optional(map(string), {})
  })
  default = null

  validation {
    # CloudFormation CreateStack StackName (local.stack_name_pattern).
    condition     = var.campaign == null || try(var.campaign.stack_name == null || can(regex(local.stack_name_pattern, var.campaign.stack_name)), false)
    error_message = "campaign.stack_name must start with a letter and hold at most 128 letters, digits and hyphens."
  }

  validation {
    # The API model states no length for a campaign's Name: 64 is this module's bound.
    condition     = var.campaign == null || try(length(var.campaign.name) >= 1 && length(var.campaign.name) <= 64, false)
    error_message = "campaign.name must be 1-64 characters."
  }

  validation {
    # CustomMessage.Data: "The maximum size is 5 KB" (Amazon Pinpoint developer guide, "Creating
    # custom channels"), counted in UTF-8 bytes.
    condition = var.campaign == null || try(alltrue([
      for d in concat([var.campaign.data], [for t in var.campaign.treatments : t.data]) :
      length(d) > 0 && floor(length(replace(base64encode(d), "=", "")) * 3 / 4) <= 5120
    ]), false)
    error_message = "campaign.data and every treatment's data must be non-empty and at most 5 KB (5120 bytes in UTF-8)."
  }

  validation {
    # CustomDeliveryConfiguration.EndpointTypes: the guide's endpoint types (local.endpoint_types).
    condition = var.campaign == null || try(alltrue([
      for types in concat([var.campaign.endpoint_types], [for t in var.campaign.treatments : t.endpoint_types if t.endpoint_types != null]) :
      length(types) > 0 && length(distinct(types)) == length(types) && alltrue([
        for e in types : contains(local.endpoint_types, e)
      ])
    ]), false)
    error_message = "campaign endpoint_types (and treatments' endpoint_types) must be non-empty, without duplicates, with values of ${join(", ", local.endpoint_types)}."
  }

  validation {
    # A campaign has at most 5 treatments, the main one included (Amazon Pinpoint user guide,
    # campaigns, "Set up treatments": "up to 5 treatments").
    condition     = var.campaign == null || try(length(var.campaign.treatments) <= 4, false)
    error_message = "campaign.treatments holds at most 4 additional treatments (5 with the main one)."
  }

  validation {
    # SizePercent and HoldoutPercent are percentages of the segment (Pinpoint API model,
    # WriteTreatmentResource and WriteCampaignRequest).
    condition = var.campaign == null || try(
      alltrue([for t in var.campaign.treatments : t.size_percent >= 1 && t.size_percent <= 100 && floor(t.size_percent) == t.size_percent]) &&
      var.campaign.holdout_percent >= 0 && var.campaign.holdout_percent <= 100 && floor(var.campaign.holdout_percent) == var.campaign.holdout_percent &&
      # Our rule (the API documents none): the main treatment keeps at least 1 %.
      sum(concat([var.campaign.holdout_percent], [for t in var.campaign.treatments : t.size_percent])) < 100,
      false
    )
    error_message = "Each treatment size_percent must be a whole number 1-100, holdout_percent 0-99, and the treatments' size_percent plus holdout_percent must stay below 100, so that the main treatment keeps at least 1 %."
  }

  validation {
    # DeliveryUri: "The name or Amazon Resource Name (ARN) of an AWS Lambda function ... [or] The
    # URL for a web application or service that supports HTTPS" (Pinpoint API model,
    # CustomDeliveryConfiguration), the URL under the guide's webhook rule.
    condition = var.campaign == null || try(alltrue([
      for t in var.campaign.treatments : t.delivery_uri == null || (
        can(regex(local.webhook_url_pattern, t.delivery_uri)) ||
        can(regex(local.lambda_function_arn_pattern, t.delivery_uri))
      )
    ]), false)
    error_message = "A treatment's delivery_uri must be a Lambda function ARN or an https:// webhook URL with only letters, digits and - . _ ~ ? / # : (RFC 3986)."
  }

  validation {
    # The permission is added to the function the ARN names (main.tf, treatment_permissions).
    condition = var.campaign == null || try(alltrue([
      for t in var.campaign.treatments : t.invoke_permission != true || can(regex(local.lambda_function_arn_pattern, t.delivery_uri))
    ]), false)
    error_message = "A treatment with invoke_permission = true needs a delivery_uri that is a Lambda function ARN (the function Pinpoint invokes, which gets the permission)."
  }

  validation {
    # Schedule.Frequency (local.campaign_frequencies).
    condition     = var.campaign == null || try(contains(local.campaign_frequencies, var.campaign.schedule.frequency), false)
    error_message = "campaign.schedule.frequency must be one of ${join(", ", local.campaign_frequencies)}."
  }

  validation {
    # Schedule.StartTime: "IMMEDIATE ... or, a specific time in ISO 8601 format"; EndTime "in ISO
    # 8601 format" (Pinpoint API model, Schedule).
    condition = var.campaign == null || try(
      (var.campaign.schedule.start_time == "IMMEDIATE" || can(timecmp(var.campaign.schedule.start_time, "2000-01-01T00:00:00Z"))) &&
      (var.campaign.schedule.end_time == null || can(timecmp(var.campaign.schedule.end_time, "2000-01-01T00:00:00Z"))),
      false
    )
    error_message = "campaign.schedule.start_time must be IMMEDIATE or an RFC 3339 / ISO 8601 time with offset (2026-05-01T09:00:00Z); end_time, when set, an RFC 3339 time."
  }

  validation {
    condition = var.campaign == null ? true : try(
      var.campaign.schedule.end_time == null || var.campaign.schedule.start_time == "IMMEDIATE" ? true :
      timecmp(var.campaign.schedule.end_time, var.campaign.schedule.start_time) > 0,
      false
    )
    error_message = "campaign.schedule.end_time must be later than start_time."
  }

  validation {
    # A campaign that repeats or waits for events needs an end: the module's rule, so that no
    # campaign keeps sending without a date it stops.
    condition     = var.campaign == null || try(!contains(local.campaign_repeating_frequencies, var.campaign.schedule.frequency) || var.campaign.schedule.end_time != null, false)
    error_message = "A recurring or event-triggered campaign (frequency ${join(", ", local.campaign_repeating_frequencies)}) needs campaign.schedule.end_time."
  }

  validation {
    # Schedule.EventFilter: "The type of event that causes the campaign to be sent, if the value
    # of the Frequency property is EVENT" (Pinpoint API model, Schedule).
    condition = var.campaign == null || try(
      (var.campaign.schedule.frequency == "EVENT") == (var.campaign.schedule.event_types != null) &&
      (var.campaign.schedule.event_types == null || length(coalesce(var.campaign.schedule.event_types, [])) > 0),
      false
    )
    error_message = "campaign.schedule.event_types (a non-empty list) is required for frequency EVENT and only then."
  }

  validation {
    # Schedule.Timezone (local.campaign_timezones, from the API model's documentation string).
    condition     = var.campaign == null || try(contains(local.campaign_timezones, coalesce(var.campaign.schedule.timezone, "UTC")), false)
    error_message = "campaign.schedule.timezone must be one of the Pinpoint API's values: ${join(", ", local.campaign_timezones)}."
  }

  validation {
    # CampaignLimits in the Pinpoint API model: Daily and Total at most 100, MessagesPerSecond
    # 1-20,000, MaximumDuration at least 60 seconds (local.campaign_limits_rules).
    condition = var.campaign == null ? true : var.campaign.limits == null ? true : alltrue([
      for v in [var.campaign.limits.daily, var.campaign.limits.total] : v == null ? true : v >= 0 && v <= local.campaign_limits_rules.max_messages_per_endpoint && floor(v) == v
      ]) && (
      var.campaign.limits.session == null ? true : var.campaign.limits.session >= 0 && floor(var.campaign.limits.session) == var.campaign.limits.session
      ) && (
      var.campaign.limits.messages_per_second == null ? true : var.campaign.limits.messages_per_second >= local.campaign_limits_rules.min_messages_per_second && var.campaign.limits.messages_per_second <= local.campaign_limits_rules.max_messages_per_second
      ) && (
      var.campaign.limits.maximum_duration == null ? true : var.campaign.limits.maximum_duration >= local.campaign_limits_rules.min_maximum_duration
    )
    error_message = "campaign.limits: daily and total whole numbers 0-${local.campaign_limits_rules.max_messages_per_endpoint} (the API's maximum), session >= 0, messages_per_second ${local.campaign_limits_rules.min_messages_per_second}-${local.campaign_limits_rules.max_messages_per_second}, maximum_duration >= ${local.campaign_limits_rules.min_maximum_duration} seconds."
  }

  validation {
    condition     = var.event_source != "connect" || var.campaign == null
    error_message = "campaign describes a Pinpoint campaign, which event_source = \"connect\" does not create: leave campaign null and build the outbound campaign in Amazon Connect."
  }
}

################################################################################
# Webhook receiver (channel_mode = "receiver")
################################################################################

variable "receiver" {
  description = <<-EOT
    The webhook receiver of `channel_mode = "receiver"`:
    `throttling` of its HTTP API stage: steady `rate_limit` (requests per second, default 20) and `burst_limit` (default 40). Each Pinpoint request carries up to 50 endpoints;
    `access_logs` (default true: write the HTTP API's access logs, without the request path, which carries the secret, to a log group created by the module);
    `secret_recovery_window_in_days` (recovery window of the path secret when it is deleted: 0 deletes it at once, else 7-30; default 7);
    `secret_kms_key_arn` (a customer managed KMS key for the path secret; null: the AWS managed key. The role may then kms:Decrypt with it through Secrets Manager).
  EOT
  type = object({
    throttling = optional(object({
      rate_limit  = optional(number, 20)
      burst_limit = optional(number, 40)
    }), {})
    access_logs                    = optional(bool, true)
    secret_recovery_window_in_days = optional(number, 7)
    secret_kms_key_arn             = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    # API Gateway: ThrottlingBurstLimit an integer, ThrottlingRateLimit a double (apigatewayv2
    # API model, RouteSettings).
    condition     = var.receiver.throttling.rate_limit > 0 && var.receiver.throttling.burst_limit >= 1 && floor(var.receiver.throttling.burst_limit) == var.receiver.throttling.burst_limit
    error_message = "receiver.throttling.rate_limit must be > 0 and burst_limit a whole number >= 1."
  }

  validation {
    # DeleteSecret RecoveryWindowInDays: "from 7 to 30" (Secrets Manager API model); 0 is the
    # provider's ForceDeleteWithoutRecovery.
    condition     = var.receiver.secret_recovery_window_in_days == 0 || (var.receiver.secret_recovery_window_in_days >= 7 && var.receiver.secret_recovery_window_in_days <= 30)
    error_message = "receiver.secret_recovery_window_in_days must be 0 or between 7 and 30."
  }

  validation {
    condition     = var.receiver.secret_kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.receiver.secret_kms_key_arn))
    error_message = "receiver.secret_kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

################################################################################
# Failed deliveries and alarms
################################################################################

variable "failure_queue" {
  description = <<-EOT
    A standard SQS queue for the endpoints the channel could not deliver: the handler sends one message per `failed` or `unknown` endpoint (SendMessageBatch to CHANNEL_FAILURE_QUEUE_URL), for inspection or a later resend. Needs the module's function, so not with `channel_mode = "webhook"`.
    `enabled` (default false); `name` (default `<name>-failures`; 1-80 letters, digits, hyphens and underscores);
    `kms_key_arn` (null: the module's `kms_key_arn` when set, else SQS managed server-side encryption; a customer managed key is one the role may then use for kms:GenerateDataKey and kms:Decrypt through SQS only, and whose key policy must let IAM policies grant that);
    `message_retention_seconds` (60-1209600, default 1209600: 14 days); `visibility_timeout_seconds` (0-43200, default 300);
    `operator_role_arns` (IAM roles that run `resend`: sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility and GetQueueAttributes, which the queue policy denies to every other principal, and sqs:SendMessage, for the replacement of a message resent with an unknown outcome. Empty, the default: the IAM policies of the queue's account alone decide who may read it, and no operator may send, so `resend` cannot record an unknown outcome in the queue). With a customer managed key each of them also gets a KMS grant of kms:Decrypt and kms:GenerateDataKey on it, for this queue only (encryption context aws:sqs:arn), without which it could not read the queue or send to it; whoever runs Terraform then needs kms:CreateGrant and kms:RevokeGrant on the key.
    The queue is always encrypted. Its policy denies every request not made over TLS, and sqs:SendMessage to every principal but the function's role and the named operators.
    Only these keys are accepted: a misspelt one (`enable`) is refused, not ignored.
  EOT
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (`enable = true` created no queue); the keys and defaults are local.failure_queue_defaults
  # (main.tf), and the first validation refuses any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.failure_queue == null || try(length(setsubtract(keys(var.failure_queue), keys(local.failure_queue_defaults))) == 0, false)
    error_message = "failure_queue must be an object whose keys are among ${join(", ", keys(local.failure_queue_defaults))}${try(length(setsubtract(keys(var.failure_queue), keys(local.failure_queue_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.failure_queue), keys(local.failure_queue_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    # `any` checks no types.
    condition     = var.failure_queue == null ? true : try(can(tobool((try(var.failure_queue.enabled, null) == null ? local.failure_queue_defaults.enabled : var.failure_queue.enabled))) && alltrue([for arn in(try(var.failure_queue.operator_role_arns, null) == null ? local.failure_queue_defaults.operator_role_arns : var.failure_queue.operator_role_arns) : can(tostring(arn))]), false)
    error_message = "failure_queue.enabled must be true or false, and failure_queue.operator_role_arns a list of role ARNs."
  }

  validation {
    # CreateQueue QueueName: up to 80 alphanumeric characters, hyphens and underscores (SQS API
    # model); .fifo would make a FIFO queue.
    condition     = try(var.failure_queue.name, null) == null ? true : try(can(regex("^[A-Za-z0-9_-]{1,80}$", var.failure_queue.name)), false)
    error_message = "failure_queue.name must be 1-80 letters, digits, '-' or '_' (a standard SQS queue name; no .fifo suffix)."
  }

  validation {
    condition     = try(var.failure_queue.kms_key_arn, null) == null ? true : try(can(regex(local.kms_key_arn_pattern, var.failure_queue.kms_key_arn)), false)
    error_message = "failure_queue.kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }

  validation {
    # MessageRetentionPeriod: "from 60 (1 minute) to 1,209,600 (14 days)" (SQS API model,
    # SetQueueAttributes).
    condition     = try(var.failure_queue.message_retention_seconds, null) == null ? true : try(var.failure_queue.message_retention_seconds >= 60 && var.failure_queue.message_retention_seconds <= 1209600 && floor(var.failure_queue.message_retention_seconds) == var.failure_queue.message_retention_seconds, false)
    error_message = "failure_queue.message_retention_seconds must be a whole number between 60 and 1209600 (14 days)."
  }

  validation {
    # VisibilityTimeout: "from 0 to 43,200 (12 hours)" (SQS API model, SetQueueAttributes).
    condition     = try(var.failure_queue.visibility_timeout_seconds, null) == null ? true : try(var.failure_queue.visibility_timeout_seconds >= 0 && var.failure_queue.visibility_timeout_seconds <= 43200 && floor(var.failure_queue.visibility_timeout_seconds) == var.failure_queue.visibility_timeout_seconds, false)
    error_message = "failure_queue.visibility_timeout_seconds must be a whole number between 0 and 43200 (12 hours)."
  }

  validation {
    condition     = try(var.failure_queue.enabled, null) == null ? true : try(!var.failure_queue.enabled || var.channel_mode != "webhook", false)
    error_message = "failure_queue needs the module's function, and channel_mode \"webhook\" creates none: nothing would send to the queue. Leave failure_queue.enabled false in webhook mode."
  }

  validation {
    condition     = try(var.failure_queue.operator_role_arns, null) == null ? true : try(alltrue([for arn in var.failure_queue.operator_role_arns : can(regex(local.iam_role_arn_pattern, arn))]), false)
    error_message = "failure_queue.operator_role_arns must hold IAM role ARNs (arn:<partition>:iam::<account>:role/<path><name>)."
  }

  validation {
    condition     = var.failure_queue == null ? true : try(length((try(var.failure_queue.operator_role_arns, null) == null ? local.failure_queue_defaults.operator_role_arns : var.failure_queue.operator_role_arns)) == 0 || (try(var.failure_queue.enabled, null) == null ? local.failure_queue_defaults.enabled : var.failure_queue.enabled), false)
    error_message = "failure_queue.operator_role_arns needs failure_queue.enabled = true (there is no queue to read otherwise)."
  }
}

variable "alarms" {
  description = <<-EOT
    CloudWatch alarms on the channel, named `<name>-<key>` (needs the module's function, so not with `channel_mode = "webhook"`):
    `failed_deliveries` - Sum of the handler's FailedCount >= `failed_deliveries_threshold` within a period;
    `unknown_deliveries` - Sum of UnknownCount (sent, but no answer) >= `unknown_deliveries_threshold`;
    `function_errors` - Sum of the function's AWS/Lambda Errors >= `function_errors_threshold`;
    `function_throttles` - Sum of the function's AWS/Lambda Throttles >= `function_throttles_threshold`;
    with `failure_queue` enabled, `failure_queue_depth` - Maximum of the queue's AWS/SQS ApproximateNumberOfMessagesVisible >= `failure_queue_depth_threshold` (messages waiting for inspection or `resend`),
    and `failure_queue_message_age` - Maximum of its ApproximateAgeOfOldestMessage >= `failure_queue_message_age_threshold` seconds (default 43200, 12 hours: half of resend's default age limit of 24 hours, past which it no longer sends a message).
    The handler publishes FailedCount and UnknownCount per campaign (CampaignId or JourneyId, and ApplicationId), without dimensions, and under `Channel = <name>` (CHANNEL_NAME, set by the module); the delivery alarms watch the `Channel` series, so they count every campaign and journey of this deployment and of no other function publishing to `metrics.namespace`. They need those metrics: not with `metrics.mode = "off"`.
    `enabled` (default false); `sns_topic_arns` (at most 5 SNS topics, notified when an alarm fires and when it is OK again; default none, and the plan warns: alarms without a topic notify nobody);
    thresholds (whole numbers >= 1, default 1 but for `failure_queue_message_age_threshold`, at most 1209600 s, the longest retention); `period_seconds` (10, 30 or a multiple of 60, default 300; 10 and 30 suit only high-resolution metrics); `evaluation_periods` (default 1).
    period_seconds x evaluation_periods may not exceed one day (seven days with a period of an hour or more). Missing data counts as not breaching.
  EOT
  type = object({
    enabled                             = optional(bool, false)
    sns_topic_arns                      = optional(list(string), [])
    failed_deliveries_threshold         = optional(number, 1)
    unknown_deliveries_threshold        = optional(number, 1)
    function_errors_threshold           = optional(number, 1)
    period_seconds                      = optional(number, 300)
    evaluation_periods                  = optional(number, 1)
    function_throttles_threshold        = optional(number, 1)
    failure_queue_depth_threshold       = optional(number, 1)
    failure_queue_message_age_threshold = optional(number, 43200)
  })
  default  = {}
  nullable = false

  validation {
    # local.sns_topic_arn_pattern; the topic name at most local.max_sns_topic_name_size characters.
    condition     = alltrue([for arn in var.alarms.sns_topic_arns : can(regex(local.sns_topic_arn_pattern, arn)) && try(length(split(":", arn)[5]) <= local.max_sns_topic_name_size, false)])
    error_message = "alarms.sns_topic_arns must hold SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>, the topic name at most ${local.max_sns_topic_name_size} letters, digits, '-' or '_', optionally ending in .fifo)."
  }

  validation {
    # PutMetricAlarm AlarmActions and OKActions: ResourceList, at most 5 (CloudWatch API model).
    condition     = length(var.alarms.sns_topic_arns) <= 5
    error_message = "alarms.sns_topic_arns holds at most 5 topics (CloudWatch's limit of actions per alarm state)."
  }

  validation {
    condition = alltrue([
      for t in [
        var.alarms.failed_deliveries_threshold, var.alarms.unknown_deliveries_threshold, var.alarms.function_errors_threshold,
        var.alarms.function_throttles_threshold, var.alarms.failure_queue_depth_threshold,
      ] :
      t >= 1 && floor(t) == t
    ])
    error_message = "alarms.failed_deliveries_threshold, unknown_deliveries_threshold, function_errors_threshold, function_throttles_threshold and failure_queue_depth_threshold must be whole numbers >= 1."
  }

  validation {
    # A message's age never exceeds the queue's longest retention, 1,209,600 seconds (SQS API
    # model, SetQueueAttributes MessageRetentionPeriod): a higher threshold never fires.
    condition     = var.alarms.failure_queue_message_age_threshold >= 1 && var.alarms.failure_queue_message_age_threshold <= 1209600 && floor(var.alarms.failure_queue_message_age_threshold) == var.alarms.failure_queue_message_age_threshold
    error_message = "alarms.failure_queue_message_age_threshold must be a whole number of seconds between 1 and 1209600 (14 days, the longest a message is kept)."
  }

  validation {
    # PutMetricAlarm Period: "Valid values are 10, 20, 30, and any multiple of 60" (CloudWatch API
    # model); this module accepts 10 and 30 of the high-resolution ones.
    condition     = contains([10, 30], var.alarms.period_seconds) || (var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0)
    error_message = "alarms.period_seconds must be 10, 30 or a multiple of 60."
  }

  validation {
    # PutMetricAlarm EvaluationPeriods: minimum 1 (CloudWatch API model).
    condition     = var.alarms.evaluation_periods >= 1 && floor(var.alarms.evaluation_periods) == var.alarms.evaluation_periods
    error_message = "alarms.evaluation_periods must be a whole number >= 1."
  }

  validation {
    # PutMetricAlarm Period: "Period multiplied by EvaluationPeriods can't be more than 604,800
    # seconds. For alarms with a period of less than one hour (3,600 seconds), the total evaluation
    # period can't be longer than one day" (CloudWatch API model).
    condition     = var.alarms.period_seconds * var.alarms.evaluation_periods <= (var.alarms.period_seconds >= 3600 ? 604800 : 86400)
    error_message = "alarms.period_seconds x evaluation_periods must not exceed 86400 seconds (one day), or 604800 (seven days) with a period of 3600 or more."
  }

  validation {
    condition     = !var.alarms.enabled || var.channel_mode != "webhook"
    error_message = "alarms watch the module's function and its metrics, and channel_mode \"webhook\" creates no function. Leave alarms.enabled false in webhook mode."
  }

  validation {
    condition     = !var.alarms.enabled || var.metrics.mode != "off"
    error_message = "The failed_deliveries and unknown_deliveries alarms watch the handler's FailedCount and UnknownCount metrics, which metrics.mode = \"off\" does not publish: set metrics.mode to \"api\" or \"emf\", or leave alarms.enabled false."
  }
}

################################################################################
# Dashboard
################################################################################

variable "dashboard" {
  description = <<-EOT
    A CloudWatch dashboard for the channel (needs the module's function and the handler's metrics, so not with `channel_mode = "webhook"` or `metrics.mode = "off"`):
    the guide's per-channel-type counts (Pinpoint only: a Connect batch publishes none), delivered / failed / unknown / skipped endpoints and provider latency (Average and Maximum) under `Channel = <name>`, and the function's AWS/Lambda Errors, Throttles and Duration; with `alarms.enabled`, the alarms' thresholds drawn as lines, at the alarms' period.
    `enabled` (default false); `name` (the dashboard's name: 1-255 letters, digits, '-' or '_'; default the module's name).
  EOT
  type = object({
    enabled = optional(bool, false)
    name    = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    # PutDashboard DashboardName: "The maximum length is 255, and valid characters are A-Z, a-z,
    # 0-9, "-", and "_"" (CloudWatch API model).
    condition     = var.dashboard.name == null || can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard.name))
    error_message = "dashboard.name must be 1-255 characters, each a letter, a digit, '-' or '_' (CloudWatch's rule for dashboard names)."
  }

  validation {
    condition     = !var.dashboard.enabled || var.channel_mode != "webhook"
    error_message = "dashboard shows the module's function and its metrics, and channel_mode \"webhook\" creates no function. Leave dashboard.enabled false in webhook mode."
  }

  validation {
    condition     = !var.dashboard.enabled || var.metrics.mode != "off"
    error_message = "dashboard shows the handler's metrics, which metrics.mode = \"off\" does not publish: set metrics.mode to \"api\" or \"emf\", or leave dashboard.enabled false."
  }
}
