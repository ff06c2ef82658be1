# connect_campaign: the Amazon Connect outbound campaign (v2) in a CloudFormation stack.
# The rendered template, its outputs, and every validation of the inputs.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name         = "pinpoint-custom-channel"
  event_source = "connect"
  delivery     = { adapter = "none" }
  connect = {
    instance_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
    message_template = "Hi {{FirstName}}, your order has shipped."
  }
  connect_campaign = {
    name        = "welcome-journey"
    flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
    segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
    schedule = {
      start_time = "2026-12-01T09:00:00"
      end_time   = "2026-12-31T18:00:00"
    }
  }
}

run "no_campaign_by_default" {
  command = plan

  variables {
    connect_campaign = null
  }

  assert {
    condition     = length(aws_cloudformation_stack.connect_campaign) == 0 && output.connect_campaign_arn == null && output.connect_campaign_start_command == null && output.connect_campaign_template_body == null
    error_message = "No Connect campaign unless connect_campaign is set."
  }
}

run "segment_campaign_template" {
  command = plan

  assert {
    condition = jsondecode(aws_cloudformation_stack.connect_campaign[0].template_body).Resources == {
      Campaign = {
        Type = "AWS::ConnectCampaignsV2::Campaign"
        Properties = {
          Name                   = "welcome-journey"
          ConnectInstanceId      = "0f1e2d3c-4b5a-4697-8877-665544332211"
          Type                   = "JOURNEY"
          ConnectCampaignFlowArn = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
          Source                 = { CustomerProfilesSegmentArn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups" }
          Schedule               = { StartTime = "2026-12-01T09:00:00", EndTime = "2026-12-31T18:00:00" }
        }
      }
    }
    error_message = "The stack holds one JOURNEY campaign of the instance, its flow, segment and schedule, and nothing else."
  }

  assert {
    condition     = aws_cloudformation_stack.connect_campaign[0].name == "pinpoint-custom-channel-connect-campaign" && aws_cloudformation_stack.connect_campaign[0].on_failure == "DELETE" && length(aws_cloudformation_stack.campaign) == 0
    error_message = "The Connect campaign has its own stack, named after the deployment; no Pinpoint stack."
  }
}

run "event_triggered_with_limits_and_outputs" {
  command = apply

  variables {
    connect_campaign = {
      name                     = "on-signup"
      flow_arn                 = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      event_trigger_domain_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers"
      schedule = {
        start_time        = "2026-12-01T09:00:00"
        end_time          = "2027-01-01T00:00:00"
        refresh_frequency = "PT1H"
      }
      entry_limits = { max_entry_count = 1, min_entry_interval = "P7D" }
    }
  }

  override_resource {
    target = aws_cloudformation_stack.connect_campaign
    values = {
      outputs = { CampaignArn = "arn:aws:connect-campaigns:eu-west-1:123456789012:campaign/4f3e2d1c-0b9a-4876-8543-210fedcba987" }
    }
  }

  assert {
    condition = (
      jsondecode(output.connect_campaign_template_body).Resources.Campaign.Properties.Source == { EventTrigger = { CustomerProfilesDomainArn = "arn:aws:profile:eu-west-1:123456789012:domains/customers" } } &&
      jsondecode(output.connect_campaign_template_body).Resources.Campaign.Properties.Schedule.RefreshFrequency == "PT1H" &&
      jsondecode(output.connect_campaign_template_body).Resources.Campaign.Properties.EntryLimitsConfig == { MaxEntryCount = 1, MinEntryInterval = "P7D" }
    )
    error_message = "An event trigger replaces the segment; refresh frequency and entry limits reach the template."
  }

  assert {
    condition = (
      output.connect_campaign_arn == "arn:aws:connect-campaigns:eu-west-1:123456789012:campaign/4f3e2d1c-0b9a-4876-8543-210fedcba987" &&
      output.connect_campaign_id == "4f3e2d1c-0b9a-4876-8543-210fedcba987" &&
      output.connect_campaign_start_command == "aws connectcampaignsv2 start-campaign --region eu-west-1 --id 4f3e2d1c-0b9a-4876-8543-210fedcba987"
    )
    error_message = "The campaign's ARN, its id (the ARN's last part) and the command that starts it."
  }
}

run "campaign_in_another_region_than_the_provider" {
  command = plan

  variables {
    connect = {
      instance_arn     = "arn:aws:connect:us-east-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
      message_template = "Hi"
    }
    connect_campaign = {
      name        = "welcome-journey"
      flow_arn    = "arn:aws:connect:us-east-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:us-east-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [aws_cloudformation_stack.connect_campaign]
}

run "campaign_without_connect" {
  command = plan

  variables {
    event_source = "pinpoint"
    connect      = {}
  }

  expect_failures = [data.aws_partition.current]
}

run "campaign_name_too_long" {
  command = plan

  variables {
    connect_campaign = {
      name        = "${join("", [for i in range(128) : "a"])}"
      flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_flow_of_another_instance" {
  command = plan

  variables {
    connect_campaign = {
      name        = "welcome-journey"
      flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/99999999-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [aws_cloudformation_stack.connect_campaign]
}

run "campaign_two_sources" {
  command = plan

  variables {
    connect_campaign = {
      name                     = "welcome-journey"
      flow_arn                 = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn              = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      event_trigger_domain_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers"
      schedule                 = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_no_source" {
  command = plan

  variables {
    connect_campaign = {
      name     = "welcome-journey"
      flow_arn = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      schedule = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_segment_arn_not_a_segment" {
  command = plan

  variables {
    connect_campaign = {
      name        = "welcome-journey"
      flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers"
      schedule    = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_domain_arn_malformed" {
  command = plan

  variables {
    connect_campaign = {
      name                     = "welcome-journey"
      flow_arn                 = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      event_trigger_domain_arn = "customers"
      schedule                 = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_time_with_offset" {
  command = plan

  variables {
    connect_campaign = {
      name        = "welcome-journey"
      flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-12-01T09:00:00Z", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_impossible_date" {
  command = plan

  variables {
    connect_campaign = {
      name        = "welcome-journey"
      flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-02-30T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_ends_before_it_starts" {
  command = plan

  variables {
    connect_campaign = {
      name        = "welcome-journey"
      flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-12-31T18:00:00", end_time = "2026-12-01T09:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_refresh_not_a_duration" {
  command = plan

  variables {
    connect_campaign = {
      name        = "welcome-journey"
      flow_arn    = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00", refresh_frequency = "1h" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_entry_count_negative" {
  command = plan

  variables {
    connect_campaign = {
      name         = "welcome-journey"
      flow_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn  = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule     = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
      entry_limits = { max_entry_count = -1, min_entry_interval = "P1D" }
    }
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_entry_interval_not_a_duration" {
  command = plan

  variables {
    connect_campaign = {
      name         = "welcome-journey"
      flow_arn     = "arn:aws:connect:eu-west-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
      segment_arn  = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule     = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
      entry_limits = { max_entry_count = 1, min_entry_interval = "1 day" }
    }
  }

  expect_failures = [var.connect_campaign]
}

# A misspelt key is refused, naming it: an object type would drop it without a word (a
# misspelt entry_limits let a profile enter the journey as often as Connect's default allows).
run "campaign_entry_limits_typo" {
  command = plan

  variables {
    connect_campaign = merge(var.connect_campaign, { entry_limit = { max_entry_count = 1, min_entry_interval = "P7D" } })
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_schedule_key_typo" {
  command = plan

  variables {
    connect_campaign = merge(var.connect_campaign, { schedule = merge(var.connect_campaign.schedule, { refresh_frequenzy = "PT1H" }) })
  }

  expect_failures = [var.connect_campaign]
}

run "campaign_missing_flow" {
  command = plan

  variables {
    connect_campaign = {
      name        = "welcome-journey"
      segment_arn = "arn:aws:profile:eu-west-1:123456789012:domains/customers/segment-definitions/new-signups"
      schedule    = { start_time = "2026-12-01T09:00:00", end_time = "2026-12-31T18:00:00" }
    }
  }

  expect_failures = [var.connect_campaign]
}

# Values as a root's conditional can make them (every one a string) still convert.
run "campaign_values_as_strings" {
  command = plan

  variables {
    connect_campaign = merge(var.connect_campaign, { schedule = merge(var.connect_campaign.schedule, { refresh_frequency = null }), entry_limits = { max_entry_count = "2", min_entry_interval = "P7D" } })
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.connect_campaign[0].template_body).Resources.Campaign.Properties.EntryLimitsConfig == { MaxEntryCount = 2, MinEntryInterval = "P7D" } && !contains(keys(jsondecode(aws_cloudformation_stack.connect_campaign[0].template_body).Resources.Campaign.Properties.Schedule), "RefreshFrequency")
    error_message = "max_entry_count \"2\" is the number 2, as the object type converted it; a null refresh_frequency is left out."
  }
}
