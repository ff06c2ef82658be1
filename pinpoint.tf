# The Pinpoint channel: everything only a Pinpoint campaign or journey uses (event_source =
# "pinpoint"): its inputs (the invoke permission's scope, the application, the segment and the
# campaign), the application and the CloudFormation stack of the segment and campaign. A
# deployment for Amazon Connect creates none of it (connect.tf is Connect's).

################################################################################
# Invoke permission (channel_mode = "lambda")
################################################################################

variable "pinpoint_permission" {
  description = "Scope of Pinpoint's invoke permission. [More](docs/inputs.md#pinpoint_permission)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word;
  # the keys and defaults are local.pinpoint_permission_defaults (main.tf), and the first validation refuses
  # any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.pinpoint_permission == null || try(length(setsubtract(keys(var.pinpoint_permission), keys(local.pinpoint_permission_defaults))) == 0, false)
    error_message = "pinpoint_permission must be an object whose keys are among ${join(", ", keys(local.pinpoint_permission_defaults))}${try(length(setsubtract(keys(var.pinpoint_permission), keys(local.pinpoint_permission_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.pinpoint_permission), keys(local.pinpoint_permission_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.pinpoint_permission.scope, null) == null ? true : try(contains(["account", "application", "campaign"], var.pinpoint_permission.scope), false)
    error_message = "pinpoint_permission.scope must be account, application or campaign."
  }



  validation {
    condition     = try(var.pinpoint_permission.campaign_id, null) == null ? true : try(var.pinpoint_permission.campaign_id == null || can(regex(local.pinpoint_resource_id_pattern, var.pinpoint_permission.campaign_id)), false)
    error_message = "pinpoint_permission.campaign_id must be a Pinpoint campaign id (letters and digits)."
  }
}

################################################################################
# Pinpoint application, segment and campaign
################################################################################

variable "application" {
  description = "The Pinpoint application: created, or an existing one's id. [More](docs/inputs.md#application)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `create` beside `id` created a new application); the keys and defaults
  # are local.application_defaults (main.tf), and the first validation refuses any other key.
  type     = any
  default  = {}
  nullable = false

  validation {
    condition     = try(length(setsubtract(keys(var.application), keys(local.application_defaults))) == 0, false)
    error_message = "application must be an object whose keys are among ${join(", ", keys(local.application_defaults))}${try(length(setsubtract(keys(var.application), keys(local.application_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.application), keys(local.application_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    # `any` converts nothing: each value must convert to its key's type (local.object_key_types).
    condition     = alltrue([for k, v in try(merge(var.application), {}) : v == null || try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])
    error_message = "${join("; ", [for k, v in try(merge(var.application), {}) : "application.${k} must be ${local.object_type_names[local.object_key_types[k]]}" if v != null && !try({ bool = try(tobool(v), null), number = try(tonumber(v), null), string = try(tostring(v), null), list = try(tolist([for e in v : tostring(e)]), null), object = try(keys(v), null) }[local.object_key_types[k]] != null, true)])}."
  }

  validation {
    condition     = try(var.application.id, null) == null || can(regex(local.pinpoint_application_id_pattern, var.application.id))
    error_message = "application.id must be a Pinpoint application id (32 lowercase letters and digits)."
  }



  validation {
    # The API model states no length for CreateApp's Name: 64 is this module's bound.
    condition     = try(var.application.name, null) == null || try(length(tostring(var.application.name)) >= 1 && length(tostring(var.application.name)) <= 64, false)
    error_message = "application.name must be 1-64 characters."
  }
}

variable "segment" {
  description = "The campaign's segment: existing or created. [More](docs/inputs.md#segment)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word;
  # the keys and defaults are local.segment_defaults (main.tf), and the first validation refuses
  # any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.segment == null || try(length(setsubtract(keys(var.segment), keys(local.segment_defaults))) == 0, false)
    error_message = "segment must be an object whose keys are among ${join(", ", keys(local.segment_defaults))}${try(length(setsubtract(keys(var.segment), keys(local.segment_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.segment), keys(local.segment_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.segment.id, null) == null ? true : try(var.segment.id == null || can(regex(local.pinpoint_resource_id_pattern, var.segment.id)), false)
    error_message = "segment.id must be a Pinpoint segment id (letters and digits)."
  }

  validation {
    # local.endpoint_types (the custom-channel guide's endpoint types).
    condition = alltrue([
      for t in(try(var.segment.channel_types, null) == null ? local.segment_defaults.channel_types : var.segment.channel_types) :
      contains(local.endpoint_types, t)
    ])
    error_message = "segment.channel_types must hold values of ${join(", ", local.endpoint_types)}."
  }

  validation {
    condition     = try(var.segment.dimensions_json, null) == null ? true : try(var.segment.dimensions_json == null || can(keys(jsondecode(var.segment.dimensions_json))), false)
    error_message = "segment.dimensions_json must be a JSON object (the Dimensions of AWS::Pinpoint::Segment)."
  }

  validation {
    # The API model states no length for a segment's Name: 64 is this module's bound.
    condition     = try(var.segment.name, null) == null ? true : try(var.segment.name == null || try(length(var.segment.name) >= 1 && length(var.segment.name) <= 64, false), false)
    error_message = "segment.name must be 1-64 characters."
  }

}

variable "campaign" {
  description = "A Pinpoint campaign through the channel; null creates none. [More](docs/inputs.md#campaign)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `schedule` sent at once, a misspelt limit sent without its cap); the keys and
  # defaults are local.campaign_defaults, campaign_schedule_defaults,
  # campaign_treatment_defaults and campaign_limits_defaults (main.tf), and the first
  # validations refuse any other key and check the types the object type checked.
  type    = any
  default = null

  validation {
    condition     = var.campaign == null || try(length(setsubtract(keys(var.campaign), keys(local.campaign_defaults))) == 0, false)
    error_message = "campaign must be an object whose keys are among ${join(", ", keys(local.campaign_defaults))}${try(length(setsubtract(keys(var.campaign), keys(local.campaign_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.campaign), keys(local.campaign_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition = var.campaign == null || try(
      (try(var.campaign.schedule, null) == null ? true : length(setsubtract(keys(var.campaign.schedule), keys(local.campaign_schedule_defaults))) == 0) &&
      (try(var.campaign.limits, null) == null ? true : length(setsubtract(keys(var.campaign.limits), keys(local.campaign_limits_defaults))) == 0) &&
      alltrue([for t in try(var.campaign.treatments[*], []) : length(setsubtract(keys(t), keys(local.campaign_treatment_defaults))) == 0]),
      false
    )
    error_message = "campaign.schedule takes only ${join(", ", keys(local.campaign_schedule_defaults))}; each of campaign.treatments only ${join(", ", keys(local.campaign_treatment_defaults))}; campaign.limits only ${join(", ", keys(local.campaign_limits_defaults))}${try(format(". Unknown: %s", join(", ", concat([for k in try(setsubtract(keys(var.campaign.schedule), keys(local.campaign_schedule_defaults)), []) : "campaign.schedule.${k}"], flatten([for i, t in try(var.campaign.treatments[*], []) : [for k in try(setsubtract(keys(t), keys(local.campaign_treatment_defaults)), []) : "campaign.treatments[${i}].${k}"]]), [for k in try(setsubtract(keys(var.campaign.limits), keys(local.campaign_limits_defaults)), []) : "campaign.limits.${k}"]))), "")}."
  }

  validation {
    # `any` checks no types: what the object type required and converted.
    condition = var.campaign == null ? true : try(
      can(tostring(var.campaign.name)) && can(tostring(var.campaign.data)) &&
      alltrue([for b in [try(var.campaign.create, null), try(var.campaign.is_paused, null)] : b == null || can(tobool(b))]) &&
      can(tonumber(coalesce(try(var.campaign.holdout_percent, null), local.campaign_defaults.holdout_percent))) &&
      alltrue([for v in concat((try(var.campaign.endpoint_types, null) == null ? local.campaign_defaults.endpoint_types : var.campaign.endpoint_types), values((try(var.campaign.tags, null) == null ? local.campaign_defaults.tags : var.campaign.tags))) : can(tostring(v))]) &&
      alltrue([for k in ["stack_name", "description", "treatment_name", "treatment_description"] : try(var.campaign[k], null) == null || can(tostring(try(var.campaign[k], null)))]) &&
      alltrue([for k in ["start_time", "end_time", "frequency", "timezone"] : try(var.campaign.schedule[k], null) == null || can(tostring(try(var.campaign.schedule[k], null)))]) &&
      (try(var.campaign.schedule.is_local_time, null) == null || can(tobool(try(var.campaign.schedule.is_local_time, null)))) &&
      alltrue([for e in coalesce(try(var.campaign.schedule.event_types, null), []) : can(tostring(e))]) &&
      alltrue([for t in try(var.campaign.treatments[*], []) : can(tonumber(t.size_percent)) && can(tostring(t.data))]) &&
      alltrue([for t in try(var.campaign.treatments[*], []) : (try(t.invoke_permission, null) == null || can(tobool(try(t.invoke_permission, null)))) && alltrue([for e in coalesce(try(t.endpoint_types, null), []) : can(tostring(e))])]) &&
      (try(var.campaign.limits, null) == null ? true : alltrue([for v in values(var.campaign.limits) : v == null || can(tonumber(v))])),
      false
    )
    error_message = "campaign needs name and data (strings), and each treatment size_percent (a number) and data; create, is_paused, schedule.is_local_time and a treatment's invoke_permission are true or false, endpoint_types and schedule.event_types lists of strings, tags a map of strings, holdout_percent and the limits numbers."
  }

  validation {
    # CloudFormation CreateStack StackName (local.stack_name_pattern).
    condition     = var.campaign == null || try(try(var.campaign.stack_name, null) == null || can(regex(local.stack_name_pattern, try(var.campaign.stack_name, null))), false)
    error_message = "campaign.stack_name must start with a letter and hold at most 128 letters, digits and hyphens."
  }

  validation {
    # The API model states no length for a campaign's Name: 64 is this module's bound.
    condition     = var.campaign == null || try(length(var.campaign.name) >= 1 && length(var.campaign.name) <= 64, false)
    error_message = "campaign.name must be 1-64 characters."
  }

  validation {
    # CustomMessage.Data: "The maximum size is 5 KB" (Amazon Pinpoint developer guide, "Creating
    # custom channels"), counted in UTF-8 bytes.
    condition = var.campaign == null || try(alltrue([
      for d in concat([var.campaign.data], [for t in try(var.campaign.treatments[*], []) : t.data]) :
      length(d) > 0 && floor(length(replace(base64encode(d), "=", "")) * 3 / 4) <= 5120
    ]), false)
    error_message = "campaign.data and every treatment's data must be non-empty and at most 5 KB (5120 bytes in UTF-8)."
  }

  validation {
    # CustomDeliveryConfiguration.EndpointTypes: the guide's endpoint types (local.endpoint_types).
    condition = var.campaign == null || try(alltrue([
      for types in concat([(try(var.campaign.endpoint_types, null) == null ? local.campaign_defaults.endpoint_types : var.campaign.endpoint_types)], [for t in try(var.campaign.treatments[*], []) : try(t.endpoint_types, null) if try(t.endpoint_types, null) != null]) :
      length(types) > 0 && length(distinct(types)) == length(types) && alltrue([
        for e in types : contains(local.endpoint_types, e)
      ])
    ]), false)
    error_message = "campaign endpoint_types (and treatments' endpoint_types) must be non-empty, without duplicates, with values of ${join(", ", local.endpoint_types)}."
  }

  validation {
    # A campaign has at most 5 treatments, the main one included (Amazon Pinpoint user guide,
    # campaigns, "Set up treatments": "up to 5 treatments").
    condition     = var.campaign == null || try(length(try(var.campaign.treatments[*], [])) <= 4, false)
    error_message = "campaign.treatments holds at most 4 additional treatments (5 with the main one)."
  }

  validation {
    # SizePercent and HoldoutPercent are percentages of the segment (Pinpoint API model,
    # WriteTreatmentResource and WriteCampaignRequest).
    condition = var.campaign == null || try(
      alltrue([for t in try(var.campaign.treatments[*], []) : tonumber(t.size_percent) >= 1 && tonumber(t.size_percent) <= 100 && floor(t.size_percent) == tonumber(t.size_percent)]) &&
      tonumber(coalesce(try(var.campaign.holdout_percent, null), local.campaign_defaults.holdout_percent)) >= 0 && tonumber(coalesce(try(var.campaign.holdout_percent, null), local.campaign_defaults.holdout_percent)) <= 100 && floor(coalesce(try(var.campaign.holdout_percent, null), local.campaign_defaults.holdout_percent)) == tonumber(coalesce(try(var.campaign.holdout_percent, null), local.campaign_defaults.holdout_percent)) &&
      # Our rule (the API documents none): the main treatment keeps at least 1 %.
      sum(concat([tonumber(coalesce(try(var.campaign.holdout_percent, null), local.campaign_defaults.holdout_percent))], [for t in try(var.campaign.treatments[*], []) : tonumber(t.size_percent)])) < 100,
      false
    )
    error_message = "Each treatment size_percent must be a whole number 1-100, holdout_percent 0-99, and the treatments' size_percent plus holdout_percent must stay below 100, so that the main treatment keeps at least 1 %."
  }

  validation {
    # DeliveryUri: "The name or Amazon Resource Name (ARN) of an AWS Lambda function ... [or] The
    # URL for a web application or service that supports HTTPS" (Pinpoint API model,
    # CustomDeliveryConfiguration), the URL under the guide's webhook rule.
    condition = var.campaign == null || try(alltrue([
      for t in try(var.campaign.treatments[*], []) : try(t.delivery_uri, null) == null || (
        can(regex(local.webhook_url_pattern, try(t.delivery_uri, null))) ||
        can(regex(local.lambda_function_arn_pattern, try(t.delivery_uri, null)))
      )
    ]), false)
    error_message = "A treatment's delivery_uri must be a Lambda function ARN or an https:// webhook URL with only letters, digits and - . _ ~ ? / # : (RFC 3986)."
  }

  validation {
    # The permission is added to the function the ARN names (main.tf, treatment_permissions).
    condition = var.campaign == null || try(alltrue([
      for t in try(var.campaign.treatments[*], []) : try(t.invoke_permission, null) != true || can(regex(local.lambda_function_arn_pattern, try(t.delivery_uri, null)))
    ]), false)
    error_message = "A treatment with invoke_permission = true needs a delivery_uri that is a Lambda function ARN (the function Pinpoint invokes, which gets the permission)."
  }

  validation {
    # Schedule.Frequency (local.campaign_frequencies).
    condition     = var.campaign == null || try(contains(local.campaign_frequencies, coalesce(try(var.campaign.schedule.frequency, null), local.campaign_schedule_defaults.frequency)), false)
    error_message = "campaign.schedule.frequency must be one of ${join(", ", local.campaign_frequencies)}."
  }

  validation {
    # Schedule.StartTime: "IMMEDIATE ... or, a specific time in ISO 8601 format"; EndTime "in ISO
    # 8601 format" (Pinpoint API model, Schedule).
    condition = var.campaign == null || try(
      (coalesce(try(var.campaign.schedule.start_time, null), local.campaign_schedule_defaults.start_time) == "IMMEDIATE" || can(timecmp(coalesce(try(var.campaign.schedule.start_time, null), local.campaign_schedule_defaults.start_time), "2000-01-01T00:00:00Z"))) &&
      (try(var.campaign.schedule.end_time, null) == null || can(timecmp(try(var.campaign.schedule.end_time, null), "2000-01-01T00:00:00Z"))),
      false
    )
    error_message = "campaign.schedule.start_time must be IMMEDIATE or an RFC 3339 / ISO 8601 time with offset (2026-05-01T09:00:00Z); end_time, when set, an RFC 3339 time."
  }

  validation {
    condition = var.campaign == null ? true : try(
      try(var.campaign.schedule.end_time, null) == null || coalesce(try(var.campaign.schedule.start_time, null), local.campaign_schedule_defaults.start_time) == "IMMEDIATE" ? true :
      timecmp(try(var.campaign.schedule.end_time, null), coalesce(try(var.campaign.schedule.start_time, null), local.campaign_schedule_defaults.start_time)) > 0,
      false
    )
    error_message = "campaign.schedule.end_time must be later than start_time."
  }

  validation {
    # A campaign that repeats or waits for events needs an end: the module's rule, so that no
    # campaign keeps sending without a date it stops.
    condition     = var.campaign == null || try(!contains(local.campaign_repeating_frequencies, coalesce(try(var.campaign.schedule.frequency, null), local.campaign_schedule_defaults.frequency)) || try(var.campaign.schedule.end_time, null) != null, false)
    error_message = "A recurring or event-triggered campaign (frequency ${join(", ", local.campaign_repeating_frequencies)}) needs campaign.schedule.end_time."
  }

  validation {
    # Schedule.EventFilter: "The type of event that causes the campaign to be sent, if the value
    # of the Frequency property is EVENT" (Pinpoint API model, Schedule).
    condition = var.campaign == null || try(
      (coalesce(try(var.campaign.schedule.frequency, null), local.campaign_schedule_defaults.frequency) == "EVENT") == (try(var.campaign.schedule.event_types, null) != null) &&
      (try(var.campaign.schedule.event_types, null) == null || length(coalesce(try(var.campaign.schedule.event_types, null), [])) > 0),
      false
    )
    error_message = "campaign.schedule.event_types (a non-empty list) is required for frequency EVENT and only then."
  }

  validation {
    # Schedule.Timezone (local.campaign_timezones, from the API model's documentation string).
    condition     = var.campaign == null || try(contains(local.campaign_timezones, coalesce(try(var.campaign.schedule.timezone, null), "UTC")), false)
    error_message = "campaign.schedule.timezone must be one of the Pinpoint API's values: ${join(", ", local.campaign_timezones)}."
  }

  validation {
    # CampaignLimits in the Pinpoint API model: Daily and Total at most 100, MessagesPerSecond
    # 1-20,000, MaximumDuration at least 60 seconds (local.campaign_limits_rules).
    condition = var.campaign == null ? true : try(var.campaign.limits, null) == null ? true : try(alltrue([
      for v in [try(var.campaign.limits.daily, null), try(var.campaign.limits.total, null)] : v == null ? true : v >= 0 && v <= local.campaign_limits_rules.max_messages_per_endpoint && floor(v) == tonumber(v)
      ]) && (
      try(var.campaign.limits.session, null) == null ? true : try(var.campaign.limits.session, null) >= 0 && floor(try(var.campaign.limits.session, null)) == tonumber(try(var.campaign.limits.session, null))
      ) && (
      try(var.campaign.limits.messages_per_second, null) == null ? true : try(var.campaign.limits.messages_per_second, null) >= local.campaign_limits_rules.min_messages_per_second && try(var.campaign.limits.messages_per_second, null) <= local.campaign_limits_rules.max_messages_per_second
      ) && (
      try(var.campaign.limits.maximum_duration, null) == null ? true : try(var.campaign.limits.maximum_duration, null) >= local.campaign_limits_rules.min_maximum_duration
    ), false)
    error_message = "campaign.limits: daily and total whole numbers 0-${local.campaign_limits_rules.max_messages_per_endpoint} (the API's maximum), session >= 0, messages_per_second ${local.campaign_limits_rules.min_messages_per_second}-${local.campaign_limits_rules.max_messages_per_second}, maximum_duration >= ${local.campaign_limits_rules.min_maximum_duration} seconds."
  }

}

################################################################################
# Pinpoint application
################################################################################

locals {
  # Null: a new application for Pinpoint events; none for Connect, which uses no Pinpoint.
  create_application = coalesce(local.application.create, !local.connect)
}

resource "aws_pinpoint_app" "this" {
  count = local.create_application ? 1 : 0

  name = coalesce(local.application.name, local.name)

  tags = var.tags
}

locals {
  application_id = local.create_application ? try(aws_pinpoint_app.this[0].application_id, null) : local.application.id
}

################################################################################
# Segment and campaign: the aws provider has no resource for them, so a
# CloudFormation stack holds AWS::Pinpoint::Segment and AWS::Pinpoint::Campaign.
################################################################################

locals {
  create_campaign = local.campaign == null ? false : local.campaign.create
  create_segment  = local.create_campaign && local.segment.id == null

  campaign_stack_name = coalesce(try(local.campaign.stack_name, null), replace("${local.name}-campaign", "_", "-"))
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

  campaign_endpoint_types = try(local.campaign.endpoint_types, null)
  campaign_treatments     = local.campaign == null ? [] : local.campaign.treatments
  campaign_schedule       = try(local.campaign.schedule, null)

  # What the additional treatments and the holdout leave goes to the main treatment.
  main_treatment_size_percent = local.campaign == null ? null : 100 - local.campaign.holdout_percent - sum(concat([0], [for t in local.campaign_treatments : t.size_percent]))

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

  campaign_limits = try(local.campaign.limits, null) == null ? null : {
    for k, v in {
      Daily             = local.campaign.limits.daily
      Total             = local.campaign.limits.total
      MessagesPerSecond = local.campaign.limits.messages_per_second
      MaximumDuration   = local.campaign.limits.maximum_duration
      Session           = local.campaign.limits.session
    } : k => v if v != null
  }

  # A literal id or a reference to the segment in the same stack (jsondecode lets the two
  # branches have different types).
  campaign_segment_ref = jsondecode(local.segment.id != null ? jsonencode(local.segment.id) : jsonencode({ "Fn::GetAtt" = ["Segment", "SegmentId"] }))

  campaign_resource = local.campaign == null ? null : {
    Type = "AWS::Pinpoint::Campaign"
    Properties = {
      for k, v in {
        ApplicationId        = local.application_id
        Name                 = local.campaign.name
        Description          = local.campaign.description
        SegmentId            = local.campaign_segment_ref
        Schedule             = local.campaign_schedule_property
        IsPaused             = local.campaign.is_paused
        TreatmentName        = local.campaign.treatment_name
        TreatmentDescription = local.campaign.treatment_description
        MessageConfiguration = { CustomMessage = { Data = local.campaign.data } }
        CustomDeliveryConfiguration = {
          DeliveryUri   = local.template_delivery_uri
          EndpointTypes = local.campaign_endpoint_types
        }
        AdditionalTreatments = length(local.campaign_additional_treatments) == 0 ? null : local.campaign_additional_treatments
        HoldoutPercent       = local.campaign.holdout_percent
        Limits               = local.campaign_limits
        Tags                 = length(merge(var.tags, local.campaign.tags)) == 0 ? null : merge(var.tags, local.campaign.tags)
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

  campaign_template = local.campaign == null ? null : {
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
  campaign_definition = local.campaign == null ? null : {
    application_id  = local.application_id
    campaign_id     = local.campaign_id
    campaign_arn    = local.campaign_arn
    segment_id      = local.segment_id
    name            = local.campaign.name
    channel_mode    = var.channel_mode
    delivery_uri    = local.delivery_uri
    endpoint_types  = local.campaign_endpoint_types
    data            = local.campaign.data
    is_paused       = local.campaign.is_paused
    holdout_percent = local.campaign.holdout_percent
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
        name           = local.campaign.treatment_name
        size_percent   = local.main_treatment_size_percent
        data           = local.campaign.data
        delivery_uri   = local.delivery_uri
        endpoint_types = local.campaign_endpoint_types
      }],
      [for i, t in local.campaign.treatments : {
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

################################################################################
# The invoke permission's campaign scope, and A/B treatments' own functions
################################################################################

# The campaign of the module's own stack, as the stack records it: an SSM parameter of the
# stack holding the campaign's ARN (above, campaign_parameter_name). Read by path,
# which answers an empty list while there is none (a first apply, a renamed or deleted stack,
# a stack from before the parameter), where reading one stack or one parameter fails; and
# with a count that depends on variables only, so the plan does not fail when every data
# source of the module is read during apply (a module-level depends_on on a resource with
# changes): a count or for_each decided by a data source is then unknown ("Invalid count
# argument"). Only the stack of the current name counts (its name is in the path): a renamed
# stack is replaced, and its new campaign needs the application scope first.
data "aws_ssm_parameters_by_path" "campaign" {
  count = local.record_campaign_arn ? 1 : 0

  path            = local.campaign_parameter_path
  recursive       = false
  with_decryption = false
}

locals {
  # The provider marks every parameter value sensitive; a campaign ARN is not a secret.
  recorded_campaign_arns = [
    for i, name in try(data.aws_ssm_parameters_by_path.campaign[0].names, []) :
    nonsensitive(data.aws_ssm_parameters_by_path.campaign[0].values[i]) if name == local.campaign_parameter_name
  ]
}

check "pinpoint_permission_campaign_scope" {
  assert {
    condition     = !local.permission_campaign_pending
    error_message = "pinpoint_permission.scope = \"campaign\": the campaign stack ${local.campaign_stack_name} has no campaign of application ${coalesce(local.application_id, "(new)")} yet, so the invoke permission allows the application (Pinpoint checks it when the campaign is created). Apply again with the same configuration to narrow it to the campaign."
  }
}



resource "aws_lambda_permission" "treatments" {
  for_each = local.treatment_permissions

  statement_id_prefix = "pinpoint-"
  action              = "lambda:InvokeFunction"
  function_name       = each.value.function_arn
  qualifier           = each.value.qualifier
  principal           = "pinpoint.${local.region}.amazonaws.com"
  source_account      = local.account_id
  source_arn          = local.pinpoint_source_arn

  # A treatment may name this module's function with another qualifier: it must exist first.
  depends_on = [aws_lambda_function.this, aws_lambda_alias.this]

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = each.value.region == local.region && each.value.account_id == local.account_id
      error_message = "The delivery_uri of campaign treatment ${each.key} (${each.value.uri}) must name a Lambda function in the campaign's account and region (${local.account_id}, ${local.region}): Pinpoint invokes it from there, and the module grants it the invoke permission, which it can add only to a function of this account."
    }

  }
}
