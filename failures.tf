################################################################################
# Failed-deliveries queue: one message per failed or unknown endpoint (CHANNEL_FAILURE_QUEUE_URL)
################################################################################

resource "aws_sqs_queue" "failures" {
  count = local.create_failure_queue ? 1 : 0

  name                       = coalesce(var.failure_queue.name, "${local.name}-failures")
  message_retention_seconds  = var.failure_queue.message_retention_seconds
  visibility_timeout_seconds = var.failure_queue.visibility_timeout_seconds

  # Always encrypted at rest: with the customer managed key when one is given, otherwise with
  # SQS managed keys (SSE-SQS). The two settings exclude each other.
  sqs_managed_sse_enabled = var.failure_queue.kms_key_arn == null ? true : null
  kms_master_key_id       = var.failure_queue.kms_key_arn
  # How long SQS reuses a data key before asking KMS again: AWS's default of 5 minutes, set
  # explicitly. Longer saves KMS requests, shorter limits what one data key protects.
  kms_data_key_reuse_period_seconds = var.failure_queue.kms_key_arn == null ? null : 300

  tags = var.tags
}

resource "aws_sqs_queue_policy" "failures" {
  count = local.create_failure_queue ? 1 : 0

  queue_url = aws_sqs_queue.failures[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = aws_sqs_queue.failures[0].arn
      Condition = {
        Bool = { "aws:SecureTransport" = "false" }
      }
    }]
  })
}
