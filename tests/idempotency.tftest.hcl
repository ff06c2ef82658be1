# Idempotent delivery: the DynamoDB table, its IAM statement, the handler settings, and the
# retry failure policy that depends on it.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "on_by_default" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.idempotency) == 1 && aws_lambda_function.this[0].environment[0].variables["CHANNEL_IDEMPOTENCY_TABLE"] == "pinpoint-custom-channel-deliveries"
    error_message = "The idempotency table is on by default."
  }
}

run "explicitly_off" {
  command = plan

  variables {
    idempotency = { enabled = false }
  }

  assert {
    condition     = length(aws_dynamodb_table.idempotency) == 0 && !strcontains(aws_iam_role_policy.this[0].policy, "dynamodb:")
    error_message = "idempotency.enabled = false creates no table and grants no DynamoDB action."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_IDEMPOTENCY_TABLE")
    error_message = "No table setting without a table."
  }
}

run "table_policy_and_settings" {
  command = apply

  variables {
    name = "ledger-channel"
    delivery = {
      adapter               = "none"
      failure_policy        = "retry"
      rate_limit_per_second = 25
    }
    idempotency = {
      enabled       = true
      lease_seconds = 90
      ttl_seconds   = 86400
      kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    reserved_concurrent_executions = 4
  }

  override_resource {
    target = aws_dynamodb_table.idempotency
    values = {
      name = "ledger-channel-deliveries"
      arn  = "arn:aws:dynamodb:eu-west-1:123456789012:table/ledger-channel-deliveries"
    }
  }

  assert {
    condition = (
      aws_dynamodb_table.idempotency[0].billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.idempotency[0].hash_key == "pk" &&
      aws_dynamodb_table.idempotency[0].ttl[0].attribute_name == "expires_at" &&
      aws_dynamodb_table.idempotency[0].ttl[0].enabled &&
      aws_dynamodb_table.idempotency[0].server_side_encryption[0].enabled &&
      aws_dynamodb_table.idempotency[0].point_in_time_recovery[0].enabled
    )
    error_message = "The table must be on-demand, keyed by pk, with TTL, encryption and PITR."
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "RecordDeliveries"
      ][0] == {
      Sid      = "RecordDeliveries"
      Effect   = "Allow"
      Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]
      Resource = ["arn:aws:dynamodb:eu-west-1:123456789012:table/ledger-channel-deliveries"]
    }
    error_message = "The role may write records to its own table only."
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "UseIdempotencyTableKey"
    ][0].Condition.StringEquals["kms:ViaService"] == "dynamodb.eu-west-1.amazonaws.com"
    error_message = "The table key may be used through DynamoDB only."
  }

  assert {
    condition = (
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_IDEMPOTENCY_TABLE"] == "ledger-channel-deliveries" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_IDEMPOTENCY_LEASE_SECONDS"] == "90" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_IDEMPOTENCY_TTL_SECONDS"] == "86400" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_FAILURE_POLICY"] == "retry" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_RATE_LIMIT_PER_SECOND"] == "25"
    )
    error_message = "The handler must get the table, lease, TTL, failure policy and rate limit."
  }

  assert {
    condition     = output.idempotency_table_name == "ledger-channel-deliveries"
    error_message = "The table name is an output."
  }
}

run "retry_needs_idempotency" {
  command = plan

  variables {
    delivery = {
      adapter        = "none"
      failure_policy = "retry"
    }
    idempotency = { enabled = false }
  }

  expect_failures = [aws_lambda_function.this]
}

run "lease_too_short" {
  command = plan

  variables {
    idempotency = { enabled = true, lease_seconds = 15 }
  }

  expect_failures = [var.idempotency]
}

run "journey_reentry_window" {
  command = plan

  variables {
    idempotency = { journey_reentry_seconds = 7200 }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_JOURNEY_REENTRY_SECONDS"] == "7200"
    error_message = "The handler must get the journey re-entry window."
  }
}

run "journey_reentry_window_too_short" {
  command = plan

  variables {
    # Shorter than the longest an earlier entry's invocation can run.
    idempotency = { journey_reentry_seconds = 899 }
  }

  expect_failures = [var.idempotency]
}

run "connect_has_no_journey_reentry_window" {
  command = plan

  variables {
    event_source = "connect"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}"
    }
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_JOURNEY_REENTRY_SECONDS")
    error_message = "Connect's events are not Pinpoint journeys: no re-entry window."
  }
}

run "negative_rate_limit" {
  command = plan

  variables {
    delivery = {
      adapter               = "none"
      rate_limit_per_second = -1
    }
  }

  expect_failures = [var.delivery]
}
