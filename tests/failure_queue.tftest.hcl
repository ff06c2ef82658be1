# The failed-deliveries queue: the SQS queue and its TLS-only policy, the handler setting
# CHANNEL_FAILURE_QUEUE_URL, and the role's statements with SQS managed encryption or a
# customer managed key.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(aws_sqs_queue.failures) == 0 && length(aws_sqs_queue_policy.failures) == 0
    error_message = "No queue unless failure_queue.enabled."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_FAILURE_QUEUE_URL")
    error_message = "No queue setting without a queue."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this[0].policy, "sqs:") && !strcontains(aws_iam_role_policy.this[0].policy, "kms:")
    error_message = "No SQS or KMS permission without a queue."
  }

  assert {
    condition     = output.failure_queue_url == null && output.failure_queue_arn == null && output.failure_queue_name == null
    error_message = "Queue outputs must be null without a queue."
  }
}

run "sqs_managed_encryption" {
  command = apply

  variables {
    failure_queue = { enabled = true }
  }

  assert {
    condition = (
      aws_sqs_queue.failures[0].name == "pinpoint-custom-channel-failures" &&
      aws_sqs_queue.failures[0].message_retention_seconds == 1209600 &&
      aws_sqs_queue.failures[0].visibility_timeout_seconds == 300 &&
      aws_sqs_queue.failures[0].fifo_queue == null
    )
    error_message = "The queue is a standard queue named <name>-failures, keeping messages 14 days, hiding them 300 s."
  }

  assert {
    condition     = aws_sqs_queue.failures[0].sqs_managed_sse_enabled == true && aws_sqs_queue.failures[0].kms_master_key_id == null
    error_message = "Without a key the queue must use SQS managed server-side encryption."
  }

  assert {
    condition = jsondecode(aws_sqs_queue_policy.failures[0].policy) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid       = "DenyInsecureTransport"
          Effect    = "Deny"
          Principal = "*"
          Action    = "sqs:*"
          Resource  = "arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures"
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        },
        {
          Sid       = "DenySendExceptFunctionRole"
          Effect    = "Deny"
          Principal = "*"
          Action    = "sqs:SendMessage"
          Resource  = "arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures"
          Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::123456789012:role/pinpoint-custom-channel" } }
        },
      ]
    }
    error_message = "The queue policy must deny every request made without TLS and every send but the function role's; with no operators named, nothing more."
  }

  assert {
    condition     = aws_sqs_queue_policy.failures[0].queue_url == aws_sqs_queue.failures[0].id
    error_message = "The policy belongs to the failure queue."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_FAILURE_QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/pinpoint-custom-channel-failures"
    error_message = "The handler must get the queue URL in CHANNEL_FAILURE_QUEUE_URL."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "SendFailedDeliveries"
      ]) == {
      Sid      = "SendFailedDeliveries"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = ["arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures"]
    }
    error_message = "The role may send messages to its own queue only."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this[0].policy, "kms:")
    error_message = "SQS managed encryption needs no KMS permission."
  }

  assert {
    condition = (
      output.failure_queue_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/pinpoint-custom-channel-failures" &&
      output.failure_queue_arn == "arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures" &&
      output.failure_queue_name == "pinpoint-custom-channel-failures"
    )
    error_message = "The queue's URL, ARN and name are outputs."
  }

  assert {
    condition     = output.lambda_function_environment["CHANNEL_FAILURE_QUEUE_URL"] == output.failure_queue_url
    error_message = "The environment output lists the queue URL."
  }
}

run "disabling_removes_the_queue" {
  command = apply

  assert {
    condition     = length(aws_sqs_queue.failures) == 0 && length(aws_sqs_queue_policy.failures) == 0
    error_message = "Disabling the queue removes it and its policy."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_FAILURE_QUEUE_URL") && !strcontains(aws_iam_role_policy.this[0].policy, "sqs:")
    error_message = "Disabling the queue removes its setting and its statement."
  }
}

run "customer_managed_key" {
  command = apply

  variables {
    name        = "sms"
    name_prefix = "prod-"
    tags        = { Team = "growth" }
    failure_queue = {
      enabled                    = true
      name                       = "sms_dead_letters"
      kms_key_arn                = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      message_retention_seconds  = 86400
      visibility_timeout_seconds = 60
    }
  }

  override_resource {
    target = aws_sqs_queue.failures
    values = {
      id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/sms_dead_letters"
      url = "https://sqs.eu-west-1.amazonaws.com/123456789012/sms_dead_letters"
      arn = "arn:aws:sqs:eu-west-1:123456789012:sms_dead_letters"
    }
  }

  assert {
    condition = (
      aws_sqs_queue.failures[0].name == "sms_dead_letters" &&
      aws_sqs_queue.failures[0].message_retention_seconds == 86400 &&
      aws_sqs_queue.failures[0].visibility_timeout_seconds == 60
    )
    error_message = "The queue's name, retention and visibility timeout must be applied."
  }

  assert {
    condition = (
      aws_sqs_queue.failures[0].kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      aws_sqs_queue.failures[0].kms_data_key_reuse_period_seconds == 300 &&
      aws_sqs_queue.failures[0].sqs_managed_sse_enabled != true
    )
    error_message = "With a key the queue must be encrypted with it (data keys reused 5 minutes), not with SQS managed keys."
  }

  assert {
    condition     = aws_sqs_queue.failures[0].tags == tomap({ Team = "growth" })
    error_message = "Tags must reach the queue."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_policy.failures[0].policy).Statement[0].Resource == "arn:aws:sqs:eu-west-1:123456789012:sms_dead_letters"
    error_message = "The TLS-only policy covers the named queue."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_FAILURE_QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/sms_dead_letters"
    error_message = "The handler must get the named queue's URL."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "SendFailedDeliveries"
    ]).Resource == ["arn:aws:sqs:eu-west-1:123456789012:sms_dead_letters"]
    error_message = "The role may send messages to the named queue only."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "UseFailureQueueKey"
      ]) == {
      Sid       = "UseFailureQueueKey"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      Condition = { StringEquals = { "kms:ViaService" = "sqs.eu-west-1.amazonaws.com" } }
    }
    error_message = "The queue's key may be used to encrypt and decrypt, through SQS only."
  }

  assert {
    condition     = output.failure_queue_name == "sms_dead_letters" && output.failure_queue_arn == "arn:aws:sqs:eu-west-1:123456789012:sms_dead_letters"
    error_message = "The outputs describe the named queue."
  }
}

run "default_name_follows_the_prefix" {
  command = plan

  variables {
    name          = "sms"
    name_prefix   = "prod-"
    failure_queue = { enabled = true }
  }

  assert {
    condition     = aws_sqs_queue.failures[0].name == "prod-sms-failures"
    error_message = "The default queue name is <name_prefix><name>-failures."
  }
}

run "receiver_mode" {
  command = apply

  variables {
    channel_mode  = "receiver"
    failure_queue = { enabled = true }
  }

  assert {
    condition     = length(aws_sqs_queue.failures) == 1 && length(aws_sqs_queue_policy.failures) == 1
    error_message = "The receiver's function reports failures too."
  }

  assert {
    condition     = contains([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Sid], "SendFailedDeliveries")
    error_message = "The receiver's role may send to the queue."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_FAILURE_QUEUE_URL"] == aws_sqs_queue.failures[0].url
    error_message = "The receiver's handler gets the queue URL."
  }
}

run "existing_role_gets_the_statements_as_output" {
  command = plan

  variables {
    create_role = false
    lambda_role = "arn:aws:iam::123456789012:role/platform/pinpoint-channel"
    failure_queue = {
      enabled     = true
      kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition     = length(aws_sqs_queue.failures) == 1 && length(aws_iam_role_policy.this) == 0
    error_message = "The queue is created; the brought role is not touched."
  }

  assert {
    condition     = toset([for s in jsondecode(output.lambda_role_policy_json).Statement : s.Sid]) == toset(["RecordDeliveries", "WriteOwnLogGroup", "PutMetricDataInNamespace", "SendFailedDeliveries", "UseFailureQueueKey"])
    error_message = "lambda_role_policy_json must hold the queue's statements for a brought role."
  }
}

run "operators_consume_and_module_key_by_default" {
  command   = apply
  state_key = "operators"

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab"
    failure_queue = {
      enabled            = true
      operator_role_arns = ["arn:aws:iam::123456789012:role/ops/oncall", "arn:aws:iam::123456789012:role/ops/oncall", "arn:aws:iam::123456789012:role/Resender"]
    }
  }

  assert {
    condition     = aws_sqs_queue.failures[0].kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab" && aws_sqs_queue.failures[0].sqs_managed_sse_enabled != true
    error_message = "Without a queue key of its own the queue must be encrypted with the module's kms_key_arn."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "UseFailureQueueKey"
    ]).Resource == ["arn:aws:kms:eu-west-1:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab"]
    error_message = "The role may use the queue's key (the module's key) through SQS."
  }

  assert {
    condition = [for s in jsondecode(aws_sqs_queue_policy.failures[0].policy).Statement : s if s.Sid == "AllowOperatorsToResend"] == [{
      Sid       = "AllowOperatorsToResend"
      Effect    = "Allow"
      Principal = { AWS = ["arn:aws:iam::123456789012:role/Resender", "arn:aws:iam::123456789012:role/ops/oncall"] }
      Action    = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:SendMessage"]
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures"
    }]
    error_message = "The named operators (each once) may receive, delete, change visibility and send the replacement of a message resent with an unknown outcome."
  }

  assert {
    condition = [for s in jsondecode(aws_sqs_queue_policy.failures[0].policy).Statement : s if s.Sid == "DenySendExceptFunctionRole"][0].Condition == {
      ArnNotEquals = { "aws:PrincipalArn" = ["arn:aws:iam::123456789012:role/pinpoint-custom-channel", "arn:aws:iam::123456789012:role/Resender", "arn:aws:iam::123456789012:role/ops/oncall"] }
    }
    error_message = "Sending is denied to everyone but the function's role and the named operators (resend's replacements)."
  }

  assert {
    condition = [for s in jsondecode(aws_sqs_queue_policy.failures[0].policy).Statement : s if s.Sid == "DenyConsumeExceptOperators"] == [{
      Sid       = "DenyConsumeExceptOperators"
      Effect    = "Deny"
      Principal = "*"
      Action    = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures"
      Condition = { ArnNotEquals = { "aws:PrincipalArn" = ["arn:aws:iam::123456789012:role/Resender", "arn:aws:iam::123456789012:role/ops/oncall"] } }
    }]
    error_message = "Every other principal is denied receiving and deleting."
  }

  assert {
    condition     = length([for s in jsondecode(aws_sqs_queue_policy.failures[0].policy).Statement : s if s.Sid == "DenyInsecureTransport"]) == 1
    error_message = "The TLS-only statement stays."
  }
}
