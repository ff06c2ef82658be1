################################################################################
# Input
################################################################################

variable "idempotency" {
  description = "DynamoDB table that stops a retry from sending twice. [More](docs/inputs.md#idempotency)."
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
    condition     = try(var.idempotency.ttl_seconds, null) == null ? true : try(var.idempotency.ttl_seconds >= 3600 && var.idempotency.ttl_seconds <= 31622400 && floor(var.idempotency.ttl_seconds) == var.idempotency.ttl_seconds, false)
    error_message = "idempotency.ttl_seconds must be a whole number between 3600 and 31622400."
  }

  validation {
    condition     = try(var.idempotency.kms_key_arn, null) == null ? true : try(can(regex(local.kms_key_arn_pattern, var.idempotency.kms_key_arn)), false)
    error_message = "idempotency.kms_key_arn must be a KMS key ARN (${local.kms_key_arn_format})."
  }
}

################################################################################
# Delivery records for idempotent delivery (handler/custom_channel/idempotency.py)
################################################################################

locals {
  idempotency_table_name = "${local.name}-deliveries"
  # Built from its parts so the IAM policy is known at plan time.
  idempotency_table_arn = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.idempotency_table_name}"
}

resource "aws_dynamodb_table" "idempotency" {
  #checkov:skip=CKV_AWS_28:point-in-time recovery is on by default, set by idempotency.point_in_time_recovery
  count = local.create_idempotency ? 1 : 0

  name         = local.idempotency_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  # Records expire by themselves: the handler writes expires_at (epoch seconds).
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.idempotency.kms_key_arn
  }

  point_in_time_recovery {
    enabled = local.idempotency.point_in_time_recovery
  }

  tags = var.tags

  lifecycle {
    precondition {
      # An in-progress record must outlast the invocation that claimed it, which its event
      # source lets run for local.wait_seconds (Pinpoint 15, Connect 30).
      condition     = try(var.idempotency.lease_seconds, null) == null ? true : try(var.idempotency.lease_seconds > local.wait_seconds, false)
      error_message = "idempotency.lease_seconds must be longer than the ${local.wait_seconds} seconds the ${var.event_source} event source lets an invocation run, or a delivery still in progress could be sent again."
    }
  }
}
