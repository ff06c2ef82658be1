# The segment and campaign as rendered into the CloudFormation template.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "minimal_campaign" {
  command = apply

  variables {
    campaign = {
      name = "welcome"
      data = "{\"message\":\"Welcome aboard\"}"
    }
  }

  assert {
    condition     = aws_cloudformation_stack.campaign[0].name == "pinpoint-custom-channel-campaign"
    error_message = "The stack is named after the module."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Type == "AWS::Pinpoint::Campaign"
    error_message = "The stack must hold an AWS::Pinpoint::Campaign."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.CustomDeliveryConfiguration == { DeliveryUri = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel", EndpointTypes = ["CUSTOM"] }
    error_message = "DeliveryUri must be the function ARN; EndpointTypes default to CUSTOM."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.MessageConfiguration == { CustomMessage = { Data = "{\"message\":\"Welcome aboard\"}" } }
    error_message = "Data must be passed as CustomMessage.Data."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.IsPaused == true
    error_message = "A campaign is created paused unless the user says otherwise."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.Schedule == { StartTime = "IMMEDIATE", Frequency = "ONCE" }
    error_message = "Default schedule is IMMEDIATE, ONCE."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.ApplicationId == "dbaf6ec2226f0a9a8615e3ea5a0b1c2d"
    error_message = "The campaign belongs to the module's application."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.SegmentId == { "Fn::GetAtt" = ["Segment", "SegmentId"] }
    error_message = "Without segment.id the campaign targets the stack's segment."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Segment == { Type = "AWS::Pinpoint::Segment", Properties = { ApplicationId = "dbaf6ec2226f0a9a8615e3ea5a0b1c2d", Name = "pinpoint-custom-channel-segment" } }
    error_message = "A segment without filters must be created."
  }

  assert {
    condition     = !contains(keys(jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties), "AdditionalTreatments")
    error_message = "No treatments, no AdditionalTreatments (and no null properties)."
  }

  assert {
    condition     = keys(jsondecode(aws_cloudformation_stack.campaign[0].template_body).Outputs) == ["CampaignArn", "CampaignId", "SegmentId"]
    error_message = "The stack must output the campaign id/ARN and the segment id."
  }

  assert {
    condition     = output.pinpoint_campaign_id == "95fee4cd1d7f5cd67987c1436a0b1c2d" && output.pinpoint_segment_id == "5c7e1f0a9b8d4e3f2a1b0c9d8e7f6a5b"
    error_message = "Campaign and segment ids come from the stack outputs."
  }

  assert {
    condition     = startswith(output.pinpoint_campaign_arn, "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/")
    error_message = "The campaign ARN comes from the stack outputs."
  }

  assert {
    condition     = aws_cloudformation_stack.campaign[0].on_failure == "DELETE"
    error_message = "A failed creation must not leave a stack in ROLLBACK_COMPLETE."
  }
}

run "ab_test_campaign" {
  command = apply

  variables {
    tags = { Team = "growth" }
    campaign = {
      name                  = "spring-sale"
      description           = "A/B test of the spring sale message"
      data                  = "{\"text\":\"Spring sale: 20% off\"}"
      endpoint_types        = ["CUSTOM", "SMS"]
      is_paused             = false
      treatment_name        = "control"
      treatment_description = "Plain text"
      holdout_percent       = 10
      schedule = {
        start_time = "2026-04-01T09:00:00Z"
        end_time   = "2026-04-30T09:00:00Z"
        frequency  = "WEEKLY"
        timezone   = "UTC+02"
      }
      treatments = [
        {
          name         = "emoji"
          size_percent = 30
          data         = "{\"text\":\"Spring sale: 20% off \u2600\"}"
        },
        {
          name           = "webhook"
          description    = "Same text through a partner webhook"
          size_percent   = 20
          data           = "{\"text\":\"Spring sale\"}"
          delivery_uri   = "https://partner.example.com/pinpoint/hook"
          endpoint_types = ["EMAIL"]
        },
      ]
      limits = {
        daily               = 1
        total               = 4
        messages_per_second = 50
        maximum_duration    = 600
      }
      tags = { Campaign = "spring" }
    }
  }

  assert {
    condition = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.AdditionalTreatments == [
      {
        SizePercent                 = 30
        TreatmentName               = "emoji"
        MessageConfiguration        = { CustomMessage = { Data = "{\"text\":\"Spring sale: 20% off \u2600\"}" } }
        CustomDeliveryConfiguration = { DeliveryUri = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel", EndpointTypes = ["CUSTOM", "SMS"] }
      },
      {
        SizePercent                 = 20
        TreatmentName               = "webhook"
        TreatmentDescription        = "Same text through a partner webhook"
        MessageConfiguration        = { CustomMessage = { Data = "{\"text\":\"Spring sale\"}" } }
        CustomDeliveryConfiguration = { DeliveryUri = "https://partner.example.com/pinpoint/hook", EndpointTypes = ["EMAIL"] }
      },
    ]
    error_message = "Treatments must carry their own Data and, when given, their own delivery."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.Schedule == { StartTime = "2026-04-01T09:00:00Z", EndTime = "2026-04-30T09:00:00Z", Frequency = "WEEKLY", TimeZone = "UTC+02" }
    error_message = "The schedule must use CloudFormation's names (TimeZone)."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.HoldoutPercent == 10 && jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.IsPaused == false
    error_message = "Holdout and IsPaused must be passed on."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.Limits == { Daily = 1, Total = 4, MessagesPerSecond = 50, MaximumDuration = 600 }
    error_message = "Limits must be passed on without nulls."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.CustomDeliveryConfiguration.EndpointTypes == ["CUSTOM", "SMS"]
    error_message = "Endpoint types must be passed on."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.TreatmentName == "control" && jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.Description == "A/B test of the spring sale message"
    error_message = "Main treatment name and description must be passed on."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.Tags == { Team = "growth", Campaign = "spring" }
    error_message = "Module and campaign tags must be merged."
  }

  assert {
    condition     = aws_cloudformation_stack.campaign[0].tags == tomap({ Team = "growth", "custom-channel:deployment" = "pinpoint-custom-channel" })
    error_message = "The stack carries the module's tags and the deployment's tag (campaign scope finds the stack by it)."
  }

  # The definition a local runner reads.
  assert {
    condition = jsondecode(nonsensitive(output.pinpoint_campaign_definition_json)).treatments == [
      { treatment_id = "0", name = "control", size_percent = 40, data = "{\"text\":\"Spring sale: 20% off\"}", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel", endpoint_types = ["CUSTOM", "SMS"] },
      { treatment_id = "1", name = "emoji", size_percent = 30, data = "{\"text\":\"Spring sale: 20% off \u2600\"}", delivery_uri = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel", endpoint_types = ["CUSTOM", "SMS"] },
      { treatment_id = "2", name = "webhook", size_percent = 20, data = "{\"text\":\"Spring sale\"}", delivery_uri = "https://partner.example.com/pinpoint/hook", endpoint_types = ["EMAIL"] },
    ]
    error_message = "The main treatment gets what treatments and holdout leave (100 - 30 - 20 - 10 = 40)."
  }

  assert {
    condition = {
      for k, v in jsondecode(nonsensitive(output.pinpoint_campaign_definition_json)) : k => v if k != "treatments" && k != "schedule"
      } == {
      application_id  = "dbaf6ec2226f0a9a8615e3ea5a0b1c2d"
      campaign_id     = "95fee4cd1d7f5cd67987c1436a0b1c2d"
      campaign_arn    = "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/campaigns/95fee4cd1d7f5cd67987c1436a0b1c2d"
      segment_id      = "5c7e1f0a9b8d4e3f2a1b0c9d8e7f6a5b"
      name            = "spring-sale"
      channel_mode    = "lambda"
      delivery_uri    = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel"
      endpoint_types  = ["CUSTOM", "SMS"]
      data            = "{\"text\":\"Spring sale: 20% off\"}"
      is_paused       = false
      holdout_percent = 10
    }
    error_message = "The campaign definition must hold ids, delivery, endpoint types, Data and holdout."
  }

  assert {
    condition     = jsondecode(nonsensitive(output.pinpoint_campaign_definition_json)).schedule == { start_time = "2026-04-01T09:00:00Z", end_time = "2026-04-30T09:00:00Z", frequency = "WEEKLY", timezone = "UTC+02", is_local_time = null, event_types = null }
    error_message = "The campaign definition must hold the schedule."
  }
}

run "existing_segment_and_application" {
  command = plan

  variables {
    application = {
      create = false
      id     = "3a9b1f4e6c764ba7b031e7183a0b1c2d"
    }
    segment = {
      id = "8d1a2b3c4d5e6f708192a3b4c5d6e7f8"
    }
    campaign = {
      name = "reminder"
      data = "reminder"
    }
  }

  assert {
    condition     = !contains(keys(jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources), "Segment")
    error_message = "An existing segment id must not create a segment."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.SegmentId == "8d1a2b3c4d5e6f708192a3b4c5d6e7f8"
    error_message = "The campaign must target the given segment."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.ApplicationId == "3a9b1f4e6c764ba7b031e7183a0b1c2d"
    error_message = "The campaign must belong to the given application."
  }

  assert {
    condition     = keys(jsondecode(aws_cloudformation_stack.campaign[0].template_body).Outputs) == ["CampaignArn", "CampaignId"]
    error_message = "No SegmentId output without a created segment."
  }

  assert {
    condition     = output.pinpoint_segment_id == "8d1a2b3c4d5e6f708192a3b4c5d6e7f8"
    error_message = "pinpoint_segment_id is the given segment."
  }
}

run "segment_filters" {
  command = plan

  variables {
    segment = {
      name            = "vip"
      channel_types   = ["CUSTOM"]
      attributes      = { Tier = ["gold", "platinum"] }
      user_attributes = { Language = ["en"] }
    }
    campaign = {
      name = "vip-offer"
      data = "offer"
    }
  }

  assert {
    condition = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Segment.Properties.Dimensions == {
      Demographic    = { Channel = { DimensionType = "INCLUSIVE", Values = ["CUSTOM"] } }
      Attributes     = { Tier = { AttributeType = "INCLUSIVE", Values = ["gold", "platinum"] } }
      UserAttributes = { Language = { AttributeType = "INCLUSIVE", Values = ["en"] } }
    }
    error_message = "Segment filters must be rendered as Dimensions."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Segment.Properties.Name == "vip"
    error_message = "The segment name must be used."
  }
}

run "segment_raw_dimensions" {
  command = plan

  variables {
    segment = {
      dimensions_json = "{\"Location\":{\"Country\":{\"DimensionType\":\"INCLUSIVE\",\"Values\":[\"US\"]}}}"
    }
    campaign = {
      name = "us-only"
      data = "hi"
    }
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Segment.Properties.Dimensions == { Location = { Country = { DimensionType = "INCLUSIVE", Values = ["US"] } } }
    error_message = "Raw dimensions must be passed through."
  }
}

run "event_triggered_campaign" {
  command = plan

  variables {
    campaign = {
      name = "on-signup"
      data = "welcome"
      schedule = {
        start_time    = "2026-05-01T00:00:00+02:00"
        end_time      = "2026-12-31T00:00:00+02:00"
        frequency     = "EVENT"
        is_local_time = false
        event_types   = ["signup"]
      }
    }
  }

  assert {
    condition = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.Schedule == {
      StartTime   = "2026-05-01T00:00:00+02:00"
      EndTime     = "2026-12-31T00:00:00+02:00"
      Frequency   = "EVENT"
      IsLocalTime = false
      EventFilter = { FilterType = "ENDPOINT", Dimensions = { EventType = { DimensionType = "INCLUSIVE", Values = ["signup"] } } }
    }
    error_message = "An EVENT campaign needs its EventFilter."
  }
}

run "campaign_definition_only" {
  command = plan

  variables {
    campaign = {
      name = "local-run"
      data = "hello"
      treatments = [
        { size_percent = 50, data = "hello B" },
      ]
      create = false
    }
  }

  assert {
    condition     = length(aws_cloudformation_stack.campaign) == 0
    error_message = "campaign.create = false must not create the stack."
  }

  assert {
    condition     = local.campaign_definition.campaign_id == null && local.campaign_definition.treatments[0].size_percent == 50 && local.campaign_definition.treatments[1].data == "hello B"
    error_message = "The definition is still produced for a local runner."
  }
}

run "no_campaign_means_channel_only" {
  command = plan

  assert {
    condition     = length(aws_cloudformation_stack.campaign) == 0 && local.campaign_template_body == null
    error_message = "Without a campaign nothing is sent anywhere."
  }
}
