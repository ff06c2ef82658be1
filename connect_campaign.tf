################################################################################
# Input
################################################################################

variable "connect_campaign" {
  description = "A Connect outbound campaign; null creates none. [More](docs/inputs.md#connect_campaign)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt entry_limits let profiles enter as often as Connect's default allows). The keys
  # are local.connect_campaign_keys; the first validation refuses any other, the second names a
  # missing one.
  type    = any
  default = null

  validation {
    condition = var.connect_campaign == null || try(length(concat(
      tolist(setsubtract(keys(var.connect_campaign), local.connect_campaign_keys.campaign)),
      tolist(setsubtract(try(keys(var.connect_campaign.schedule), []), local.connect_campaign_keys.schedule)),
      tolist(setsubtract(try(keys(var.connect_campaign.entry_limits), []), local.connect_campaign_keys.entry_limits)),
    )) == 0, false)
    error_message = "connect_campaign must be an object whose keys are among ${join(", ", local.connect_campaign_keys.campaign)}, schedule's among ${join(", ", local.connect_campaign_keys.schedule)} and entry_limits' among ${join(", ", local.connect_campaign_keys.entry_limits)}${try("; unknown: ${join(", ", concat(
      [for k in sort(setsubtract(keys(var.connect_campaign), local.connect_campaign_keys.campaign)) : "connect_campaign.${k}"],
      [for k in sort(setsubtract(try(keys(var.connect_campaign.schedule), []), local.connect_campaign_keys.schedule)) : "connect_campaign.schedule.${k}"],
      [for k in sort(setsubtract(try(keys(var.connect_campaign.entry_limits), []), local.connect_campaign_keys.entry_limits)) : "connect_campaign.entry_limits.${k}"],
    ))}", "")} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition = var.connect_campaign == null || try(
      alltrue([for v in [var.connect_campaign.name, var.connect_campaign.flow_arn, var.connect_campaign.schedule.start_time, var.connect_campaign.schedule.end_time] : v != null]) &&
      (try(var.connect_campaign.entry_limits, null) == null || (try(var.connect_campaign.entry_limits.max_entry_count, null) != null && try(var.connect_campaign.entry_limits.min_entry_interval, null) != null)),
      false
    )
    error_message = "connect_campaign needs name, flow_arn and schedule (start_time and end_time); entry_limits, when set, needs max_entry_count and min_entry_interval."
  }

  validation {
    # CloudFormation schema and botocore model, CampaignName: 1-127 characters.
    condition     = var.connect_campaign == null || try(length(var.connect_campaign.name) >= 1 && length(var.connect_campaign.name) <= 127, false)
    error_message = "connect_campaign.name must be 1 to 127 characters."
  }


  validation {
    # The schema's oneOf and the model's union Source: exactly one of the two.
    condition     = var.connect_campaign == null || try((try(var.connect_campaign.segment_arn, null) == null) != (try(var.connect_campaign.event_trigger_domain_arn, null) == null), false)
    error_message = "connect_campaign needs exactly one source: segment_arn (a Customer Profiles segment) or event_trigger_domain_arn (an event-triggered campaign)."
  }

  validation {
    # Service Authorization Reference, Customer Profiles resource types segment-definitions and
    # domains.
    condition     = var.connect_campaign == null || try(try(var.connect_campaign.segment_arn, null) == null || can(regex("^arn:aws[a-z-]*:profile:[a-z0-9-]+:[0-9]{12}:domains/[A-Za-z0-9_-]{1,64}/segment-definitions/[A-Za-z0-9_-]{1,64}$", var.connect_campaign.segment_arn)), false)
    error_message = "connect_campaign.segment_arn must be a Customer Profiles segment definition ARN: arn:<partition>:profile:<region>:<account>:domains/<domain>/segment-definitions/<name>."
  }

  validation {
    condition     = var.connect_campaign == null || try(try(var.connect_campaign.event_trigger_domain_arn, null) == null || can(regex("^arn:aws[a-z-]*:profile:[a-z0-9-]+:[0-9]{12}:domains/[A-Za-z0-9_-]{1,64}$", var.connect_campaign.event_trigger_domain_arn)), false)
    error_message = "connect_campaign.event_trigger_domain_arn must be a Customer Profiles domain ARN: arn:<partition>:profile:<region>:<account>:domains/<domain>."
  }

  validation {
    # The schema's TimeStamp: "Timestamp with no UTC offset or timezone"; formatdate checks it
    # is a real date and time.
    condition = var.connect_campaign == null || try(
      alltrue([for t in [var.connect_campaign.schedule.start_time, var.connect_campaign.schedule.end_time] : can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$", t)) && can(formatdate("YYYY", "${t}Z"))]) &&
      timecmp("${var.connect_campaign.schedule.end_time}Z", "${var.connect_campaign.schedule.start_time}Z") > 0,
      false
    )
    error_message = "connect_campaign.schedule.start_time and end_time must be dates and times without an offset (YYYY-MM-DDThh:mm:ss), the end after the start."
  }

  validation {
    # The model's and the schema's Iso8601Duration pattern.
    condition = var.connect_campaign == null || try(alltrue([
      for d in compact([try(var.connect_campaign.schedule.refresh_frequency, null), try(var.connect_campaign.entry_limits.min_entry_interval, null)]) :
      length(d) <= 50 && can(regex("^P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$", d))
    ]), false)
    error_message = "connect_campaign.schedule.refresh_frequency and connect_campaign.entry_limits.min_entry_interval must be ISO 8601 durations of days, hours, minutes and seconds, such as P1D or PT30M."
  }

  validation {
    # EntryLimitsConfig.MaxEntryCount: an integer, minimum 0 (0: unlimited).
    condition     = var.connect_campaign == null || try(try(var.connect_campaign.entry_limits, null) == null ? true : tonumber(var.connect_campaign.entry_limits.max_entry_count) >= 0 && floor(var.connect_campaign.entry_limits.max_entry_count) == tonumber(var.connect_campaign.entry_limits.max_entry_count), false)
    error_message = "connect_campaign.entry_limits.max_entry_count must be a whole number, 0 or more (0: unlimited)."
  }

  validation {
    # Service Authorization Reference, Amazon Connect resource type contact-flow (that it is a
    # flow of connect.instance_arn: the stack's precondition).
    condition     = var.connect_campaign == null || try(can(regex("^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f-]{36}/contact-flow/[A-Za-z0-9-]{1,256}$", var.connect_campaign.flow_arn)), false)
    error_message = "connect_campaign.flow_arn must be a flow of connect.instance_arn: <connect.instance_arn>/contact-flow/<flow-id>."
  }
}

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
  # The keys connect_campaign takes, at each level (its validations refuse any other).
  connect_campaign_keys = {
    campaign     = ["name", "flow_arn", "segment_arn", "event_trigger_domain_arn", "schedule", "entry_limits"]
    schedule     = ["start_time", "end_time", "refresh_frequency"]
    entry_limits = ["max_entry_count", "min_entry_interval"]
  }
  # Converted as the object type did ("2" to 2); a key left out is null.
  connect_campaign = var.connect_campaign == null ? null : {
    name                     = tostring(var.connect_campaign.name)
    flow_arn                 = tostring(var.connect_campaign.flow_arn)
    segment_arn              = try(tostring(var.connect_campaign.segment_arn), null)
    event_trigger_domain_arn = try(tostring(var.connect_campaign.event_trigger_domain_arn), null)
    start_time               = tostring(var.connect_campaign.schedule.start_time)
    end_time                 = tostring(var.connect_campaign.schedule.end_time)
    refresh_frequency        = try(tostring(var.connect_campaign.schedule.refresh_frequency), null)
    entry_limits = try(var.connect_campaign.entry_limits, null) == null ? null : {
      MaxEntryCount    = tonumber(var.connect_campaign.entry_limits.max_entry_count)
      MinEntryInterval = tostring(var.connect_campaign.entry_limits.min_entry_interval)
    }
  }

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
            Name              = local.connect_campaign.name
            ConnectInstanceId = local.connect_instance_id
            # A journey is what holds a Custom action block (the only way to a custom channel:
            # ChannelSubtypeConfig has Telephony, Sms, Email and WhatsApp only).
            Type                   = "JOURNEY"
            ConnectCampaignFlowArn = local.connect_campaign.flow_arn
            # Source: exactly one of the two (the schema's oneOf, the model's union).
            Source = merge(
              local.connect_campaign.segment_arn == null ? {} : { CustomerProfilesSegmentArn = local.connect_campaign.segment_arn },
              local.connect_campaign.segment_arn != null ? {} : { EventTrigger = { CustomerProfilesDomainArn = local.connect_campaign.event_trigger_domain_arn } },
            )
            Schedule = merge(
              {
                StartTime = local.connect_campaign.start_time
                EndTime   = local.connect_campaign.end_time
              },
              local.connect_campaign.refresh_frequency == null ? {} : { RefreshFrequency = local.connect_campaign.refresh_frequency },
            )
          },
          local.connect_campaign.entry_limits == null ? {} : { EntryLimitsConfig = local.connect_campaign.entry_limits },
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
      # Service Authorization Reference, Amazon Connect resource type contact-flow; a campaign's
      # flow is one of its instance's.
      condition     = try(startswith(local.connect_campaign.flow_arn, "${local.connect_settings.instance_arn}/contact-flow/"), false)
      error_message = "connect_campaign.flow_arn must be a flow of connect.instance_arn: <connect.instance_arn>/contact-flow/<flow-id>."
    }

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
