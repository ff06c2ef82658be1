# The Pinpoint invoke permission for each scope, and the two-apply flow that narrows it to
# the campaign while the campaign stays.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
  campaign = {
    name = "welcome"
    data = "{\"message\":\"Welcome!\"}"
  }
}

run "scope_account" {
  command = plan

  variables {
    campaign = null
    pinpoint_permission = {
      scope = "account"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/*"
    error_message = "Account scope must allow apps/* of the account."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].principal == "pinpoint.eu-west-1.amazonaws.com" && aws_lambda_permission.this["pinpoint"].source_account == "123456789012"
    error_message = "Principal and source_account are required in every scope."
  }
}

run "scope_application_existing_app" {
  command = plan

  variables {
    campaign = null
    application = {
      create = false
      id     = "3a9b1f4e6c764ba7b031e7183a0b1c2d"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/3a9b1f4e6c764ba7b031e7183a0b1c2d/*"
    error_message = "Application scope must allow apps/<app-id>/*."
  }

  assert {
    condition     = length(aws_pinpoint_app.this) == 0 && output.pinpoint_application_id == "3a9b1f4e6c764ba7b031e7183a0b1c2d"
    error_message = "An existing application must be used as given."
  }

  assert {
    condition     = output.pinpoint_application_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/3a9b1f4e6c764ba7b031e7183a0b1c2d"
    error_message = "The application ARN must be built with the partition."
  }
}

run "scope_campaign_given_id" {
  command = plan

  variables {
    campaign = null
    application = {
      create = false
      id     = "dbaf6ec2226f0a9a8615e3ea5a0b1c2d"
    }
    pinpoint_permission = {
      scope       = "campaign"
      campaign_id = "95fee4cd1d7f5cd67987c1436e0b1c2d"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/campaigns/95fee4cd1d7f5cd67987c1436e0b1c2d"
    error_message = "Campaign scope must allow apps/<app-id>/campaigns/<campaign-id>."
  }

  assert {
    condition     = length(data.aws_ssm_parameters_by_path.campaign) == 0
    error_message = "A given campaign id needs no lookup."
  }
}

run "partition_aws_cn" {
  command = plan

  override_data {
    target = data.aws_partition.current
    values = {
      partition  = "aws-cn"
      dns_suffix = "amazonaws.com.cn"
    }
  }

  override_data {
    target = data.aws_region.current
    values = {
      id       = "cn-north-1"
      name     = "cn-north-1"
      endpoint = "ec2.cn-north-1.amazonaws.com.cn"
    }
  }

  variables {
    campaign = null
    application = {
      create = false
      id     = "dbaf6ec2226f0a9a8615e3ea5a0b1c2d"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws-cn:mobiletargeting:cn-north-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/*"
    error_message = "ARNs must be built with the partition."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].principal == "pinpoint.cn-north-1.amazonaws.com"
    error_message = "The principal must follow the region."
  }

  assert {
    condition = [for s in jsondecode(local.policy_json).Statement : s.Resource if contains(["WriteOwnLogGroup", "RecordDeliveries"], s.Sid)] == [
      ["arn:aws-cn:dynamodb:cn-north-1:123456789012:table/pinpoint-custom-channel-deliveries"],
      ["arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/pinpoint-custom-channel:*"],
    ]
    error_message = "The table and log ARNs must be built with the partition and the region."
  }
}

# Campaign scope converges in two plain applies of one configuration. Apply 1: no stack has
# recorded its campaign yet (a first apply), so the permission allows the application, which
# Pinpoint checks when it creates the campaign, and the check block says "apply again".
run "first_apply_campaign_scope_starts_with_the_application" {
  command = apply

  override_data {
    target = data.aws_ssm_parameters_by_path.campaign[0]
    values = {
      names  = []
      values = []
    }
  }

  variables {
    pinpoint_permission = {
      scope = "campaign"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/*"
    error_message = "Apply 1 must allow the application: the campaign does not exist yet."
  }

  assert {
    condition     = length(aws_cloudformation_stack.campaign) == 1 && output.pinpoint_campaign_id == "95fee4cd1d7f5cd67987c1436a0b1c2d"
    error_message = "Apply 1 must create the campaign."
  }

  assert {
    condition     = aws_cloudformation_stack.campaign[0].tags["custom-channel:deployment"] == "pinpoint-custom-channel"
    error_message = "The stack carries the deployment's tag."
  }

  assert {
    condition = jsondecode(nonsensitive(aws_cloudformation_stack.campaign[0].template_body)).Resources.CampaignArnParameter == {
      Type = "AWS::SSM::Parameter"
      Properties = {
        Name        = "/custom-channel/pinpoint-custom-channel-campaign/campaign-arn"
        Type        = "String"
        Value       = { "Fn::GetAtt" = ["Campaign", "Arn"] }
        Description = "ARN of the campaign of stack pinpoint-custom-channel-campaign: the pinpoint-custom-channel channel's invoke permission names it (pinpoint_permission.scope = campaign)"
      }
    }
    error_message = "The stack records its campaign's ARN in an SSM parameter under its own name, which apply 2 reads."
  }

  assert {
    condition     = data.aws_ssm_parameters_by_path.campaign[0].path == "/custom-channel/pinpoint-custom-channel-campaign" && data.aws_ssm_parameters_by_path.campaign[0].recursive == false
    error_message = "The module reads the parameters of its own stack's path."
  }

  # The check block's warning: "apply again to narrow".
  expect_failures = [check.pinpoint_permission_campaign_scope]
}

# Apply 2, the same configuration: the stack's parameter names its campaign, which narrows the
# permission (replaced, new statement first), and the campaign stays.
run "second_apply_same_configuration_narrows_to_the_campaign" {
  command = apply

  override_data {
    target = data.aws_ssm_parameters_by_path.campaign[0]
    values = {
      names  = ["/custom-channel/pinpoint-custom-channel-campaign/campaign-arn"]
      values = ["arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/campaigns/95fee4cd1d7f5cd67987c1436a0b1c2d"]
    }
  }

  variables {
    pinpoint_permission = {
      scope = "campaign"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/campaigns/${run.first_apply_campaign_scope_starts_with_the_application.pinpoint_campaign_id}"
    error_message = "Apply 2 must narrow the permission to the campaign created by apply 1."
  }


  assert {
    condition     = output.pinpoint_campaign_stack_id == run.first_apply_campaign_scope_starts_with_the_application.pinpoint_campaign_stack_id && output.pinpoint_campaign_id == run.first_apply_campaign_scope_starts_with_the_application.pinpoint_campaign_id
    error_message = "The campaign must stay across the two applies."
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].statement_id_prefix == "pinpoint-" && aws_lambda_permission.this["pinpoint"].source_account == "123456789012"
    error_message = "The narrowed permission keeps a generated statement id (so old and new can coexist) and SourceAccount."
  }

  assert {
    condition     = jsondecode(nonsensitive(aws_cloudformation_stack.campaign[0].template_body)) == jsondecode(nonsensitive(run.first_apply_campaign_scope_starts_with_the_application.pinpoint_campaign_template_body))
    error_message = "The campaign template must not change when the permission is narrowed."
  }
}

# Going back to a looser scope is a normal replace as well.
run "third_apply_back_to_account_scope" {
  command = apply

  variables {
    pinpoint_permission = {
      scope = "account"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/*" && output.pinpoint_campaign_id == run.first_apply_campaign_scope_starts_with_the_application.pinpoint_campaign_id
    error_message = "Widening again keeps the campaign."
  }
}

# A renamed stack is replaced: the old one's parameter is not the configured stack's, so its
# campaign is not used and the new campaign gets the application scope.
run "renamed_stack_falls_back_to_the_application" {
  command = plan

  override_data {
    target = data.aws_ssm_parameters_by_path.campaign[0]
    values = {
      names  = ["/custom-channel/pinpoint-custom-channel-campaign/campaign-arn"]
      values = ["arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/campaigns/95fee4cd1d7f5cd67987c1436a0b1c2d"]
    }
  }

  variables {
    campaign = {
      name       = "welcome"
      data       = "{\"message\":\"Welcome!\"}"
      stack_name = "welcome-v2"
    }
    pinpoint_permission = {
      scope = "campaign"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/*" && data.aws_ssm_parameters_by_path.campaign[0].path == "/custom-channel/welcome-v2"
    error_message = "A stack of another name must not lend its campaign: the application scope until the new campaign exists."
  }

  expect_failures = [check.pinpoint_permission_campaign_scope]
}

# A stack whose campaign belongs to another application (the application was replaced): the
# new campaign needs the application scope first.
run "campaign_of_another_application_is_not_used" {
  command = plan

  override_data {
    target = data.aws_ssm_parameters_by_path.campaign[0]
    values = {
      names  = ["/custom-channel/pinpoint-custom-channel-campaign/campaign-arn"]
      values = ["arn:aws:mobiletargeting:eu-west-1:123456789012:apps/00000000000000000000000000000000/campaigns/95fee4cd1d7f5cd67987c1436a0b1c2d"]
    }
  }

  variables {
    pinpoint_permission = {
      scope = "campaign"
    }
  }

  assert {
    condition     = aws_lambda_permission.this["pinpoint"].source_arn == "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/*"
    error_message = "Another application's campaign must not be used."
  }

  expect_failures = [check.pinpoint_permission_campaign_scope]
}

run "treatment_functions_get_their_own_permission" {
  command = plan

  variables {
    campaign = {
      name = "two-functions"
      data = "a"
      treatments = [
        { size_percent = 20, data = "b", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:other-channel:live" },
        { size_percent = 20, data = "c", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:other-channel:live" },
        { size_percent = 20, data = "d", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:third-channel" },
        { size_percent = 20, data = "e", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel" },
      ]
    }
  }

  # Keyed by the treatment's id (TreatmentId 1-4), not by the ARN: a function of the same
  # configuration has its ARN only after apply (tests/unknown_at_plan.tftest.hcl).
  assert {
    condition     = keys(aws_lambda_permission.treatments) == ["1", "2", "3"]
    error_message = "One permission per treatment delivering to another function, keyed by its TreatmentId; the module's own target (treatment 4) already has one."
  }

  assert {
    condition = (
      aws_lambda_permission.treatments["1"].function_name == "arn:aws:lambda:eu-west-1:123456789012:function:other-channel" &&
      aws_lambda_permission.treatments["1"].qualifier == "live" &&
      aws_lambda_permission.treatments["2"].function_name == "arn:aws:lambda:eu-west-1:123456789012:function:other-channel" &&
      aws_lambda_permission.treatments["3"].function_name == "arn:aws:lambda:eu-west-1:123456789012:function:third-channel" &&
      aws_lambda_permission.treatments["3"].qualifier == null
    )
    error_message = "The permission names the function and its qualifier apart."
  }

  assert {
    condition = alltrue([for p in aws_lambda_permission.treatments : (
      p.principal == "pinpoint.eu-west-1.amazonaws.com" && p.action == "lambda:InvokeFunction" &&
      p.source_account == "123456789012" && p.source_arn == aws_lambda_permission.this["pinpoint"].source_arn
    )])
    error_message = "A treatment function's permission is scoped like the module's own (regional principal, SourceAccount, SourceArn)."
  }
}

run "treatment_invoke_permission_overrides_the_inference" {
  command = plan

  variables {
    campaign = {
      name = "two-functions"
      data = "a"
      treatments = [
        { size_percent = 20, data = "b", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:other-channel", invoke_permission = false },
        { size_percent = 20, data = "c", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:third-channel", invoke_permission = true },
        { size_percent = 20, data = "d", delivery_uri = "https://partner.example.com/pinpoint/hook" },
      ]
    }
  }

  assert {
    condition     = keys(aws_lambda_permission.treatments) == ["2"]
    error_message = "invoke_permission = false grants nothing, true grants; a webhook gets none."
  }
}

run "treatment_invoke_permission_needs_a_function_arn" {
  command = plan

  variables {
    campaign = {
      name       = "webhook"
      data       = "a"
      treatments = [{ size_percent = 20, data = "b", delivery_uri = "https://partner.example.com/pinpoint/hook", invoke_permission = true }]
    }
  }

  expect_failures = [var.campaign]
}

run "treatment_function_in_another_account_is_refused" {
  command = plan

  variables {
    campaign = {
      name       = "elsewhere"
      data       = "a"
      treatments = [{ size_percent = 20, data = "b", delivery_uri = "arn:aws:lambda:eu-west-1:210987654321:function:other-channel" }]
    }
  }

  expect_failures = [aws_lambda_permission.treatments["1"]]
}

# Only campaign scope of the module's own campaign records the campaign: other scopes add
# nothing to the stack and read nothing.
run "application_scope_records_nothing" {
  command = plan

  assert {
    condition     = length(data.aws_ssm_parameters_by_path.campaign) == 0 && !contains(keys(jsondecode(nonsensitive(aws_cloudformation_stack.campaign[0].template_body)).Resources), "CampaignArnParameter")
    error_message = "Without campaign scope the stack holds the segment and the campaign only."
  }
}
