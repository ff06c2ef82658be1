################################################################################
# Pinpoint application
################################################################################

locals {
  # Null: a new application for Pinpoint events; none for Connect, which uses no Pinpoint.
  create_application = coalesce(var.application.create, !local.connect)
}

resource "aws_pinpoint_app" "this" {
  count = local.create_application ? 1 : 0

  name = coalesce(var.application.name, local.name)

  tags = var.tags
}

locals {
  application_id = local.create_application ? try(aws_pinpoint_app.this[0].application_id, null) : var.application.id
}

################################################################################
# Segment and campaign: the aws provider has no resource for them, so a
# CloudFormation stack holds AWS::Pinpoint::Segment and AWS::Pinpoint::Campaign.
################################################################################

locals {
  create_campaign = var.campaign == null ? false : var.campaign.create
  create_segment  = local.create_campaign && local.segment.id == null

  campaign_stack_name = coalesce(try(var.campaign.stack_name, null), replace("${local.name}-campaign", "_", "-"))
  # Tags the stack with the deployment's name.
  campaign_stack_tag_key = "custom-channel:deployment"

  # Campaign scope of the module's own campaign (main.tf): the stack records its campaign's ARN
  # in an SSM parameter, read back by path. A parameter name is at most 1011 characters and
  # may not begin with "aws" or "ssm" (SSM API model, PutParameter Name); the stack name (at
  # most 128 letters, digits and hyphens) keeps it valid and makes it the stack's own.
  # Only the function of lambda mode has Pinpoint's invoke permission (the receiver's is API
  # Gateway's, a webhook has none).
  record_campaign_arn     = local.create_campaign && local.create_function && !local.create_receiver && !local.connect && local.pinpoint_permission.scope == "campaign" && local.pinpoint_permission.campaign_id == null
  campaign_parameter_path = "/custom-channel/${local.campaign_stack_name}"
  campaign_parameter_name = "${local.campaign_parameter_path}/campaign-arn"

  # The DeliveryUri of the main treatment: the function (its alias when published), the
  # external webhook, or the receiver URL with its path secret.
  delivery_uri = {
    lambda   = local.function_target_arn
    webhook  = var.webhook_url
    receiver = local.receiver_url
  }[var.channel_mode]

  # The same in the CloudFormation template, except the receiver's path secret: a dynamic
  # reference to its secret version, resolved by CloudFormation when it creates or updates the
  # campaign, so the template (cloudformation:GetTemplate) does not hold the secret. Naming the
  # version makes a new secret version change the template, and so update the campaign.
  template_delivery_uri = local.create_receiver ? "${try(aws_apigatewayv2_api.receiver[0].api_endpoint, "")}/{{resolve:secretsmanager:${try(aws_secretsmanager_secret.receiver[0].arn, "-")}:SecretString:::${try(aws_secretsmanager_secret_version.receiver[0].version_id, "-")}}}" : local.delivery_uri

  campaign_endpoint_types = try(var.campaign.endpoint_types, null)
  campaign_treatments     = var.campaign == null ? [] : var.campaign.treatments
  campaign_schedule       = try(var.campaign.schedule, null)

  # What the additional treatments and the holdout leave goes to the main treatment.
  main_treatment_size_percent = var.campaign == null ? null : 100 - var.campaign.holdout_percent - sum(concat([0], [for t in local.campaign_treatments : t.size_percent]))

  segment_dimensions = local.segment.dimensions_json != null ? jsondecode(local.segment.dimensions_json) : {
    for k, v in {
      Demographic = length(local.segment.channel_types) == 0 ? null : {
        Channel = { DimensionType = "INCLUSIVE", Values = local.segment.channel_types }
      }
      Attributes = length(local.segment.attributes) == 0 ? null : {
        for name, values in local.segment.attributes : name => { AttributeType = "INCLUSIVE", Values = values }
      }
      UserAttributes = length(local.segment.user_attributes) == 0 ? null : {
        for name, values in local.segment.user_attributes : name => { AttributeType = "INCLUSIVE", Values = values }
      }
    } : k => v if v != null
  }

  segment_resource = {
    Type = "AWS::Pinpoint::Segment"
    Properties = {
      for k, v in {
        ApplicationId = local.application_id
        Name          = coalesce(local.segment.name, "${local.name}-segment")
        Dimensions    = length(local.segment_dimensions) == 0 ? null : local.segment_dimensions
        Tags          = length(var.tags) == 0 ? null : var.tags
      } : k => v if v != null
    }
  }

  campaign_schedule_property = local.campaign_schedule == null ? null : {
    for k, v in {
      StartTime   = local.campaign_schedule.start_time
      EndTime     = local.campaign_schedule.end_time
      Frequency   = local.campaign_schedule.frequency
      TimeZone    = local.campaign_schedule.timezone
      IsLocalTime = local.campaign_schedule.is_local_time
      EventFilter = local.campaign_schedule.event_types == null ? null : {
        FilterType = "ENDPOINT"
        Dimensions = {
          EventType = { DimensionType = "INCLUSIVE", Values = local.campaign_schedule.event_types }
        }
      }
    } : k => v if v != null
  }

  campaign_additional_treatments = [
    for t in local.campaign_treatments : {
      for k, v in {
        SizePercent          = t.size_percent
        TreatmentName        = t.name
        TreatmentDescription = t.description
        MessageConfiguration = { CustomMessage = { Data = t.data } }
        CustomDeliveryConfiguration = {
          DeliveryUri   = coalesce(t.delivery_uri, local.template_delivery_uri)
          EndpointTypes = coalesce(t.endpoint_types, local.campaign_endpoint_types)
        }
      } : k => v if v != null
    }
  ]

  campaign_limits = try(var.campaign.limits, null) == null ? null : {
    for k, v in {
      Daily             = var.campaign.limits.daily
      Total             = var.campaign.limits.total
      MessagesPerSecond = var.campaign.limits.messages_per_second
      MaximumDuration   = var.campaign.limits.maximum_duration
      Session           = var.campaign.limits.session
    } : k => v if v != null
  }

  # A literal id or a reference to the segment in the same stack (jsondecode lets the two
  # branches have different types).
  campaign_segment_ref = jsondecode(local.segment.id != null ? jsonencode(local.segment.id) : jsonencode({ "Fn::GetAtt" = ["Segment", "SegmentId"] }))

  campaign_resource = var.campaign == null ? null : {
    Type = "AWS::Pinpoint::Campaign"
    Properties = {
      for k, v in {
        ApplicationId        = local.application_id
        Name                 = var.campaign.name
        Description          = var.campaign.description
        SegmentId            = local.campaign_segment_ref
        Schedule             = local.campaign_schedule_property
        IsPaused             = var.campaign.is_paused
        TreatmentName        = var.campaign.treatment_name
        TreatmentDescription = var.campaign.treatment_description
        MessageConfiguration = { CustomMessage = { Data = var.campaign.data } }
        CustomDeliveryConfiguration = {
          DeliveryUri   = local.template_delivery_uri
          EndpointTypes = local.campaign_endpoint_types
        }
        AdditionalTreatments = length(local.campaign_additional_treatments) == 0 ? null : local.campaign_additional_treatments
        HoldoutPercent       = var.campaign.holdout_percent
        Limits               = local.campaign_limits
        Tags                 = length(merge(var.tags, var.campaign.tags)) == 0 ? null : merge(var.tags, var.campaign.tags)
      } : k => v if v != null
    }
  }

  campaign_arn_parameter = {
    Type = "AWS::SSM::Parameter"
    Properties = {
      for k, v in {
        Name        = local.campaign_parameter_name
        Type        = "String"
        Value       = { "Fn::GetAtt" = ["Campaign", "Arn"] }
        Description = "ARN of the campaign of stack ${local.campaign_stack_name}: the ${local.name} channel's invoke permission names it (pinpoint_permission.scope = campaign)"
        Tags        = length(var.tags) == 0 ? null : var.tags
      } : k => v if v != null
    }
  }

  campaign_template = var.campaign == null ? null : {
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Amazon Pinpoint campaign delivering through the ${local.name} custom channel"
    Resources = merge(
      local.create_segment ? { Segment = local.segment_resource } : {},
      { Campaign = local.campaign_resource },
      local.record_campaign_arn ? { CampaignArnParameter = local.campaign_arn_parameter } : {},
    )
    Outputs = merge(
      {
        CampaignId  = { Value = { "Fn::GetAtt" = ["Campaign", "CampaignId"] } }
        CampaignArn = { Value = { "Fn::GetAtt" = ["Campaign", "Arn"] } }
      },
      local.create_segment ? { SegmentId = { Value = { "Fn::GetAtt" = ["Segment", "SegmentId"] } } } : {},
    )
  }

  campaign_template_body = local.campaign_template == null ? null : jsonencode(local.campaign_template)
}

resource "aws_cloudformation_stack" "campaign" {
  #checkov:skip=CKV_AWS_124:Terraform waits for the stack and reports a failed create or update itself; no SNS topic is needed for stack events.
  count = local.create_campaign ? 1 : 0

  name          = local.campaign_stack_name
  template_body = local.campaign_template_body
  on_failure    = "DELETE"

  tags = merge(var.tags, { (local.campaign_stack_tag_key) = local.name })

  # Pinpoint checks at creation that it may invoke the DeliveryUri (the invoke permission) or
  # that the webhook answers HEAD with the account id (the receiver must be deployed).
  depends_on = [
    aws_lambda_permission.this,
    aws_lambda_permission.treatments,
    aws_lambda_alias.this,
    aws_lambda_provisioned_concurrency_config.this,
    aws_apigatewayv2_route.receiver,
    aws_apigatewayv2_stage.receiver,
  ]
}

locals {
  campaign_id  = try(aws_cloudformation_stack.campaign[0].outputs["CampaignId"], null)
  campaign_arn = try(aws_cloudformation_stack.campaign[0].outputs["CampaignArn"], null)
  segment_id   = local.segment.id != null ? local.segment.id : try(aws_cloudformation_stack.campaign[0].outputs["SegmentId"], null)

  # Everything a local campaign runner needs to replay the campaign against the channel.
  campaign_definition = var.campaign == null ? null : {
    application_id  = local.application_id
    campaign_id     = local.campaign_id
    campaign_arn    = local.campaign_arn
    segment_id      = local.segment_id
    name            = var.campaign.name
    channel_mode    = var.channel_mode
    delivery_uri    = local.delivery_uri
    endpoint_types  = local.campaign_endpoint_types
    data            = var.campaign.data
    is_paused       = var.campaign.is_paused
    holdout_percent = var.campaign.holdout_percent
    schedule = {
      start_time    = local.campaign_schedule.start_time
      end_time      = local.campaign_schedule.end_time
      frequency     = local.campaign_schedule.frequency
      timezone      = local.campaign_schedule.timezone
      is_local_time = local.campaign_schedule.is_local_time
      event_types   = local.campaign_schedule.event_types
    }
    # TreatmentId "0" is the main treatment; additional treatments follow in order.
    treatments = concat(
      [{
        treatment_id   = "0"
        name           = var.campaign.treatment_name
        size_percent   = local.main_treatment_size_percent
        data           = var.campaign.data
        delivery_uri   = local.delivery_uri
        endpoint_types = local.campaign_endpoint_types
      }],
      [for i, t in var.campaign.treatments : {
        treatment_id   = tostring(i + 1)
        name           = t.name
        size_percent   = t.size_percent
        data           = t.data
        delivery_uri   = coalesce(t.delivery_uri, local.delivery_uri)
        endpoint_types = coalesce(t.endpoint_types, local.campaign_endpoint_types)
      }],
    )
  }
}
