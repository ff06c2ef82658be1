################################################################################
# Amazon Connect: the outbound campaign (v2) as code (connect_campaign)
################################################################################

# CloudFormation's AWS::ConnectCampaignsV2::Campaign (the aws provider has no resource for it),
# in a stack of its own, as campaign.tf does for the Pinpoint campaign. Property names and rules
# are cfn-lint's schema's and botocore's connectcampaignsv2 model's (CreateCampaignRequest);
# tests/test_connect_campaign_contract.py holds the template to both.
#
# Nothing sends on apply: the resource has no state property, and its create handler's
# permissions (the schema's handlers.create) hold CreateCampaign but not StartCampaign, so a
# campaign CloudFormation creates is not started. Starting it is the operator's step (the
# output connect_campaign_start_command).

locals {
  create_connect_campaign = local.connect && var.connect_campaign != null

  connect_campaign_stack_name = "${local.name}-connect-campaign"

  connect_campaign_template = local.create_connect_campaign ? {
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Amazon Connect outbound campaign of the ${local.name} custom action (managed by Terraform)"
    Resources = {
      Campaign = {
        Type = "AWS::ConnectCampaignsV2::Campaign"
        Properties = merge(
          {
            Name              = var.connect_campaign.name
            ConnectInstanceId = local.connect_instance_id
            # A journey is what holds a Custom action block (the only way to a custom channel:
            # ChannelSubtypeConfig has Telephony, Sms, Email and WhatsApp only).
            Type                   = "JOURNEY"
            ConnectCampaignFlowArn = var.connect_campaign.flow_arn
            # Source: exactly one of the two (the schema's oneOf, the model's union).
            Source = merge(
              var.connect_campaign.segment_arn == null ? {} : { CustomerProfilesSegmentArn = var.connect_campaign.segment_arn },
              var.connect_campaign.segment_arn != null ? {} : { EventTrigger = { CustomerProfilesDomainArn = var.connect_campaign.event_trigger_domain_arn } },
            )
            Schedule = merge(
              {
                StartTime = var.connect_campaign.schedule.start_time
                EndTime   = var.connect_campaign.schedule.end_time
              },
              var.connect_campaign.schedule.refresh_frequency == null ? {} : { RefreshFrequency = var.connect_campaign.schedule.refresh_frequency },
            )
          },
          var.connect_campaign.entry_limits == null ? {} : {
            EntryLimitsConfig = {
              MaxEntryCount    = var.connect_campaign.entry_limits.max_entry_count
              MinEntryInterval = var.connect_campaign.entry_limits.min_entry_interval
            }
          },
        )
      }
    }
    Outputs = {
      # The resource's only attribute (readOnlyProperties: Arn).
      CampaignArn = { Value = { "Fn::GetAtt" = ["Campaign", "Arn"] } }
    }
  } : null

  connect_campaign_template_body = local.connect_campaign_template == null ? null : jsonencode(local.connect_campaign_template)
}

resource "aws_cloudformation_stack" "connect_campaign" {
  #checkov:skip=CKV_AWS_124:Terraform waits for the stack and reports a failed create or update itself; no SNS topic is needed for stack events.
  count = local.create_connect_campaign ? 1 : 0

  name          = local.connect_campaign_stack_name
  template_body = local.connect_campaign_template_body
  on_failure    = "DELETE"

  # The stack passes its tags on to the campaign.
  tags = var.tags

  lifecycle {
    precondition {
      # connectcampaignsv2 is regional: the campaign lives in the instance's region.
      condition     = local.connect_region == local.region
      error_message = "connect_campaign is created in the provider's region (${local.region}), but connect.instance_arn is in ${coalesce(local.connect_region, "-")}: use a provider of the instance's region."
    }
  }

  # The journey's custom action invokes the function: it exists, may be invoked and, with
  # connect.register, is registered before the campaign.
  depends_on = [
    aws_lambda_permission.this,
    aws_lambda_alias.this,
    terraform_data.connect_registration,
  ]
}

locals {
  connect_campaign_arn = try(aws_cloudformation_stack.connect_campaign[0].outputs["CampaignArn"], null)
  # arn:<partition>:connect-campaigns:<region>:<account>:campaign/<id> (cfn-lint's schema, Arn).
  connect_campaign_id = try(element(split("/", local.connect_campaign_arn), 1), null)
}
