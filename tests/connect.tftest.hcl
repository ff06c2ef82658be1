# event_source = "connect": an Amazon Connect outbound campaigns custom action. The rendered
# permission, environment, timeout and alarms, then every validation of the Connect inputs.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
  event_source = "connect"
  connect = {
    instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
    message_template = "Hi {{FirstName}}, your order has shipped."
  }
}

run "connect_permission_and_nothing_of_pinpoint" {
  command = plan

  assert {
    condition     = keys(aws_lambda_permission.this) == ["connect", "connect_journeys"]
    error_message = "A Connect channel has exactly two invoke permissions, keyed connect and connect_journeys (no Pinpoint one)."
  }

  assert {
    condition = (
      aws_lambda_permission.this["connect"].principal == "connect-campaigns.amazonaws.com" &&
      aws_lambda_permission.this["connect"].action == "lambda:InvokeFunction" &&
      aws_lambda_permission.this["connect"].source_arn == "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211" &&
      aws_lambda_permission.this["connect"].source_account == "210987654321" &&
      aws_lambda_permission.this["connect"].statement_id_prefix == "connect-"
    )
    error_message = "connect-campaigns.amazonaws.com may invoke the function only for the instance (SourceArn) and its account (SourceAccount)."
  }

  # Journey custom actions invoke under connect.amazonaws.com: scoped by the instance's
  # account only, since the SourceArn Connect sends for them is unconfirmed (main.tf).
  assert {
    condition = (
      aws_lambda_permission.this["connect_journeys"].principal == "connect.amazonaws.com" &&
      aws_lambda_permission.this["connect_journeys"].action == "lambda:InvokeFunction" &&
      aws_lambda_permission.this["connect_journeys"].source_account == "210987654321" &&
      aws_lambda_permission.this["connect_journeys"].source_arn == null &&
      aws_lambda_permission.this["connect_journeys"].statement_id_prefix == "connect_journeys-" &&
      aws_lambda_permission.this["connect_journeys"].qualifier == null
    )
    error_message = "connect.amazonaws.com may invoke the function for the instance's account (SourceAccount), with no SourceArn."
  }

  assert {
    condition = (
      length(aws_pinpoint_app.this) == 0 && length(aws_cloudformation_stack.campaign) == 0 &&
      length(data.aws_ssm_parameters_by_path.campaign) == 0 && length(aws_lambda_permission.treatments) == 0
    )
    error_message = "No Pinpoint application, campaign, segment or Pinpoint permission for Connect."
  }

  assert {
    condition     = output.pinpoint_application_id == null && output.pinpoint_application_arn == null && output.pinpoint_campaign_id == null && output.pinpoint_campaign_definition_json == null
    error_message = "The Pinpoint outputs are null for Connect."
  }

  assert {
    condition     = aws_lambda_function.this[0].timeout == 30
    error_message = "The default timeout follows Connect's 30 s wait."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_DEADLINE_SECONDS"] == "30"
    error_message = "The default deadline follows Connect's 30 s wait."
  }
}

run "connect_environment" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      message_templates = {
        "7a1b2c3d-action" = "Your code is {{Attributes.Code}}"
      }
      profiles = {
        address_fields = ["PhoneNumber", "Attributes.Mobile"]
        channel_type   = "SMS"
        opt_out_field  = "Attributes.DoNotText"
        result_field   = true
      }
    }
  }

  assert {
    condition = (
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_EVENT_SOURCE"] == "connect" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_MESSAGE_TEMPLATE"] == "Hi {{FirstName}}, your order has shipped." &&
      jsondecode(aws_lambda_function.this[0].environment[0].variables["CHANNEL_MESSAGE_TEMPLATES"]) == { "7a1b2c3d-action" = "Your code is {{Attributes.Code}}" }
    )
    error_message = "CHANNEL_EVENT_SOURCE, CHANNEL_MESSAGE_TEMPLATE and CHANNEL_MESSAGE_TEMPLATES (JSON) must be set."
  }

  assert {
    condition = (
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_ADDRESS_FIELDS"] == "PhoneNumber,Attributes.Mobile" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_CHANNEL_TYPE"] == "SMS" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_OPT_OUT_FIELD"] == "Attributes.DoNotText" &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_RESULT_FIELD"] == "true"
    )
    error_message = "connect.profiles must map to the CHANNEL_CONNECT_* settings (address fields comma-joined)."
  }
}

run "connect_unset_settings_are_left_out" {
  command = plan

  assert {
    condition = length(setintersection(keys(aws_lambda_function.this[0].environment[0].variables), [
      "CHANNEL_MESSAGE_TEMPLATES", "CHANNEL_CONNECT_ADDRESS_FIELDS", "CHANNEL_CONNECT_CHANNEL_TYPE",
      "CHANNEL_CONNECT_OPT_OUT_FIELD", "CHANNEL_CONNECT_RESULT_FIELD",
    ])) == 0
    error_message = "Unset Connect settings must not reach the environment (the handler's defaults apply)."
  }
}

run "connect_commands_and_alias" {
  command = apply

  variables {
    publish = true
  }

  assert {
    condition     = output.connect_register_command == "aws connectcampaignsv2 put-connect-instance-integration --region eu-west-1 --connect-instance-id 0f1e2d3c-4b5a-4697-8877-665544332211 --integration-config '{\"lambda\":{\"functionArn\":\"arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel:live\"}}'"
    error_message = "connect_register_command must be the AWS CLI's PutConnectInstanceIntegration in the instance's region, naming the instance id and the function the permission is on (the alias when published)."
  }

  assert {
    condition     = output.connect_unregister_command == "aws connectcampaignsv2 delete-connect-instance-integration --region eu-west-1 --connect-instance-id 0f1e2d3c-4b5a-4697-8877-665544332211 --integration-identifier '{\"lambda\":{\"functionArn\":\"arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel:live\"}}'"
    error_message = "connect_unregister_command must mirror the register command (DeleteConnectInstanceIntegration)."
  }

  assert {
    condition     = length(terraform_data.connect_registration) == 0 && output.connect_registered_function_arn == null
    error_message = "connect.register is off by default: Terraform runs no AWS CLI."
  }

  assert {
    condition     = aws_lambda_permission.this["connect"].qualifier == "live" && aws_lambda_permission.this["connect_journeys"].qualifier == "live" && output.connect_instance_arn == var.connect.instance_arn
    error_message = "Both Connect permissions target the alias when published."
  }

  assert {
    condition = (
      output.lambda_permission_source_arns["connect"] == "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211" &&
      output.lambda_permission_source_arns["connect_journeys"] == null &&
      length(output.lambda_permission_source_arns) == 2
    )
    error_message = "lambda_permission_source_arns must report the instance for connect and none for connect_journeys."
  }

  assert {
    condition     = keys(output.lambda_permission_statement_ids) == ["connect", "connect_journeys"]
    error_message = "lambda_permission_statement_ids must name both Connect statements."
  }
}

run "connect_commands_unpublished" {
  command = apply

  assert {
    condition     = output.connect_register_command == "aws connectcampaignsv2 put-connect-instance-integration --region eu-west-1 --connect-instance-id 0f1e2d3c-4b5a-4697-8877-665544332211 --integration-config '{\"lambda\":{\"functionArn\":\"arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel\"}}'"
    error_message = "Without publish the command registers the unqualified function ARN."
  }
}

# connect.register = true: a terraform_data whose provisioners run the AWS CLI (plan only here:
# an apply would run it; tests/test_connect_registration.py applies it on the local AWS).
run "connect_register_on_apply" {
  command = plan

  variables {
    publish = true
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      register         = true
    }
  }

  override_resource {
    target          = aws_lambda_alias.this
    override_during = plan
    values = {
      arn = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel:live"
    }
  }

  assert {
    condition = terraform_data.connect_registration[0].input == {
      instance_arn = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      instance_id  = "0f1e2d3c-4b5a-4697-8877-665544332211"
      region       = "eu-west-1"
      function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel:live"
    }
    error_message = "The registration must hold the instance, its region and the alias ARN (what its destroy-time provisioner reads from self)."
  }

  assert {
    condition     = terraform_data.connect_registration[0].triggers_replace == terraform_data.connect_registration[0].input
    error_message = "Another function ARN (alias or publish changed) or instance must replace the registration: unregister the old, register the new."
  }
}

run "connect_register_not_a_bool" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      register         = "yes"
    }
  }

  expect_failures = [var.connect]
}

run "connect_register_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      register = true
    }
  }

  expect_failures = [data.aws_partition.current]
}

# Connect's metrics under a Connect name: never in Pinpoint's PinpointCustomChannelExecution by
# default. The environment, the role's PutMetricData condition, the alarms and the dashboard
# all read the one namespace.
run "connect_metrics_namespace_default" {
  command = plan

  variables {
    alarms    = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"] }
    dashboard = { enabled = true }
  }

  assert {
    condition = (
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_METRICS_NAMESPACE"] == "ConnectCustomAction" &&
      one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "PutMetricDataInNamespace"]).Condition.StringEquals["cloudwatch:namespace"] == "ConnectCustomAction" &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].namespace == "ConnectCustomAction" &&
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].namespace == "ConnectCustomAction" &&
      strcontains(aws_cloudwatch_dashboard.this[0].dashboard_body, "\"ConnectCustomAction\"") &&
      !strcontains(aws_cloudwatch_dashboard.this[0].dashboard_body, "PinpointCustomChannelExecution")
    )
    error_message = "A Connect deployment publishes, may publish, alarms and charts in ConnectCustomAction, never in PinpointCustomChannelExecution."
  }
}

run "connect_metrics_namespace_chosen" {
  command = plan

  variables {
    metrics = { namespace = "PinpointCustomChannelExecution" }
    alarms  = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"] }
  }

  assert {
    condition = (
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_METRICS_NAMESPACE"] == "PinpointCustomChannelExecution" &&
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].namespace == "PinpointCustomChannelExecution"
    )
    error_message = "A namespace set is used as set (here: 0.2.0's, to keep an existing Connect deployment's series)."
  }
}

run "connect_alarms_watch_the_connect_series" {
  command = plan

  variables {
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"] }
  }

  # The handler publishes Connect's delivery metrics never without dimensions (an alarm on the
  # dimensionless series would never fire) and, like Pinpoint's, under Channel=<name>.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["failed_deliveries"].dimensions == tomap({ Channel = "pinpoint-custom-channel" }) &&
      aws_cloudwatch_metric_alarm.this["unknown_deliveries"].dimensions == tomap({ Channel = "pinpoint-custom-channel" })
    )
    error_message = "The delivery alarms of a Connect channel must watch its own Channel series."
  }
}

run "pinpoint_keeps_its_defaults" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      instance_arn     = null
      message_template = null
    }
    alarms = { enabled = true, sns_topic_arns = ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"] }
  }

  assert {
    condition     = length([for p in aws_lambda_permission.this : p if contains(["connect-campaigns.amazonaws.com", "connect.amazonaws.com"], p.principal)]) == 0
    error_message = "event_source = pinpoint grants neither Connect principal."
  }

  assert {
    condition = (
      keys(aws_lambda_permission.this) == ["pinpoint"] && length(aws_pinpoint_app.this) == 1 &&
      aws_lambda_function.this[0].timeout == 15 &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_EVENT_SOURCE"] == "pinpoint" &&
      !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_MESSAGE_TEMPLATE")
    )
    error_message = "event_source = pinpoint keeps the application, the Pinpoint permission and 15 s."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["failed_deliveries"].dimensions == tomap({ Channel = "pinpoint-custom-channel" }) && output.connect_register_command == null && output.connect_unregister_command == null
    error_message = "Pinpoint's delivery alarms watch the deployment's Channel series; no Connect commands."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_METRICS_NAMESPACE"] == "PinpointCustomChannelExecution" && aws_cloudwatch_metric_alarm.this["failed_deliveries"].namespace == "PinpointCustomChannelExecution"
    error_message = "The guide's metrics stay where the guide puts them: PinpointCustomChannelExecution for Pinpoint."
  }
}

run "connect_deadline_up_to_30" {
  command = plan

  variables {
    delivery = {
      adapter          = "none"
      deadline_seconds = 30
    }
    idempotency = { lease_seconds = 31 }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_DEADLINE_SECONDS"] == "30"
    error_message = "Connect accepts a 30 s deadline."
  }
}

run "connect_message_templates_alone" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template  = null
      message_templates = { a = format("%3500s", "x") }
    }
  }

  assert {
    condition     = length(jsondecode(aws_lambda_function.this[0].environment[0].variables["CHANNEL_MESSAGE_TEMPLATES"])["a"]) == 3500
    error_message = "connect.message_templates alone is enough for Connect."
  }
}

run "connect_templates_authored_in_connect" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids = {
        "Welcome Message"  = "11111111-2222-4333-8444-555555555555"
        "Order Shipped #2" = "66666666-7777-4888-9999-aaaaaaaaaaaa:3"
        "Rappel d'été"     = "11111111-2222-4333-8444-555555555555:12"
      }
      template_ttl_seconds = 0
    }
  }

  # template_ids alone is a message: no message_template needed.
  assert {
    condition = (
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_KNOWLEDGE_BASE_ID"] == "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" &&
      jsondecode(aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_TEMPLATE_IDS"]) == {
        "Welcome Message"  = "11111111-2222-4333-8444-555555555555"
        "Order Shipped #2" = "66666666-7777-4888-9999-aaaaaaaaaaaa:3"
        "Rappel d'été"     = "11111111-2222-4333-8444-555555555555:12"
      } &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS"] == "0" &&
      !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_MESSAGE_TEMPLATE")
    )
    error_message = "connect.knowledge_base_id, template_ids (JSON, labels as given) and template_ttl_seconds must map to CHANNEL_CONNECT_KNOWLEDGE_BASE_ID, _TEMPLATE_IDS and _TEMPLATE_TTL_SECONDS."
  }

  # One statement: GetMessageTemplate only, on the knowledge base and each distinct template
  # (unqualified and its versions), in the function's account and region.
  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "ReadConnectMessageTemplates"
      ]) == {
      Sid    = "ReadConnectMessageTemplates"
      Effect = "Allow"
      Action = ["wisdom:GetMessageTemplate"]
      Resource = [
        "arn:aws:wisdom:eu-west-1:123456789012:knowledge-base/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "arn:aws:wisdom:eu-west-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/11111111-2222-4333-8444-555555555555",
        "arn:aws:wisdom:eu-west-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/11111111-2222-4333-8444-555555555555:*",
        "arn:aws:wisdom:eu-west-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/66666666-7777-4888-9999-aaaaaaaaaaaa",
        "arn:aws:wisdom:eu-west-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/66666666-7777-4888-9999-aaaaaaaaaaaa:*",
      ]
    }
    error_message = "template_ids must grant wisdom:GetMessageTemplate on the knowledge base and each distinct template (and its versions), nothing else."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if length([for a in s.Action : a if startswith(a, "wisdom:")]) > 0]) == 1
    error_message = "Exactly one statement of the role may name wisdom actions."
  }

  assert {
    condition     = contains([for s in jsondecode(output.lambda_role_policy_json).Statement : s.Sid], "ReadConnectMessageTemplates")
    error_message = "lambda_role_policy_json (for a brought role) must hold the templates statement."
  }
}

run "connect_templates_without_ttl_and_with_message_template" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template  = "Hi {{FirstName}}, your order has shipped."
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
    }
  }

  assert {
    condition = (
      !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS") &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_MESSAGE_TEMPLATE"] == "Hi {{FirstName}}, your order has shipped." &&
      aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_TEMPLATE_IDS"] == "{\"Welcome Message\":\"11111111-2222-4333-8444-555555555555\"}"
    )
    error_message = "An unset template_ttl_seconds leaves the handler's default; template_ids sits beside message_template."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource if s.Sid == "ReadConnectMessageTemplates"
      ]) == [
      "arn:aws:wisdom:eu-west-1:123456789012:knowledge-base/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      "arn:aws:wisdom:eu-west-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/11111111-2222-4333-8444-555555555555",
      "arn:aws:wisdom:eu-west-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/11111111-2222-4333-8444-555555555555:*",
    ]
    error_message = "An unversioned template id grants its ARN and its versions."
  }
}

run "connect_templates_partition_aware" {
  command = plan

  override_data {
    target = data.aws_partition.current
    values = {
      partition          = "aws-cn"
      dns_suffix         = "amazonaws.com.cn"
      reverse_dns_prefix = "cn.com.amazonaws"
    }
  }

  override_data {
    target = data.aws_region.current
    values = {
      id          = "cn-north-1"
      name        = "cn-north-1"
      endpoint    = "ec2.cn-north-1.amazonaws.com.cn"
      description = "China (Beijing)"
    }
  }

  variables {
    connect = {
      instance_arn      = "arn:aws-cn:connect:cn-north-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "Welcome Message" = "11111111-2222-4333-8444-555555555555:7" }
    }
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource if s.Sid == "ReadConnectMessageTemplates"
      ]) == [
      "arn:aws-cn:wisdom:cn-north-1:123456789012:knowledge-base/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      "arn:aws-cn:wisdom:cn-north-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/11111111-2222-4333-8444-555555555555",
      "arn:aws-cn:wisdom:cn-north-1:123456789012:message-template/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/11111111-2222-4333-8444-555555555555:*",
    ]
    error_message = "The templates statement's ARNs follow the function's partition and region."
  }
}

run "connect_without_templates_has_no_wisdom_statement" {
  command = plan

  assert {
    condition = (
      !strcontains(aws_iam_role_policy.this[0].policy, "wisdom:") &&
      length(setintersection(keys(aws_lambda_function.this[0].environment[0].variables), [
        "CHANNEL_CONNECT_KNOWLEDGE_BASE_ID", "CHANNEL_CONNECT_TEMPLATE_IDS", "CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS",
      ])) == 0
    )
    error_message = "Without template_ids: no wisdom statement and no template settings in the environment."
  }
}

################################################################################
# Validations
################################################################################

run "event_source_unknown" {
  command = plan

  variables {
    event_source = "journey"
  }

  expect_failures = [var.event_source]
}

run "connect_needs_instance_arn" {
  command = plan

  variables {
    connect = {
      message_template = "Hi {{FirstName}}, your order has shipped."
      instance_arn     = null
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_instance_arn_malformed" {
  command = plan

  variables {
    connect = {
      message_template = "Hi {{FirstName}}, your order has shipped."
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/my-instance"
    }
  }

  expect_failures = [var.connect]
}

run "connect_instance_arn_not_an_instance" {
  command = plan

  variables {
    connect = {
      message_template = "Hi {{FirstName}}, your order has shipped."
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211/queue/0f1e2d3c-4b5a-4697-8877-665544332211"
    }
  }

  expect_failures = [var.connect]
}

run "instance_arn_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = null
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_needs_lambda_mode" {
  command = plan

  variables {
    channel_mode = "receiver"
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_refuses_retry_policy" {
  command = plan

  variables {
    delivery = {
      adapter        = "none"
      failure_policy = "retry"
    }
  }

  expect_failures = [aws_lambda_function.this]
}

run "connect_refuses_campaign" {
  command = plan

  variables {
    campaign = { name = "welcome", data = "Hi" }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_refuses_segment" {
  command = plan

  variables {
    segment = { channel_types = ["SMS"] }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_refuses_segment_id" {
  command = plan

  variables {
    segment = {
      id = "5c7e1f0a9b8d4e3f2a1b0c9d8e7f6a5b"
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_refuses_application" {
  command = plan

  variables {
    application = {
      create = true
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_refuses_application_id" {
  command = plan

  variables {
    application = {
      create = false
      id     = "3a9b1f4e6c764ba7b031e7183a0b1c2d"
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_refuses_permission_campaign_id" {
  command = plan

  variables {
    pinpoint_permission = {
      campaign_id = "95fee4cd1d7f5cd67987c1436e0b1c2d"
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_needs_a_message" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = null
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "message_template_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      message_template = "Hi {{FirstName}}, your order has shipped."
      instance_arn     = null
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "message_templates_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      instance_arn      = null
      message_template  = null
      message_templates = { a = "Hi" }
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "message_template_empty" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = ""
    }
  }

  expect_failures = [var.connect]
}

run "message_template_too_long" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = format("%16385s", "x")
    }
  }

  expect_failures = [var.connect]
}

run "message_templates_too_long" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template  = "Hi {{FirstName}}, your order has shipped."
      message_templates = { a = format("%16385s", "x") }
    }
  }

  expect_failures = [var.connect]
}

run "message_templates_empty_action_id" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template  = "Hi {{FirstName}}, your order has shipped."
      message_templates = { " " = "Hi" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_environment_over_lambda_quota" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = format("%5000s", "x")
    }
  }

  expect_failures = [aws_lambda_function.this]
}

run "connect_address_fields_empty" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      profiles         = { address_fields = [] }
    }
  }

  expect_failures = [var.connect]
}

run "connect_address_field_with_comma" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      profiles         = { address_fields = ["PhoneNumber,email"] }
    }
  }

  expect_failures = [var.connect]
}

run "connect_address_field_with_space" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      profiles         = { address_fields = ["Phone Number"] }
    }
  }

  expect_failures = [var.connect]
}

run "connect_channel_type_lowercase" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      profiles         = { channel_type = "sms" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_channel_type_too_long" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      profiles         = { channel_type = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_opt_out_field_bad" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi {{FirstName}}, your order has shipped."
      profiles         = { opt_out_field = "{{OptOut}}" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_profiles_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      instance_arn     = null
      message_template = null
      profiles         = { result_field = true }
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "connect_deadline_above_30" {
  command = plan

  variables {
    timeout = 60
    delivery = {
      adapter          = "none"
      deadline_seconds = 31
    }
  }

  expect_failures = [var.delivery]
}

run "pinpoint_deadline_above_15" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      instance_arn     = null
      message_template = null
    }
    timeout = 60
    delivery = {
      adapter          = "none"
      deadline_seconds = 16
    }
  }

  expect_failures = [aws_lambda_function.this]
}

run "connect_lease_shorter_than_its_wait" {
  command = plan

  variables {
    idempotency = { lease_seconds = 30 }
  }

  expect_failures = [aws_dynamodb_table.idempotency]
}

run "connect_knowledge_base_id_uppercase" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D"
      template_ids      = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_knowledge_base_id_an_arn" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "arn:aws:wisdom:eu-west-1:123456789012:knowledge-base/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_id_malformed" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "Welcome Message" = "welcome-template" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_id_named_qualifier" {
  command = plan

  # The module takes a version number; $ACTIVE_VERSION is what no version means.
  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "Welcome Message" = "11111111-2222-4333-8444-555555555555:$ACTIVE_VERSION" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_id_empty_version" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "Welcome Message" = "11111111-2222-4333-8444-555555555555:" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_ids_empty_label" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "" = "11111111-2222-4333-8444-555555555555" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_ids_need_knowledge_base" {
  command = plan

  variables {
    connect = {
      instance_arn = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      template_ids = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
    }
  }

  expect_failures = [var.connect]
}

run "connect_knowledge_base_without_template_ids" {
  command = plan

  variables {
    connect = {
      instance_arn      = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template  = "Hi {{FirstName}}, your order has shipped."
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_ttl_negative" {
  command = plan

  variables {
    connect = {
      instance_arn         = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id    = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids         = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
      template_ttl_seconds = -1
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_ttl_above_a_day" {
  command = plan

  variables {
    connect = {
      instance_arn         = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id    = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids         = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
      template_ttl_seconds = 86401
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_ttl_fractional" {
  command = plan

  variables {
    connect = {
      instance_arn         = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id    = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids         = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
      template_ttl_seconds = 1.5
    }
  }

  expect_failures = [var.connect]
}

run "connect_template_ttl_a_day" {
  command = plan

  variables {
    connect = {
      instance_arn         = "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      knowledge_base_id    = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids         = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
      template_ttl_seconds = 86400
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS"] == "86400"
    error_message = "connect.template_ttl_seconds accepts 86400."
  }
}

run "template_ids_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      instance_arn      = null
      message_template  = null
      knowledge_base_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
      template_ids      = { "Welcome Message" = "11111111-2222-4333-8444-555555555555" }
    }
  }

  expect_failures = [data.aws_partition.current]
}

run "template_ttl_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect = {
      instance_arn         = null
      message_template     = null
      template_ttl_seconds = 60
    }
  }

  expect_failures = [data.aws_partition.current]
}
