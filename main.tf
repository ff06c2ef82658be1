# Rules between inputs that no single resource owns: a setting of one event source or channel
# mode given with another. Checked before anything is
# planned; each message names the inputs. (Preconditions rather than variable validations that
# read other variables: those report the error against one input, and are Terraform 1.9's.)
data "aws_partition" "current" {
  lifecycle {
    precondition {
      condition     = !local.alarms_settings.enabled || var.channel_mode != "webhook"
      error_message = "alarms watch the module's function and its metrics, and channel_mode \"webhook\" creates no function. Leave alarms.enabled false in webhook mode."
    }

    precondition {
      condition     = (var.event_source == "connect") == (try(var.connect.instance_arn, null) != null)
      error_message = "connect.instance_arn is required when event_source is \"connect\" and must be null otherwise."
    }

    precondition {
      condition     = var.event_source == "connect" || (try(var.connect.message_template, null) == null && length((try(var.connect.message_templates, null) == null ? {} : var.connect.message_templates)) == 0)
      error_message = "connect.message_template and connect.message_templates are the messages of Connect custom actions: set them only with event_source = \"connect\" (a Pinpoint campaign's message is its data)."
    }

    precondition {
      condition     = var.event_source != "connect" || try(var.connect.message_template, null) != null || length((try(var.connect.message_templates, null) == null ? {} : var.connect.message_templates)) > 0 || length((try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids)) > 0
      error_message = "event_source = \"connect\" needs a message: set connect.message_template, connect.message_templates or connect.template_ids (Connect's event carries no text)."
    }

    precondition {
      condition     = var.event_source == "connect" || (try(var.connect.knowledge_base_id, null) == null && length((try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids)) == 0 && try(var.connect.template_ttl_seconds, null) == null)
      error_message = "connect.knowledge_base_id, connect.template_ids and connect.template_ttl_seconds are for Connect's message templates: set them only with event_source = \"connect\"."
    }

    precondition {
      condition = var.event_source == "connect" || (
        try(var.connect.profiles.address_fields, null) == null && try(var.connect.profiles.channel_type, null) == null &&
        try(var.connect.profiles.opt_out_field, null) == null && try(var.connect.profiles.result_field, null) == null
      )
      error_message = "connect.profiles applies to Connect customer profiles only: set it only with event_source = \"connect\"."
    }

    precondition {
      condition     = var.event_source == "connect" || try(var.connect.register, null) != true
      error_message = "connect.register registers the function with connect.instance_arn: set it only with event_source = \"connect\"."
    }

    precondition {
      condition     = var.connect_campaign == null || var.event_source == "connect"
      error_message = "connect_campaign is an Amazon Connect outbound campaign: set it only with event_source = \"connect\" (a Pinpoint campaign is the campaign variable)."
    }

    precondition {
      condition     = !local.dashboard.enabled || var.channel_mode != "webhook"
      error_message = "dashboard shows the module's function and its metrics, and channel_mode \"webhook\" creates no function. Leave dashboard.enabled false in webhook mode."
    }

    precondition {
      condition     = try(var.failure_queue.enabled, null) == null ? true : try(!var.failure_queue.enabled || var.channel_mode != "webhook", false)
      error_message = "failure_queue needs the module's function, and channel_mode \"webhook\" creates none: nothing would send to the queue. Leave failure_queue.enabled false in webhook mode."
    }

    precondition {
      condition     = (try(var.pinpoint_permission.scope, null) == null ? local.pinpoint_permission_defaults.scope : var.pinpoint_permission.scope) != "campaign" || try(var.pinpoint_permission.campaign_id, null) != null || (var.campaign != null && try(var.campaign.create, true))
      error_message = "pinpoint_permission.scope \"campaign\" needs a campaign: the one this module manages (campaign, campaign.create = true) or pinpoint_permission.campaign_id."
    }

    precondition {
      condition     = var.event_source != "connect" || (try(var.pinpoint_permission.campaign_id, null) == null && (try(var.pinpoint_permission.scope, null) == null ? local.pinpoint_permission_defaults.scope : var.pinpoint_permission.scope) != "campaign")
      error_message = "pinpoint_permission.scope = \"campaign\" and pinpoint_permission.campaign_id shape the Pinpoint invoke permission, which event_source = \"connect\" does not create (its permission is for connect.instance_arn): leave them unset."
    }

    precondition {
      condition     = var.event_source == "connect" || coalesce(local.application.create, true) == (local.application.id == null)
      error_message = "Give application.id exactly when application.create is false."
    }

    precondition {
      condition     = var.event_source != "connect" || (local.application.create != true && local.application.id == null)
      error_message = "application.create and application.id are for a Pinpoint application, which event_source = \"connect\" does not use: leave them unset."
    }

    precondition {
      condition = var.event_source != "connect" || (
        try(var.segment.id, null) == null && try(var.segment.name, null) == null && length((try(var.segment.channel_types, null) == null ? local.segment_defaults.channel_types : var.segment.channel_types)) == 0 &&
        length((try(var.segment.attributes, null) == null ? local.segment_defaults.attributes : var.segment.attributes)) == 0 && length((try(var.segment.user_attributes, null) == null ? local.segment_defaults.user_attributes : var.segment.user_attributes)) == 0 && try(var.segment.dimensions_json, null) == null
      )
      error_message = "segment describes a Pinpoint segment, which event_source = \"connect\" does not use: leave it unset (a Connect campaign's audience is a Customer Profiles segment)."
    }

    precondition {
      condition     = var.event_source != "connect" || var.campaign == null
      error_message = "campaign describes a Pinpoint campaign, which event_source = \"connect\" does not create: leave campaign null and build the outbound campaign in Amazon Connect."
    }

    precondition {
      condition     = var.event_source != "connect" || var.channel_mode == "lambda"
      error_message = "event_source = \"connect\" needs channel_mode = \"lambda\": a Connect custom action invokes a Lambda function, not a webhook."
    }

    precondition {
      condition     = (var.channel_mode == "webhook") == (var.delivery == null)
      error_message = "delivery is required when the module creates a function (channel_mode \"lambda\" or \"receiver\"): at least { adapter = \"none\" }, which sends nothing; with channel_mode = \"webhook\", which creates none, it must be null."
    }

    # Delivery receipts (receipts.tf, docs/receipts.md).
    precondition {
      condition     = !local.receipts.enabled || var.channel_mode != "webhook"
      error_message = "receipts are received by the module's function, and channel_mode \"webhook\" creates none. Leave receipts.enabled false in webhook mode."
    }

    precondition {
      # The handler keeps its receipt records in the delivery ledger (CHANNEL_IDEMPOTENCY_TABLE).
      condition     = !local.receipts.enabled || local.idempotency.enabled
      error_message = "receipts.enabled needs idempotency.enabled = true: the receipt records live in the idempotency table."
    }

    precondition {
      condition     = local.receipts.enabled || (!local.receipts.consent_write_back && local.receipts.delivered_rate_alarm_threshold == null)
      error_message = "receipts.consent_write_back and receipts.delivered_rate_alarm_threshold need receipts.enabled = true."
    }

    precondition {
      condition     = !local.receipts.enabled || !contains(["none", "slack"], coalesce(try(var.delivery.adapter, null), "-"))
      error_message = "receipts.enabled needs a provider that reports delivery: delivery.adapter twilio, http or your own, not ${coalesce(try(var.delivery.adapter, null), "-")}."
    }

    precondition {
      # The http adapter's receipts are signed with receipts_key, read from the provider secret.
      condition     = !local.receipts.enabled || try(var.delivery.adapter, null) != "http" || local.provider_secret.arn != null || local.provider_secret.parameter_arn != null
      error_message = "receipts with delivery.adapter = \"http\" need provider_secret.arn or provider_secret.parameter_arn: a JSON object whose receipts_key (at least 32 characters) signs the provider's callbacks."
    }

    precondition {
      condition     = !local.receipts.consent_write_back || var.event_source != "connect" || local.receipts.connect_profiles_domain != null
      error_message = "receipts.consent_write_back with event_source = \"connect\" needs receipts.connect_profiles_domain: the Customer Profiles domain of connect.instance_arn, where the opt-out is written."
    }

    precondition {
      condition     = local.receipts.connect_profiles_domain == null || (var.event_source == "connect" && local.receipts.consent_write_back)
      error_message = "receipts.connect_profiles_domain is where consent is written back for Amazon Connect: set it only with event_source = \"connect\" and receipts.consent_write_back = true."
    }

    precondition {
      # UpdateProfile writes Attributes.<Name>: the opt-out field must be a profile attribute.
      condition     = !local.receipts.consent_write_back || var.event_source != "connect" || startswith(coalesce(local.connect_settings.profiles.opt_out_field, "Attributes.OptOut"), "Attributes.")
      error_message = "receipts.consent_write_back writes the opt-out to a custom profile attribute: connect.profiles.opt_out_field must be Attributes.<Name> (default Attributes.OptOut)."
    }
  }
}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

################################################################################
# Rules of the services, defined once and used by the variables' validations
################################################################################

locals {
  # How long each event source waits for the function. Pinpoint: at most 15 seconds (Amazon
  # Pinpoint developer guide, "Creating custom channels"), and it may then try the same
  # delivery again. Amazon Connect outbound campaigns: 30 seconds, a longer run fails the
  # custom action (Amazon Connect Administrator Guide, "Invoke Lambda functions").
  source_wait_seconds = { pinpoint = 15, connect = 30 }
  wait_seconds        = try(local.source_wait_seconds[var.event_source], local.source_wait_seconds.pinpoint)

  # The module's names: a Lambda function name is [a-zA-Z0-9-_]+ and "limited to 64 characters"
  # (Lambda API model, CreateFunction FunctionName); starting with a letter keeps the role, log
  # group, HTTP API and stack names derived from it valid as well.
  name_pattern    = "^[A-Za-z][A-Za-z0-9_-]*$"
  max_name_length = 64

  # An Amazon Connect instance ARN (Service Authorization Reference, Amazon Connect resource
  # type "instance"): arn:<partition>:connect:<region>:<account>:instance/<instance id, a UUID>.
  connect_instance_arn_pattern = "^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

  # The handler's rules for Connect settings (handler/custom_channel/config.py): a profile field
  # name (_FIELD_NAME: 1-255 characters, no whitespace, ',', '{', '}' or '|'), a channel type
  # (_CHANNEL_TYPE), and the longest message template (max_len of CHANNEL_MESSAGE_TEMPLATE(S): 16,384).
  connect_field_name_pattern   = "^[^\\s,{}|]{1,255}$"
  connect_channel_type_pattern = "^[A-Z][A-Z0-9_]{0,31}$"
  max_message_template_chars   = 16384

  # Amazon Q in Connect ids (botocore data/qconnect/2020-10-19/service-2.json): a knowledge base
  # id is the Uuid shape, [a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}; a message
  # template id is GetMessageTemplate's messageTemplateId (UuidOrArnOrEitherWithQualifier, of
  # which UuidWithQualifier is the id form): that UUID, optionally ":<qualifier>". Of the
  # qualifiers the module takes a version number only (the handler reads $ACTIVE_VERSION
  # without one). The handler's TTL of a read template: a whole number of seconds, 0-86400.
  qconnect_uuid_pattern            = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
  qconnect_template_id_pattern     = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:[0-9]+)?$"
  max_connect_template_ttl_seconds = 86400

  # Lambda quota: "4 KB" for all environment variables of a function together (AWS Lambda
  # Developer Guide, "Lambda quotas"), counted here as the characters of names and values.
  max_environment_bytes = 4096

  # A KMS key ARN (AWS KMS Developer Guide, "Key identifiers (KeyId)", key ARN:
  # arn:<partition>:kms:<region>:<account>:key/<key id>). The services also take aliases, but the
  # role's kms:Decrypt statements name the key, and an alias ARN in Resource matches no key.
  kms_key_arn_pattern = "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$"
  kms_key_arn_format  = "arn:<partition>:kms:<region>:<account>:key/<id>"

  # An IAM role ARN: the Lambda API model's Role shape,
  # arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+ (the path included).
  iam_role_arn_pattern = "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$"

  # A Lambda function ARN, optionally qualified: the Lambda API model's FunctionArn shape
  # (arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]), the name at most
  # 64 characters (CreateFunction FunctionName) and the qualifier an alias (Alias shape: 1-128
  # characters) or a version or $LATEST.
  lambda_function_arn_pattern = "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$"

  # A Pinpoint webhook (Amazon Pinpoint developer guide, "Creating custom channels", webhook
  # section): begins with "https://", "can only contain alphanumeric characters, plus ... - . _ ~
  # ? / # :", and complies with RFC 3986; so host, optional port, path, ?query and #fragment.
  webhook_url_pattern = "^https://[A-Za-z0-9._~-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~:/-]*)?(\\?[A-Za-z0-9._~:/?-]*)?(#[A-Za-z0-9._~:/?-]*)?$"

  # The handler's provider URLs (handler/custom_channel/config.py): https://, or for the http
  # adapter http:// to a loopback host (127.0.0.0/8, localhost, [::1]).
  https_url_pattern         = "^https://[^\\s/?#]+([/?#]\\S*)?$"
  loopback_http_url_pattern = "^http://(127(\\.[0-9]{1,3}){3}|localhost|\\[::1\\])(:[0-9]{1,5})?([/?#]\\S*)?$"

  # A Secrets Manager secret ARN: arn:<partition>:secretsmanager:<region>:<account>:secret:<name>
  # (Service Authorization Reference, resource type "Secret"); the name's characters are
  # "ASCII letters, numbers, and ... /_+=.@-" (Secrets Manager API model, CreateSecret Name), and
  # the ARN ends in "-" and six random characters.
  secret_arn_pattern = "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$"

  # An SSM parameter ARN: arn:<partition>:ssm:<region>:<account>:parameter/<name> (Service
  # Authorization Reference, resource type "parameter"); a name holds "only ... a-zA-Z0-9_.-" and
  # "/" between levels (SSM API model, PutParameter Name).
  ssm_parameter_arn_pattern = "^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_.\\-/]+$"

  # An SNS topic ARN: arn:<partition>:sns:<region>:<account>:<topic>; a topic name is "only
  # uppercase and lowercase ASCII letters, numbers, underscores, and hyphens ... between 1 and 256
  # characters", a FIFO topic's ending in .fifo (SNS API model, CreateTopic Name).
  sns_topic_arn_pattern   = "^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+(\\.fifo)?$"
  max_sns_topic_name_size = 256

  # Pinpoint ids. An application id is 32 lowercase hexadecimal characters in practice (the API
  # model only says string); segment and campaign ids are letters and digits.
  pinpoint_application_id_pattern = "^[a-z0-9]{32}$"
  pinpoint_resource_id_pattern    = "^[A-Za-z0-9]{1,64}$"

  # A CloudFormation stack name "can contain only alphanumeric characters (case sensitive) and
  # hyphens. It must start with an alphabetical character and can't be longer than 128
  # characters" (CloudFormation API model, CreateStack StackName).
  stack_name_pattern = "^[A-Za-z][A-Za-z0-9-]{0,127}$"

  # The values of retentionInDays (CloudWatch Logs API model, PutRetentionPolicy: "Possible
  # values are: 1, 3, 5, ... 3653"); 0 is the provider's "never expire".
  log_retention_days = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]

  # The endpoint types the custom-channel guide names for CustomDeliveryConfiguration.EndpointTypes
  # (the API model's __EndpointTypesElement adds PUSH and IN_APP, which the guide does not list).
  endpoint_types = ["ADM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "CUSTOM", "EMAIL", "GCM", "SMS", "VOICE"]

  # Schedule.Frequency: the Pinpoint API model's Frequency enum without IN_APP_EVENT (in-app
  # messages only). Every one but ONCE repeats, and so needs an EndTime.
  campaign_frequencies           = ["ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "EVENT"]
  campaign_repeating_frequencies = [for f in local.campaign_frequencies : f if f != "ONCE"]

  # The only values of Schedule.Timezone (CloudFormation Schedule.TimeZone): the documentation
  # string of Schedule.Timezone in the Pinpoint API model (botocore
  # data/pinpoint/2016-12-01/service-2.json). No UTC-12, no UTC-05:30.
  campaign_timezones = [
    "UTC", "UTC+01", "UTC+02", "UTC+03", "UTC+03:30", "UTC+04", "UTC+04:30", "UTC+05", "UTC+05:30",
    "UTC+05:45", "UTC+06", "UTC+06:30", "UTC+07", "UTC+08", "UTC+09", "UTC+09:30", "UTC+10",
    "UTC+10:30", "UTC+11", "UTC+12", "UTC+13", "UTC-02", "UTC-03", "UTC-04", "UTC-05", "UTC-06",
    "UTC-07", "UTC-08", "UTC-09", "UTC-10", "UTC-11",
  ]

  # CampaignLimits in the same model: Daily and Total "The maximum value is 100",
  # MessagesPerSecond "The minimum value is 1. The maximum value is 20,000", MaximumDuration
  # "The minimum value is 60 seconds".
  campaign_limits_rules = {
    max_messages_per_endpoint = 100
    min_messages_per_second   = 1
    max_messages_per_second   = 20000
    min_maximum_duration      = 60
  }
}

locals {
  partition = data.aws_partition.current.partition
  # The region without a deprecated attribute on either provider major: `name` is deprecated in
  # 6.0 and `id` in 6.47 (hashicorp/terraform-provider-aws#48036), and `region` does not exist
  # in 5.x. `endpoint`, the region's EC2 endpoint (ec2.<region>.<dns suffix>), is in both.
  region     = split(".", data.aws_region.current.endpoint)[1]
  account_id = data.aws_caller_identity.current.account_id

  name = "${var.name_prefix}${var.name}"

  connect = var.event_source == "connect"
  # The handler's metrics (config.py): the guide's namespace for Pinpoint, Connect's own for
  # a Connect custom action (CONNECT_NAMESPACE), unless metrics.namespace names one.
  metrics_namespace = coalesce(local.metrics.namespace, local.connect ? "ConnectCustomAction" : "PinpointCustomChannelExecution")
  # The instance id: the ARN's last part (instance/<id>).
  connect_instance_id = local.connect_settings.instance_arn == null ? null : element(split("/", local.connect_settings.instance_arn), 1)
  create_function     = var.channel_mode != "webhook"
  create_receiver     = var.channel_mode == "receiver"
  create_role         = local.create_function && var.create_role
  # The delivery ledger of idempotency.py (only a function delivers).
  create_idempotency = local.create_function && local.idempotency.enabled
  # The queue of failed and unknown endpoints, and the alarms: both watch the function.
  create_failure_queue = local.create_function && local.failure_queue.enabled
  create_alarms        = local.create_function && local.alarms_settings.enabled
  # Delivery receipts and consent write-back (receipts.tf): a route to the function.
  create_receipts    = local.create_function && local.receipts.enabled
  receipt_write_back = local.create_receipts && local.receipts.consent_write_back

  handler = coalesce(
    var.handler,
    local.create_receiver ? "custom_channel.receiver.lambda_handler" : "custom_channel.lambda_function.lambda_handler",
  )

  package_path = coalesce(var.local_existing_package, "${path.module}/handler/dist/custom-channel.zip")
  use_s3       = var.s3_existing_package != null

  log_group_name = "/aws/lambda/${local.name}"
  # Built from its parts so the IAM policy is known at plan time.
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  role_arn = local.create_role ? try(aws_iam_role.this[0].arn, null) : var.lambda_role

  # What Pinpoint or the HTTP API invokes: the alias when versions are published.
  function_arn        = try(aws_lambda_function.this[0].arn, null)
  function_target_arn = var.publish ? try(aws_lambda_alias.this[0].arn, null) : local.function_arn
  function_invoke_arn = var.publish ? try(aws_lambda_alias.this[0].invoke_arn, null) : try(aws_lambda_function.this[0].invoke_arn, null)

  application_log_level = { DEBUG = "DEBUG", INFO = "INFO", WARNING = "WARN", ERROR = "ERROR" }[var.logging_application_log_level]

  # SSM accepts a parameter's name: "parameter/a/b" in the ARN is the name "/a/b", "parameter/a" is "a".
  secret_parameter_path = local.provider_secret.parameter_arn == null ? null : split(":parameter/", local.provider_secret.parameter_arn)[1]
  secret_parameter_name = local.secret_parameter_path == null ? null : (
    strcontains(local.secret_parameter_path, "/") ? "/${local.secret_parameter_path}" : local.secret_parameter_path
  )

  ##############################################################################
  # Object inputs typed `any`: the keys each takes, and its defaults
  ##############################################################################
  # Terraform drops an attribute an object type does not declare, before any validation sees
  # it, so a typo (`adaptor`, `enable`, terraform-aws-lambda's `condition`) would be ignored
  # without a word. The variables whose typo would change what is sent or widen a grant are
  # typed `any` instead: their validations refuse a key not listed here, and these locals give
  # what optional() gave (a key left out or null takes the default below).

  delivery_defaults = {
    adapter               = null # required: never defaulted
    adapter_module        = null
    adapter_settings      = {}
    http                  = null
    twilio                = null
    slack                 = null
    skip_opted_out        = true
    skip_inactive         = true
    max_workers           = 50
    max_attempts          = 3
    rate_limit_per_second = 0
    failure_policy        = "report"
    deadline_seconds      = null
    safety_margin_ms      = 750
  }
  delivery_adapter_defaults = {
    http = {
      url                = null # required
      method             = null
      headers            = {}
      body_template      = null
      body_encoding      = null
      success_codes      = null
      idempotency_header = null
    }
    twilio = {
      from                  = null # required
      whatsapp              = null
      api_base              = null
      allowed_country_codes = ["1"]
    }
    slack = {
      channel_attribute = null
      api_base          = null
      channel_pattern   = null
    }
  }
  # The defaults alone when delivery is null (webhook mode: no function).
  delivery = merge(
    local.delivery_defaults,
    { for k in(can(keys(var.delivery)) ? keys(var.delivery) : []) : k => var.delivery[k] if contains(keys(local.delivery_defaults), k) && (local.delivery_defaults[k] == null ? true : var.delivery[k] != null) },
    {
      # null when absent or null (a block that is not an object is refused by a validation).
      for a, defaults in local.delivery_adapter_defaults : a => try(merge(
        defaults,
        { for k, v in var.delivery[a] : k => v if contains(keys(defaults), k) && (defaults[k] == null ? true : v != null) },
      ), null)
    },
  )

  s3_existing_package_defaults = {
    bucket           = null # required
    key              = null # required
    object_version   = null
    source_code_hash = null
  }
  s3_existing_package = var.s3_existing_package == null ? null : merge(
    local.s3_existing_package_defaults,
    try({ for k, v in var.s3_existing_package : k => v if contains(keys(local.s3_existing_package_defaults), k) && (local.s3_existing_package_defaults[k] == null ? true : v != null) }, {}),
  )

  policy_statement_defaults = {
    effect     = "Allow"
    actions    = null # required
    resources  = null # required
    conditions = []
  }
  policy_condition_keys = ["test", "variable", "values"]
  # {} when null (and when not a map of objects, which a validation refuses).
  policy_statement_inputs = try({
    for sid, s in var.policy_statements : sid => merge(
      local.policy_statement_defaults,
      { for k, v in s : k => v if contains(keys(local.policy_statement_defaults), k) && (local.policy_statement_defaults[k] == null ? true : v != null) },
    )
  }, {})

  idempotency_defaults = {
    enabled                = true
    lease_seconds          = 60
    ttl_seconds            = 604800
    kms_key_arn            = null
    point_in_time_recovery = true
    # A Pinpoint journey's repeat after this is a new entry (docs/handler.md, "Idempotency").
    journey_reentry_seconds = 3600
  }
  idempotency = merge(
    local.idempotency_defaults,
    { for k in(can(keys(var.idempotency)) ? keys(var.idempotency) : []) : k => var.idempotency[k] if contains(keys(local.idempotency_defaults), k) && (local.idempotency_defaults[k] == null ? true : var.idempotency[k] != null) },
  )

  failure_queue_defaults = {
    enabled                    = false
    name                       = null
    kms_key_arn                = null
    message_retention_seconds  = 1209600
    visibility_timeout_seconds = 300
    operator_role_arns         = []
  }
  failure_queue = merge(
    local.failure_queue_defaults,
    { for k in(can(keys(var.failure_queue)) ? keys(var.failure_queue) : []) : k => var.failure_queue[k] if contains(keys(local.failure_queue_defaults), k) && (local.failure_queue_defaults[k] == null ? true : var.failure_queue[k] != null) },
  )

  pinpoint_permission_defaults = {
    scope       = "application"
    campaign_id = null
  }
  pinpoint_permission = merge(
    local.pinpoint_permission_defaults,
    { for k in(can(keys(var.pinpoint_permission)) ? keys(var.pinpoint_permission) : []) : k => var.pinpoint_permission[k] if contains(keys(local.pinpoint_permission_defaults), k) && (local.pinpoint_permission_defaults[k] == null ? true : var.pinpoint_permission[k] != null) },
  )

  application_defaults = {
    create = null # true, unless event_source = "connect" (pinpoint.tf)
    id     = null
    name   = null
  }
  alarms_defaults = {
    enabled                             = false
    sns_topic_arns                      = []
    failed_deliveries_threshold         = 1
    unknown_deliveries_threshold        = 1
    function_errors_threshold           = 1
    period_seconds                      = 300
    evaluation_periods                  = 1
    function_throttles_threshold        = 1
    failure_queue_depth_threshold       = 1
    failure_queue_message_age_threshold = 43200
  }
  dashboard_defaults = {
    enabled = false
    name    = null
  }
  receiver_defaults = {
    throttling                     = null # receiver_throttling_defaults
    access_logs                    = true
    secret_recovery_window_in_days = 7
    secret_kms_key_arn             = null
  }
  receiver_throttling_defaults = {
    rate_limit  = 20
    burst_limit = 40
  }
  receipts_defaults = {
    enabled                        = false
    consent_write_back             = false
    connect_profiles_domain        = null
    event_bus_name                 = "default"
    delivered_rate_alarm_threshold = null
    throttling                     = null # receipts_throttling_defaults
    access_logs                    = true
  }
  # A provider calls back once or twice per message (Twilio: sent, then the final status),
  # once: a callback throttled away is a receipt lost. 500 a second covers a campaign sent at
  # 250 messages a second (a short code's rate is 100); a forged callback costs the function
  # one signature check.
  receipts_throttling_defaults = {
    rate_limit  = 500
    burst_limit = 1000
  }
  vpc_config_defaults = {
    subnet_ids                  = null # required
    security_group_ids          = null # required
    ipv6_allowed_for_dual_stack = false
  }
  provider_secret_defaults = {
    arn           = null
    parameter_arn = null
    kms_key_arn   = null
    ttl_seconds   = 300
  }
  # The type of each key of these objects (one type per key name), to which a value is
  # converted as the object types converted it ("300" to 300, "true" to true, 5 to "5": a root's
  # conditional can make every value a string); a value that does not convert is kept, and
  # refused by the object's validation.
  object_key_types = merge(
    { for k in ["create", "enabled", "access_logs", "ipv6_allowed_for_dual_stack", "consent_write_back"] : k => "bool" },
    { for k in ["id", "name", "secret_kms_key_arn", "arn", "parameter_arn", "kms_key_arn", "connect_profiles_domain", "event_bus_name"] : k => "string" },
    { for k in ["sns_topic_arns", "subnet_ids", "security_group_ids"] : k => "list" },
    { for k in ["throttling"] : k => "object" },
    {
      for k in concat(keys(local.receiver_throttling_defaults), ["secret_recovery_window_in_days", "ttl_seconds", "delivered_rate_alarm_threshold"], keys(local.alarms_defaults)) :
      k => "number" if !contains(["enabled", "sns_topic_arns"], k)
    },
  )
  # Each object merged over its defaults (its keys only; no try() around a value, which would
  # make the whole object unknown when one value is).
  objects = {
    for name, o in {
      application           = [var.application, local.application_defaults]
      alarms                = [var.alarms, local.alarms_defaults]
      dashboard             = [var.dashboard, local.dashboard_defaults]
      receiver              = [var.receiver, local.receiver_defaults]
      "receiver.throttling" = [try(var.receiver.throttling, null), local.receiver_throttling_defaults]
      receipts              = [var.receipts, local.receipts_defaults]
      "receipts.throttling" = [try(var.receipts.throttling, null), local.receipts_throttling_defaults]
      vpc_config            = [var.vpc_config, local.vpc_config_defaults]
      provider_secret       = [var.provider_secret, local.provider_secret_defaults]
    } :
    name => merge(o[1], {
      for k, v in { for k in can(keys(o[0])) ? keys(o[0]) : [] : k => o[0][k] } : k => {
        bool   = try(tobool(v), v)
        number = try(tonumber(v), v)
        string = try(tostring(v), v)
        list   = try(tolist([for e in v : tostring(e)]), v)
        object = v
      }[local.object_key_types[k]] if contains(keys(o[1]), k) && (o[1][k] == null ? true : v != null)
    })
  }
  object_type_names = { bool = "true or false", number = "a number", string = "a string", list = "a list of strings", object = "an object" }
  application       = local.objects.application
  alarms_settings   = local.objects.alarms
  dashboard         = local.objects.dashboard
  receiver          = merge(local.objects.receiver, { throttling = local.objects["receiver.throttling"] })
  receipts          = merge(local.objects.receipts, { throttling = local.objects["receipts.throttling"] })
  vpc_config        = var.vpc_config == null ? null : local.objects.vpc_config
  provider_secret   = local.objects.provider_secret

  segment_defaults = {
    id              = null
    name            = null
    channel_types   = []
    attributes      = {}
    user_attributes = {}
    dimensions_json = null
  }
  segment = merge(
    local.segment_defaults,
    { for k in(can(keys(var.segment)) ? keys(var.segment) : []) : k => var.segment[k] if contains(keys(local.segment_defaults), k) && (local.segment_defaults[k] == null ? true : var.segment[k] != null) },
  )

  connect_defaults = {
    instance_arn         = null
    message_template     = null
    message_templates    = {}
    knowledge_base_id    = null
    template_ids         = {}
    template_ttl_seconds = null
    profiles             = {}
    register             = false
  }
  connect_profiles_defaults = {
    address_fields = null
    channel_type   = null
    opt_out_field  = null
    result_field   = null
  }
  # local.connect is taken (event_source = "connect"): these are connect's settings.
  connect_settings = merge(
    local.connect_defaults,
    { for k in(can(keys(var.connect)) ? keys(var.connect) : []) : k => var.connect[k] if contains(keys(local.connect_defaults), k) && (local.connect_defaults[k] == null ? true : var.connect[k] != null) },
    {
      profiles = merge(
        local.connect_profiles_defaults,
        { for k in(can(keys(var.connect.profiles)) ? keys(var.connect.profiles) : []) : k => var.connect.profiles[k] if contains(keys(local.connect_profiles_defaults), k) && (local.connect_profiles_defaults[k] == null ? true : var.connect.profiles[k] != null) },
      )
    },
  )

  metrics_defaults = {
    mode      = "api"
    namespace = null
  }
  metrics = merge(
    local.metrics_defaults,
    { for k in(can(keys(var.metrics)) ? keys(var.metrics) : []) : k => var.metrics[k] if contains(keys(local.metrics_defaults), k) && (local.metrics_defaults[k] == null ? true : var.metrics[k] != null) },
  )

  campaign_defaults = {
    create                = true
    stack_name            = null
    name                  = null # required
    description           = null
    data                  = null # required
    endpoint_types        = ["CUSTOM"]
    is_paused             = true
    schedule              = {}
    treatment_name        = null
    treatment_description = null
    treatments            = []
    holdout_percent       = 0
    limits                = null
    tags                  = {}
  }
  campaign_schedule_defaults = {
    start_time    = "IMMEDIATE"
    end_time      = null
    frequency     = "ONCE"
    timezone      = null
    is_local_time = null
    event_types   = null
  }
  campaign_treatment_defaults = {
    size_percent      = null # required
    data              = null # required
    name              = null
    description       = null
    delivery_uri      = null
    endpoint_types    = null
    invoke_permission = null
  }
  campaign_limits_defaults = {
    daily               = null
    total               = null
    messages_per_second = null
    maximum_duration    = null
    session             = null
  }
  # null when campaign is null (or not an object, which a validation refuses); lists as lists
  # (an `any` value holds tuples), so that a treatment's endpoint_types and the campaign's
  # coalesce. No try() around a whole object: it answers unknown when any value inside is (a
  # treatment's delivery_uri may be an ARN known only after apply), and the campaign's
  # existence and its treatments' count must be known at plan.
  campaign = var.campaign == null || !can(keys(var.campaign)) ? null : merge(
    local.campaign_defaults,
    { for k, v in var.campaign : k => v if contains(keys(local.campaign_defaults), k) && (local.campaign_defaults[k] == null ? true : v != null) },
    {
      # The object type converted "20" to 20 and "true" to true (a root's conditional can make
      # every value a string).
      create          = coalesce(try(tobool(var.campaign.create), null), local.campaign_defaults.create)
      is_paused       = coalesce(try(tobool(var.campaign.is_paused), null), local.campaign_defaults.is_paused)
      holdout_percent = coalesce(try(tonumber(var.campaign.holdout_percent), null), local.campaign_defaults.holdout_percent)
      endpoint_types  = lookup(var.campaign, "endpoint_types", null) == null ? local.campaign_defaults.endpoint_types : try(tolist(var.campaign.endpoint_types), local.campaign_defaults.endpoint_types)
      tags            = lookup(var.campaign, "tags", null) == null ? local.campaign_defaults.tags : try(tomap(var.campaign.tags), local.campaign_defaults.tags)
      schedule = merge(
        local.campaign_schedule_defaults,
        { for k in(can(keys(var.campaign.schedule)) ? keys(var.campaign.schedule) : []) : k => var.campaign.schedule[k] if contains(keys(local.campaign_schedule_defaults), k) && (local.campaign_schedule_defaults[k] == null ? true : var.campaign.schedule[k] != null) },
        { event_types = try(tolist(var.campaign.schedule.event_types), null) },
      )
      # Each of one type, so that the treatments make a list; a key left out or null is null
      # (a value of the wrong type too: a validation refuses it). null[*] is [].
      treatments = [
        for t in lookup(var.campaign, "treatments", null)[*] : {
          size_percent      = try(tonumber(t.size_percent), tonumber(null))
          data              = try(tostring(t.data), tostring(null))
          name              = try(tostring(t.name), tostring(null))
          description       = try(tostring(t.description), tostring(null))
          delivery_uri      = try(tostring(t.delivery_uri), tostring(null))
          endpoint_types    = try(tolist([for e in t.endpoint_types : tostring(e)]), tolist(null))
          invoke_permission = try(tobool(t.invoke_permission), tobool(null))
        }
      ]
      limits = lookup(var.campaign, "limits", null) == null ? null : merge(
        local.campaign_limits_defaults,
        { for k in(can(keys(var.campaign.limits)) ? keys(var.campaign.limits) : []) : k => tonumber(var.campaign.limits[k]) if contains(keys(local.campaign_limits_defaults), k) && (local.campaign_limits_defaults[k] == null ? true : var.campaign.limits[k] != null) },
      )
    },
  )

  # The function's timeout: by default as long as its event source waits.
  timeout          = coalesce(var.timeout, local.wait_seconds)
  deadline_seconds = coalesce(local.delivery.deadline_seconds, min(local.timeout, local.wait_seconds))

  ##############################################################################
  # Environment: typed variables mapped to the handler's settings
  ##############################################################################

  http   = local.delivery.adapter == "http" ? local.delivery.http : null
  twilio = local.delivery.adapter == "twilio" ? local.delivery.twilio : null
  # The slack block is optional: every setting has a default.
  slack = local.delivery.adapter == "slack" ? merge(
    local.delivery_adapter_defaults.slack,
    { for k in(can(keys(var.delivery.slack)) ? keys(var.delivery.slack) : []) : k => var.delivery.slack[k] if contains(keys(local.delivery_adapter_defaults.slack), k) },
  ) : null

  channel_environment = merge(
    {
      CHANNEL_ADAPTER               = local.delivery.adapter
      CHANNEL_NAME                  = local.name
      CHANNEL_METRICS_MODE          = local.metrics.mode
      CHANNEL_METRICS_NAMESPACE     = local.metrics_namespace
      CHANNEL_SKIP_OPTED_OUT        = tostring(local.delivery.skip_opted_out)
      CHANNEL_SKIP_INACTIVE         = tostring(local.delivery.skip_inactive)
      CHANNEL_MAX_WORKERS           = tostring(local.delivery.max_workers)
      CHANNEL_MAX_ATTEMPTS          = tostring(local.delivery.max_attempts)
      CHANNEL_DEADLINE_SECONDS      = tostring(local.deadline_seconds)
      CHANNEL_SAFETY_MARGIN_MS      = tostring(local.delivery.safety_margin_ms)
      CHANNEL_LOG_LEVEL             = var.logging_application_log_level
      CHANNEL_LOG_ENDPOINT_IDS      = var.logging_endpoint_ids == "hashed" ? null : var.logging_endpoint_ids
      CHANNEL_SECRET_ID             = local.provider_secret.arn
      CHANNEL_SECRET_PARAMETER      = local.secret_parameter_name
      CHANNEL_SECRET_TTL_SECONDS    = local.provider_secret.arn != null || local.provider_secret.parameter_arn != null ? tostring(local.provider_secret.ttl_seconds) : null
      CHANNEL_RECEIVER_SECRET_ID    = local.create_receiver ? try(aws_secretsmanager_secret.receiver[0].arn, null) : null
      CHANNEL_FAILURE_QUEUE_URL     = local.create_failure_queue ? try(aws_sqs_queue.failures[0].url, null) : null
      CHANNEL_FAILURE_POLICY        = local.delivery.failure_policy == "report" ? null : local.delivery.failure_policy
      CHANNEL_RATE_LIMIT_PER_SECOND = local.delivery.rate_limit_per_second > 0 ? tostring(local.delivery.rate_limit_per_second) : null
      CHANNEL_EVENT_SOURCE          = var.event_source
      CHANNEL_MESSAGE_TEMPLATE      = local.connect_settings.message_template
      CHANNEL_MESSAGE_TEMPLATES     = length(local.connect_settings.message_templates) > 0 ? jsonencode(local.connect_settings.message_templates) : null
      CHANNEL_ADAPTER_MODULE        = local.delivery.adapter_module
    },
    # An adapter of the user's own reads its CHANNEL_<ADAPTER>_* settings (docs/adapters.md).
    { for k, v in local.delivery.adapter_settings : "CHANNEL_${upper(local.delivery.adapter)}_${k}" => v },
    local.connect ? {
      CHANNEL_CONNECT_ADDRESS_FIELDS = local.connect_settings.profiles.address_fields == null ? null : join(",", local.connect_settings.profiles.address_fields)
      CHANNEL_CONNECT_CHANNEL_TYPE   = local.connect_settings.profiles.channel_type
      CHANNEL_CONNECT_OPT_OUT_FIELD  = local.connect_settings.profiles.opt_out_field
      CHANNEL_CONNECT_RESULT_FIELD   = local.connect_settings.profiles.result_field == null ? null : tostring(local.connect_settings.profiles.result_field)
      # Templates authored in Connect (Amazon Q in Connect message templates), by block label.
      CHANNEL_CONNECT_KNOWLEDGE_BASE_ID    = local.connect_settings.knowledge_base_id
      CHANNEL_CONNECT_TEMPLATE_IDS         = length(local.connect_settings.template_ids) > 0 ? jsonencode(local.connect_settings.template_ids) : null
      CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS = local.connect_settings.template_ttl_seconds == null ? null : tostring(local.connect_settings.template_ttl_seconds)
    } : {},
    local.create_idempotency ? {
      CHANNEL_IDEMPOTENCY_TABLE         = aws_dynamodb_table.idempotency[0].name
      CHANNEL_IDEMPOTENCY_LEASE_SECONDS = tostring(local.idempotency.lease_seconds)
      CHANNEL_IDEMPOTENCY_TTL_SECONDS   = tostring(local.idempotency.ttl_seconds)
      # Pinpoint journeys only: their events carry nothing that changes per entry.
      CHANNEL_JOURNEY_REENTRY_SECONDS = local.connect ? null : tostring(local.idempotency.journey_reentry_seconds)
    } : {},
    # Receipts (docs/receipts.md): each variable only with its switch, so that a configuration
    # without receipts keeps its environment.
    # (CHANNEL_RECEIPTS_URL is local.receipts_environment, below.)
    local.create_receipts ? {
      CHANNEL_RECEIPTS_EVENT_BUS = local.receipts.event_bus_name
    } : {},
    local.receipt_write_back ? {
      CHANNEL_CONSENT_WRITE_BACK      = "true"
      CHANNEL_CONNECT_PROFILES_DOMAIN = local.connect ? local.receipts.connect_profiles_domain : null
    } : {},
    local.http == null ? {} : {
      CHANNEL_HTTP_URL                = local.http.url
      CHANNEL_HTTP_METHOD             = local.http.method == null ? null : upper(local.http.method)
      CHANNEL_HTTP_HEADERS            = length(local.http.headers) > 0 ? jsonencode(local.http.headers) : null
      CHANNEL_HTTP_BODY_TEMPLATE      = local.http.body_template
      CHANNEL_HTTP_BODY_ENCODING      = local.http.body_encoding
      CHANNEL_HTTP_SUCCESS_CODES      = local.http.success_codes == null ? null : replace(local.http.success_codes, " ", "")
      CHANNEL_HTTP_IDEMPOTENCY_HEADER = local.http.idempotency_header
    },
    local.twilio == null ? {} : {
      CHANNEL_TWILIO_FROM     = local.twilio.from
      CHANNEL_TWILIO_WHATSAPP = local.twilio.whatsapp == null ? null : tostring(local.twilio.whatsapp)
      CHANNEL_TWILIO_API_BASE = local.twilio.api_base
      # Prefixes without "+", comma-separated (the handler's format).
      CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES = join(",", local.twilio.allowed_country_codes)
    },
    local.slack == null ? {} : {
      CHANNEL_SLACK_CHANNEL_ATTRIBUTE = local.slack.channel_attribute
      CHANNEL_SLACK_API_BASE          = local.slack.api_base
      CHANNEL_SLACK_CHANNEL_PATTERN   = local.slack.channel_pattern
    },
  )

  settings_environment = merge(
    var.environment_variables,
    { for k, v in local.channel_environment : k => v if v != null },
  )
  # The key of the endpoint id hashes in the logs (logs.py): sensitive, and unknown until the
  # first apply draws it (uuid()). Merged apart: the size below is neither.
  log_id_key = local.create_function && var.logging_endpoint_ids == "hashed" ? {
    CHANNEL_LOG_ID_KEY = sensitive(terraform_data.log_id_key[0].input)
  } : {}
  # The receipts route's URL: unknown until its HTTP API exists. Merged apart too, so that the
  # filter above (v != null) does not make the whole environment unknown at plan, and counted
  # by its length: an HTTP API id is 10 characters (https://<id>.execute-api.<region>.<dns suffix>).
  receipts_environment = local.create_receipts ? { CHANNEL_RECEIPTS_URL = local.receipts_url } : {}
  receipts_url_length  = length("https://0123456789.execute-api.${local.region}.${data.aws_partition.current.dns_suffix}/receipts")
  environment          = merge(local.settings_environment, local.receipts_environment, local.log_id_key)

  # The key is two UUIDs and a dash: 73 characters.
  environment_size = sum(concat([0], [for k, v in local.settings_environment : length(k) + length(v)])) + (
    length(local.log_id_key) > 0 ? length("CHANNEL_LOG_ID_KEY") + 73 : 0
    ) + (
    length(local.receipts_environment) > 0 ? length("CHANNEL_RECEIPTS_URL") + local.receipts_url_length : 0
  )
}

################################################################################
# The key of the endpoint id hashes in the function's logs (docs/security.md)
################################################################################

# Random and private to the deployment: 256 bits from two uuid() (crypto/rand, Terraform's
# `uuid` function), drawn at the first apply and kept (ignore_changes: `input` is the state's
# from then on); no `random` provider needed. Whoever reads the logs cannot reverse a hashed
# email or phone number by hashing a dictionary of them without this key, which only the
# function's configuration and the Terraform state hold. `terraform apply -replace` on it draws a new one (hashes change).
resource "terraform_data" "log_id_key" {
  count = local.create_function ? 1 : 0

  input = sensitive("${uuid()}-${uuid()}")

  lifecycle {
    ignore_changes = [input]
  }
}

################################################################################
# Log group (created before the function so retention and encryption apply from the start), or
# the existing one of an adopted function: Lambda writes to /aws/lambda/<name> either way, and
# CreateLogGroup on a name that exists fails (ResourceAlreadyExistsException, CloudWatch Logs
# API model). As terraform-aws-modules/lambda: use_existing_cloudwatch_log_group reads it
# instead (a data source, so the plan fails if it does not exist), cloudwatch_logs_skip_destroy
# keeps a created one (and its logs) when the module is destroyed.
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the user's choice (cloudwatch_logs_retention_in_days, default 30); set 365 or more where a one-year policy applies.
  count = local.create_function && !var.use_existing_cloudwatch_log_group ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.cloudwatch_logs_retention_in_days
  kms_key_id        = var.cloudwatch_logs_kms_key_arn
  skip_destroy      = var.cloudwatch_logs_skip_destroy

  tags = var.tags
}

data "aws_cloudwatch_log_group" "this" {
  count = local.create_function && var.use_existing_cloudwatch_log_group ? 1 : 0

  name = local.log_group_name
}

################################################################################
# Lambda function
################################################################################

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Pinpoint and API Gateway invoke the function synchronously; a DLQ only catches asynchronous invocations.
  #checkov:skip=CKV_AWS_272:The package is built and hash-pinned by this project (source_code_hash); AWS Signer code signing needs a signed S3 object outside this module.
  count = local.create_function ? 1 : 0

  function_name = local.name
  description   = var.description
  role          = local.role_arn
  handler       = local.handler
  runtime       = var.runtime
  architectures = [var.architecture]
  timeout       = local.timeout
  memory_size   = var.memory_size
  publish       = var.publish
  kms_key_arn   = var.kms_key_arn

  reserved_concurrent_executions = var.reserved_concurrent_executions

  filename          = local.use_s3 ? null : local.package_path
  s3_bucket         = local.use_s3 ? local.s3_existing_package.bucket : null
  s3_key            = local.use_s3 ? local.s3_existing_package.key : null
  s3_object_version = local.use_s3 ? local.s3_existing_package.object_version : null
  source_code_hash  = local.use_s3 ? local.s3_existing_package.source_code_hash : filebase64sha256(local.package_path)

  environment {
    variables = local.environment
  }

  logging_config {
    log_format            = var.logging_log_format
    log_group             = local.log_group_name
    application_log_level = var.logging_log_format == "JSON" ? local.application_log_level : null
    system_log_level      = var.logging_log_format == "JSON" ? "INFO" : null
  }

  dynamic "tracing_config" {
    for_each = var.tracing_mode == null ? [] : [var.tracing_mode]

    content {
      mode = tracing_config.value
    }
  }

  dynamic "vpc_config" {
    for_each = local.vpc_config == null ? [] : [local.vpc_config]

    content {
      subnet_ids                  = vpc_config.value.subnet_ids
      security_group_ids          = vpc_config.value.security_group_ids
      ipv6_allowed_for_dual_stack = vpc_config.value.ipv6_allowed_for_dual_stack
    }
  }

  tags = var.tags

  # The role's policy must be in place first: a VPC function needs its network-interface
  # permissions at creation, and the first invocation needs the log permissions.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]

  lifecycle {
    precondition {
      # Lambda API model, FunctionName: at most 64 characters for a name (local.max_name_length),
      # name_prefix included.
      condition     = length(local.name) <= local.max_name_length
      error_message = "name must start with a letter, hold only letters, digits, '-' and '_', and be at most ${local.max_name_length} characters long together with name_prefix."
    }

    precondition {
      # One code source: a zip or an S3 object (Lambda API model, FunctionCode).
      condition     = var.s3_existing_package == null || var.local_existing_package == null
      error_message = "Set local_existing_package or s3_existing_package, not both."
    }

    precondition {
      # PutProvisionedConcurrencyConfig takes an alias or version, never $LATEST.
      condition     = var.provisioned_concurrent_executions == 0 || var.publish
      error_message = "provisioned_concurrent_executions needs publish = true (it is set on the alias)."
    }

    precondition {
      # A function needs an execution role (Lambda API model, CreateFunction: Role is required).
      condition     = var.create_role || var.channel_mode == "webhook" || var.lambda_role != null
      error_message = "lambda_role is required when create_role is false (unless channel_mode is \"webhook\", which creates no function)."
    }

    precondition {
      # The package committed with the module holds only the built-in adapters (the handler's
      # adapters.ADAPTERS): another name deploys only with a package that has it.
      condition     = try(var.delivery.adapter, null) == null ? true : try(contains(["none", "http", "twilio", "slack"], var.delivery.adapter) || var.local_existing_package != null || var.s3_existing_package != null, false)
      error_message = "delivery.adapter is not a built-in adapter (none, http, twilio, slack): set local_existing_package or s3_existing_package to your own package that has it (docs/adapters.md, \"Vendoring the handler\")."
    }

    precondition {
      condition     = try(var.delivery.adapter_module, null) == null || var.local_existing_package != null || var.s3_existing_package != null
      error_message = "delivery.adapter_module names a module of your own package: set local_existing_package or s3_existing_package to it."
    }

    precondition {
      condition     = try(var.delivery.adapter, null) == null ? true : try(!contains(["twilio", "slack"], var.delivery.adapter) || local.provider_secret.arn != null || local.provider_secret.parameter_arn != null, false)
      error_message = "The twilio and slack adapters read their credentials from a secret: set provider_secret.arn or provider_secret.parameter_arn."
    }

    precondition {
      condition     = try(var.delivery.rate_limit_per_second, null) == null ? true : try(var.delivery.rate_limit_per_second == 0 || var.reserved_concurrent_executions > 0, false)
      error_message = "delivery.rate_limit_per_second holds for one function instance, so the account-wide rate is it times the concurrency: set reserved_concurrent_executions (>= 1) to bound it (output lambda_max_requests_per_second shows the product)."
    }

    precondition {
      condition     = try(var.delivery.failure_policy, null) == null ? true : try(var.delivery.failure_policy != "retry" || local.idempotency.enabled, false)
      error_message = "delivery.failure_policy = \"retry\" requires idempotency.enabled = true, or Pinpoint's retry would deliver twice."
    }

    precondition {
      # Connect marks every profile of a batch failed when the function throws, and the retry
      # policy works by throwing (docs/connect.md; config.py refuses the pair).
      condition     = try(var.delivery.failure_policy, null) == null ? true : try(var.event_source != "connect" || var.delivery.failure_policy != "retry", false)
      error_message = "delivery.failure_policy = \"retry\" cannot serve event_source = \"connect\": it works by failing the invocation, and a Connect batch whose function throws fails whole. Use delivery.failure_policy = \"report\"."
    }

    precondition {
      # The event source's wait (local.wait_seconds: Pinpoint 15, Connect 30).
      condition     = try(var.delivery.deadline_seconds, null) == null ? true : try(var.delivery.deadline_seconds >= 1 && var.delivery.deadline_seconds <= local.wait_seconds && floor(var.delivery.deadline_seconds) == var.delivery.deadline_seconds, false)
      error_message = "delivery.deadline_seconds must be a whole number between 1 and ${local.wait_seconds}: the ${var.event_source} event source waits at most ${local.wait_seconds} seconds for the function (Pinpoint 15, Connect 30)."
    }

    precondition {
      condition     = try(var.delivery.deadline_seconds, null) == null ? true : try(var.delivery.deadline_seconds <= local.timeout, false)
      error_message = "delivery.deadline_seconds must not exceed timeout."
    }

    precondition {
      condition     = local.environment_size <= local.max_environment_bytes
      error_message = "The function's environment holds ${local.environment_size} characters of names and values, more than Lambda's 4 KB for all environment variables together: shorten connect.message_template / connect.message_templates / connect.template_ids (or environment_variables)."
    }
  }
}

resource "aws_lambda_alias" "this" {
  count = local.create_function && var.publish ? 1 : 0

  name             = var.alias_name
  description      = "Version invoked by ${local.create_receiver ? "the webhook receiver" : local.connect ? "Amazon Connect outbound campaigns" : "Amazon Pinpoint"}"
  function_name    = aws_lambda_function.this[0].function_name
  function_version = aws_lambda_function.this[0].version
}

resource "aws_lambda_provisioned_concurrency_config" "this" {
  count = local.create_function && var.publish && var.provisioned_concurrent_executions > 0 ? 1 : 0

  function_name                     = aws_lambda_function.this[0].function_name
  qualifier                         = aws_lambda_alias.this[0].name
  provisioned_concurrent_executions = var.provisioned_concurrent_executions
}

################################################################################
# Invoke permissions, keyed by caller: "pinpoint", or "connect" and "connect_journeys" (lambda
# mode), or "apigateway" (receiver mode)
################################################################################

locals {
  mobiletargeting_arn = "arn:${local.partition}:mobiletargeting:${local.region}:${local.account_id}"

  # Campaign scope: the campaign id given, or the campaign of the module's own stack once it
  # exists. Pinpoint checks the permission when the campaign is created, so the campaign
  # cannot wait for a permission that names it: until the stack reports its campaign, the
  # permission allows the application (the check block below says "apply again"), and the
  # next apply with the same configuration narrows it. The stack's campaign is read through a
  # data source, not the resource, because the resource itself waits for this permission.
  application_campaigns_arn = "${local.mobiletargeting_arn}:apps/${coalesce(local.application_id, "-")}/campaigns/"
  permission_campaign_arn = local.pinpoint_permission.campaign_id != null ? "${local.application_campaigns_arn}${local.pinpoint_permission.campaign_id}" : try(one([
    # Only a campaign of this application: after the application is replaced the old stack's
    # campaign belongs to another one, and the new campaign needs the application scope first.
    for arn in local.recorded_campaign_arns : arn if startswith(arn, local.application_campaigns_arn)
  ]), null)
  permission_campaign_pending = !local.connect && local.pinpoint_permission.scope == "campaign" && local.permission_campaign_arn == null

  # Null for Connect, which has no Pinpoint application.
  pinpoint_source_arn = local.connect ? null : {
    account     = "${local.mobiletargeting_arn}:apps/*"
    application = "${local.mobiletargeting_arn}:apps/${coalesce(local.application_id, "-")}/*"
    campaign    = coalesce(local.permission_campaign_arn, "${local.mobiletargeting_arn}:apps/${coalesce(local.application_id, "-")}/*")
  }[local.pinpoint_permission.scope]

  permissions = merge(
    local.create_function && !local.create_receiver && !local.connect ? {
      pinpoint = {
        principal      = "pinpoint.${local.region}.amazonaws.com"
        source_account = local.account_id
        source_arn     = local.pinpoint_source_arn
      }
    } : {},
    # Connect invokes the function from the instance's account, which may be another one, under
    # two principals; aws-amplify/amplify-backend (packages/backend-notifications) grants both,
    # each scoped by source account.
    # - "connect" (unchanged since 0.2.0, so an upgrade replaces nothing): outbound campaigns v2,
    #   connect-campaigns.amazonaws.com, with AWS:SourceAccount and AWS:SourceArn of the instance
    #   (Amazon Connect Administrator Guide, "Invoke Lambda functions", shows that ARN for this
    #   principal and recommends both conditions).
    # - "connect_journeys": a journey's Custom action block invokes under connect.amazonaws.com.
    #   AWS:SourceAccount only: nobody has confirmed which ARN Connect sends as the source of a
    #   journey's custom action, and a SourceArn that never matches silently refuses every
    #   invocation.
    local.create_function && local.connect ? {
      connect = {
        principal      = "connect-campaigns.amazonaws.com"
        source_account = try(split(":", local.connect_settings.instance_arn)[4], null)
        source_arn     = local.connect_settings.instance_arn
      }
      connect_journeys = {
        principal      = "connect.amazonaws.com"
        source_account = try(split(":", local.connect_settings.instance_arn)[4], null)
        source_arn     = null
      }
    } : {},
    # The receipts route (receipts.tf): only POST /receipts of its HTTP API (execute-api ARN
    # <api>/<stage>/<method>/<path>), in receiver mode beside the API-wide "apigateway" one.
    local.create_receipts ? {
      receipts = {
        principal      = "apigateway.amazonaws.com"
        source_account = local.account_id
        source_arn     = "${coalesce(local.receipts_execution_arn, "-")}/*/POST/receipts"
      }
    } : {},
    local.create_receiver ? {
      apigateway = {
        principal      = "apigateway.amazonaws.com"
        source_account = local.account_id
        # Only this HTTP API (any stage, method and route of it) may invoke the function.
        source_arn = "${try(aws_apigatewayv2_api.receiver[0].execution_arn, "")}/*"
      }
    } : {},
  )
}

locals {
  # Other Lambda functions that A/B treatments deliver to (delivery_uri). Pinpoint checks its
  # invoke permission on each when the campaign is created, so the module grants it like its
  # own. Keyed by the treatment's id (TreatmentId: "1" for the first additional treatment, as in
  # the campaign definition), the ARN in the value: for_each keys must be known at plan, and a
  # function of the same configuration has its ARN only after apply. Which treatments get one
  # must be known at plan too: invoke_permission when set, else whether the delivery_uri is the
  # ARN of another function than the module's own target (which already has the permission).
  treatment_permissions = {
    for i, t in local.campaign_treatments : tostring(i + 1) => {
      uri          = t.delivery_uri
      function_arn = join(":", slice(split(":", t.delivery_uri), 0, 7))
      region       = split(":", t.delivery_uri)[3]
      account_id   = split(":", t.delivery_uri)[4]
      qualifier    = length(split(":", t.delivery_uri)) > 7 ? split(":", t.delivery_uri)[7] : null
    }
    if local.create_campaign && (t.invoke_permission != null ? t.invoke_permission : (
      try(startswith(t.delivery_uri, "arn:"), false) ? !(
        local.create_function && !local.create_receiver &&
        try(split(":", t.delivery_uri)[6], null) == local.name &&
        try(split(":", t.delivery_uri)[7], null) == (var.publish ? var.alias_name : null)
      ) : false
    ))
  }
}

resource "aws_lambda_permission" "this" {
  for_each = local.permissions

  # A prefix, not a fixed id: when the source ARN changes (for example application ->
  # campaign scope) the new statement is added before the old one is removed.
  statement_id_prefix = "${each.key}-"
  action              = "lambda:InvokeFunction"
  function_name       = aws_lambda_function.this[0].function_name
  qualifier           = var.publish ? aws_lambda_alias.this[0].name : null
  principal           = each.value.principal
  source_account      = each.value.source_account
  source_arn          = each.value.source_arn

  lifecycle {
    create_before_destroy = true

  }
}
