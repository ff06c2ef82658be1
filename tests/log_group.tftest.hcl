# The function's log group: created by the module (the default), or an existing one adopted
# (use_existing_cloudwatch_log_group, as terraform-aws-modules/lambda offers), and kept on
# destroy with cloudwatch_logs_skip_destroy.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "created_and_destroyed_by_default" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_log_group.this) == 1 && length(data.aws_cloudwatch_log_group.this) == 0
    error_message = "By default the module creates the log group and reads none."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this[0].skip_destroy == false
    error_message = "By default the log group is deleted with the module (cloudwatch_logs_skip_destroy = false)."
  }
}

run "kept_on_destroy" {
  command = plan

  variables {
    cloudwatch_logs_skip_destroy = true
  }

  assert {
    condition     = aws_cloudwatch_log_group.this[0].skip_destroy == true
    error_message = "cloudwatch_logs_skip_destroy must reach the log group's skip_destroy."
  }
}

# An existing function's log group already exists: creating it fails with
# ResourceAlreadyExistsException, so the module reads it instead.
run "existing_log_group_is_adopted" {
  command = apply

  variables {
    use_existing_cloudwatch_log_group = true
  }

  override_data {
    target = data.aws_cloudwatch_log_group.this[0]
    values = {
      arn               = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/pinpoint-custom-channel"
      retention_in_days = 90
    }
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.this) == 0
    error_message = "With use_existing_cloudwatch_log_group the module must not create the log group."
  }

  assert {
    condition     = data.aws_cloudwatch_log_group.this[0].name == "/aws/lambda/pinpoint-custom-channel"
    error_message = "The module reads the log group Lambda writes to, /aws/lambda/<name>."
  }

  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].log_group == "/aws/lambda/pinpoint-custom-channel"
    error_message = "The function still logs to /aws/lambda/<name>."
  }

  assert {
    condition = (
      output.lambda_cloudwatch_log_group_name == "/aws/lambda/pinpoint-custom-channel" &&
      output.lambda_cloudwatch_log_group_arn == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/pinpoint-custom-channel"
    )
    error_message = "The log group outputs describe the existing group."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "WriteOwnLogGroup"
    ]).Resource == ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/pinpoint-custom-channel:*"]
    error_message = "The role may still write to the (existing) log group."
  }
}

run "existing_log_group_without_a_function" {
  command = plan

  variables {
    channel_mode                      = "webhook"
    delivery                          = null
    webhook_url                       = "https://hooks.example.com/pinpoint"
    use_existing_cloudwatch_log_group = true
  }

  assert {
    condition     = length(data.aws_cloudwatch_log_group.this) == 0 && length(aws_cloudwatch_log_group.this) == 0
    error_message = "Without a function there is no log group to create or read."
  }

  assert {
    condition     = output.lambda_cloudwatch_log_group_name == null && output.lambda_cloudwatch_log_group_arn == null
    error_message = "The log group outputs are null without a function."
  }
}
