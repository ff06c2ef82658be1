################################################################################
# Input
################################################################################

variable "failure_queue" {
  description = "SQS queue of failed and unknown deliveries. [More](docs/inputs.md#failure_queue)."
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
    condition     = try(var.failure_queue.operator_role_arns, null) == null ? true : try(alltrue([for arn in var.failure_queue.operator_role_arns : can(regex(local.iam_role_arn_pattern, arn))]), false)
    error_message = "failure_queue.operator_role_arns must hold IAM role ARNs (arn:<partition>:iam::<account>:role/<path><name>)."
  }

  validation {
    condition     = var.failure_queue == null ? true : try(length((try(var.failure_queue.operator_role_arns, null) == null ? local.failure_queue_defaults.operator_role_arns : var.failure_queue.operator_role_arns)) == 0 || (try(var.failure_queue.enabled, null) == null ? local.failure_queue_defaults.enabled : var.failure_queue.enabled), false)
    error_message = "failure_queue.operator_role_arns needs failure_queue.enabled = true (there is no queue to read otherwise)."
  }
}

################################################################################
# Failed-deliveries queue: one message per failed or unknown endpoint (CHANNEL_FAILURE_QUEUE_URL)
################################################################################

locals {
  # The queue's customer managed key: its own, else the module's key (kms_key_arn, which also
  # encrypts the function's environment), else none (SQS managed encryption).
  failure_queue_kms_key_arn = local.failure_queue.kms_key_arn != null ? local.failure_queue.kms_key_arn : var.kms_key_arn

  failure_queue_operator_role_arns = sort(distinct(local.failure_queue.operator_role_arns))
  # Who may send to the queue: the function's role, and the operators (resend's replacements).
  # The role alone stays a string, as before operators could send (no policy change then);
  # through JSON because the two branches have different types.
  failure_queue_senders = length(local.failure_queue_operator_role_arns) > 0 ? jsonencode(concat([local.role_arn], local.failure_queue_operator_role_arns)) : jsonencode(local.role_arn)

  # What reading the queue takes: receive, delete and hide or show a message again.
  failure_queue_consumer_actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
}

resource "aws_sqs_queue" "failures" {
  count = local.create_failure_queue ? 1 : 0

  name                       = coalesce(local.failure_queue.name, "${local.name}-failures")
  message_retention_seconds  = local.failure_queue.message_retention_seconds
  visibility_timeout_seconds = local.failure_queue.visibility_timeout_seconds

  # Always encrypted at rest: with the customer managed key when one is given, otherwise with
  # SQS managed keys (SSE-SQS). The two settings exclude each other.
  sqs_managed_sse_enabled = local.failure_queue_kms_key_arn == null ? true : null
  kms_master_key_id       = local.failure_queue_kms_key_arn
  # How long SQS reuses a data key before asking KMS again: AWS's default of 5 minutes, set
  # explicitly. Longer saves KMS requests, shorter limits what one data key protects.
  kms_data_key_reuse_period_seconds = local.failure_queue_kms_key_arn == null ? null : 300

  tags = var.tags
}

resource "aws_sqs_queue_policy" "failures" {
  count = local.create_failure_queue ? 1 : 0

  queue_url = aws_sqs_queue.failures[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid       = "DenyInsecureTransport"
          Effect    = "Deny"
          Principal = "*"
          Action    = "sqs:*"
          Resource  = aws_sqs_queue.failures[0].arn
          Condition = {
            Bool = { "aws:SecureTransport" = "false" }
          }
        },
        {
          # Only the function's role may send (its IAM policy allows it; this denies everyone
          # else), and the named operators: `resend` replaces a message whose new attempt
          # ended unknown, or the next pass would send it again (docs/handler.md).
          Sid       = "DenySendExceptFunctionRole"
          Effect    = "Deny"
          Principal = "*"
          Action    = "sqs:SendMessage"
          Resource  = aws_sqs_queue.failures[0].arn
          Condition = {
            ArnNotEquals = {
              "aws:PrincipalArn" = jsondecode(local.failure_queue_senders)
            }
          }
        },
      ],
      # Only when operators are named: with none, the account's IAM policies alone decide.
      [for statement in [
        {
          Sid       = "AllowOperatorsToResend"
          Effect    = "Allow"
          Principal = { AWS = local.failure_queue_operator_role_arns }
          Action    = concat(local.failure_queue_consumer_actions, ["sqs:GetQueueAttributes", "sqs:SendMessage"])
          Resource  = aws_sqs_queue.failures[0].arn
        },
        {
          Sid       = "DenyConsumeExceptOperators"
          Effect    = "Deny"
          Principal = "*"
          Action    = local.failure_queue_consumer_actions
          Resource  = aws_sqs_queue.failures[0].arn
          Condition = {
            ArnNotEquals = { "aws:PrincipalArn" = local.failure_queue_operator_role_arns }
          }
        },
      ] : statement if length(local.failure_queue_operator_role_arns) > 0],
    )
  })
}

################################################################################
# The operators' use of the queue's customer managed key
################################################################################

# `resend` receives (kms:Decrypt) and sends replacements (kms:GenerateDataKey and kms:Decrypt:
# Amazon SQS Developer Guide, "Key management", the producer's and the consumer's permissions)
# on an encrypted queue, so the queue policy's SQS rights alone leave an operator unable to
# read it. A KMS grant per operator role names the role by its exact ARN (a role of any
# account, where an IAM policy could be attached only to a role of this one) and allows
# nothing but those two operations, and only with the encryption context SQS passes for this
# queue (aws:sqs:arn = the queue's ARN): not the key's other uses (the function's environment,
# the ledger, other queues). Whoever runs Terraform needs kms:CreateGrant on the key (and
# kms:RevokeGrant to remove a grant), as for the module's kms_key_arn.
resource "aws_kms_grant" "failure_queue_operators" {
  # Keyed by the role's position, the ARN in the value: a role or key created in the same
  # configuration has its ARN only after apply, and for_each keys must be known at plan. Without
  # operators the set is empty whatever the key (decided before the key's ARN is read).
  for_each = !local.create_failure_queue || length(local.failure_queue.operator_role_arns) == 0 ? {} : (
    local.failure_queue_kms_key_arn == null ? {} : { for i, arn in local.failure_queue.operator_role_arns : tostring(i) => arn }
  )

  name              = "${local.name}-failure-queue-resend"
  key_id            = local.failure_queue_kms_key_arn
  grantee_principal = each.value
  operations        = ["Decrypt", "GenerateDataKey"]
  # Removed with RevokeGrant by whoever runs Terraform, not retired by the grantee.
  retire_on_delete = false

  constraints {
    encryption_context_equals = {
      "aws:sqs:arn" = aws_sqs_queue.failures[0].arn
    }
  }
}
