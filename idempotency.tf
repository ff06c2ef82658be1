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
}
