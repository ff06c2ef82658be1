# Amazon Connect (event_source = "connect"): the custom action's inputs, and the function's
# registration with the instance. The outbound campaign as code is connect_campaign.tf.

################################################################################
# Input
################################################################################

variable "connect" {
  description = "The Connect instance, messages and profile fields. [More](docs/inputs.md#connect)."
  # `any`, not an object type: a key the type did not declare would be dropped without a word
  # (a misspelt `profiles.opt_out_field` would read consent from the default field, a misspelt
  # `template_ids` send `message_template` instead); the keys and defaults are
  # local.connect_defaults and local.connect_profiles_defaults (main.tf), and the first
  # validations refuse any other key. null: the defaults.
  type    = any
  default = {}

  validation {
    condition     = var.connect == null || try(length(setsubtract(keys(var.connect), keys(local.connect_defaults))) == 0, false)
    error_message = "connect must be an object whose keys are among ${join(", ", keys(local.connect_defaults))}${try(length(setsubtract(keys(var.connect), keys(local.connect_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.connect), keys(local.connect_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored)."
  }

  validation {
    condition     = try(var.connect.profiles, null) == null || try(length(setsubtract(keys(var.connect.profiles), keys(local.connect_profiles_defaults))) == 0, false)
    error_message = "connect.profiles must be an object whose keys are among ${join(", ", keys(local.connect_profiles_defaults))}${try(length(setsubtract(keys(var.connect.profiles), keys(local.connect_profiles_defaults))) > 0, false) ? "; unknown: ${join(", ", sort(setsubtract(keys(var.connect.profiles), keys(local.connect_profiles_defaults))))}" : ""} (a key Terraform does not know would otherwise be ignored: a misspelt opt_out_field would read consent elsewhere)."
  }

  validation {
    # `any` checks no types.
    condition     = try(var.connect.profiles.result_field, null) == null || can(tobool(var.connect.profiles.result_field))
    error_message = "connect.profiles.result_field must be true or false."
  }

  validation {
    # `any` checks no types: register must be a real boolean (a string "false" is refused).
    condition     = try(var.connect.register, null) == null || try(var.connect.register == true || var.connect.register == false, false)
    error_message = "connect.register must be true or false."
  }

  validation {
    # local.connect_instance_arn_pattern (Service Authorization Reference).
    condition     = try(var.connect.instance_arn, null) == null || can(regex(local.connect_instance_arn_pattern, try(var.connect.instance_arn, null)))
    error_message = "connect.instance_arn must be an Amazon Connect instance ARN: arn:<partition>:connect:<region>:<account>:instance/<instance-id> (a lowercase UUID)."
  }


  validation {
    condition     = try(var.connect.message_template, null) == null || try(length(try(var.connect.message_template, null)) >= 1 && length(try(var.connect.message_template, null)) <= local.max_message_template_chars, false)
    error_message = "connect.message_template must be 1 to ${local.max_message_template_chars} characters (the handler's limit)."
  }

  validation {
    condition     = alltrue([for id, template in(try(var.connect.message_templates, null) == null ? {} : var.connect.message_templates) : length(trimspace(id)) > 0 && length(template) <= local.max_message_template_chars])
    error_message = "connect.message_templates keys must be non-empty ActionIds and each template at most ${local.max_message_template_chars} characters (the handler's limit)."
  }



  validation {
    # local.qconnect_uuid_pattern (botocore's qconnect model, Uuid).
    condition     = try(var.connect.knowledge_base_id, null) == null || can(regex(local.qconnect_uuid_pattern, coalesce(try(var.connect.knowledge_base_id, null), "-")))
    error_message = "connect.knowledge_base_id must be an Amazon Q in Connect knowledge base id: a lowercase UUID."
  }

  validation {
    # local.qconnect_template_id_pattern (botocore's qconnect model, UuidWithQualifier).
    condition     = alltrue([for label, id in(try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids) : length(label) > 0 && can(regex(local.qconnect_template_id_pattern, id))])
    error_message = "connect.template_ids keys must be non-empty custom action block labels and each value a message template id: a lowercase UUID, optionally :<version number>."
  }

  validation {
    condition     = (length((try(var.connect.template_ids, null) == null ? {} : var.connect.template_ids)) > 0) == (try(var.connect.knowledge_base_id, null) != null)
    error_message = "connect.knowledge_base_id is required when connect.template_ids is set and must be null when it is empty."
  }

  validation {
    condition     = try(var.connect.template_ttl_seconds, null) == null || try(try(var.connect.template_ttl_seconds, null) >= 0 && try(var.connect.template_ttl_seconds, null) <= local.max_connect_template_ttl_seconds && floor(try(var.connect.template_ttl_seconds, null)) == try(var.connect.template_ttl_seconds, null), false)
    error_message = "connect.template_ttl_seconds must be a whole number of seconds from 0 to ${local.max_connect_template_ttl_seconds}."
  }


  validation {
    condition = try(var.connect.profiles.address_fields, null) == null || try(
      length(try(var.connect.profiles.address_fields, null)) > 0 &&
      alltrue([for f in try(var.connect.profiles.address_fields, null) : can(regex(local.connect_field_name_pattern, f))]),
      false
    )
    error_message = "connect.profiles.address_fields must be a non-empty list of profile field names (1-255 characters, no whitespace, ',', '{', '}' or '|'), for example [\"PhoneNumber\", \"Attributes.Mobile\"]."
  }

  validation {
    condition     = try(var.connect.profiles.channel_type, null) == null || can(regex(local.connect_channel_type_pattern, coalesce(try(var.connect.profiles.channel_type, null), "-")))
    error_message = "connect.profiles.channel_type must be a channel type such as SMS, EMAIL or CUSTOM: an upper-case letter, then at most 31 upper-case letters, digits or '_'."
  }

  validation {
    condition     = try(var.connect.profiles.opt_out_field, null) == null || can(regex(local.connect_field_name_pattern, coalesce(try(var.connect.profiles.opt_out_field, null), " ")))
    error_message = "connect.profiles.opt_out_field must be a profile field name (1-255 characters, no whitespace, ',', '{', '}' or '|'), for example Attributes.OptOut."
  }


}

################################################################################
# Amazon Connect: the function registered with the instance (connect.register)
################################################################################

# Connect's outbound campaigns call a custom action's Lambda function only once it is registered
# with the instance: connectcampaignsv2 PutConnectInstanceIntegration, integrationConfig
# {"lambda": {"functionArn": ...}} (botocore data/connectcampaignsv2/2024-04-23/service-2.json;
# the function ARN may carry an alias, never $LATEST: LambdaArn's pattern). Neither the aws
# provider nor CloudFormation has a resource for it, so the module runs the AWS CLI: from the
# outputs by hand, or, with connect.register = true, from a terraform_data whose provisioners
# register on create and unregister (DeleteConnectInstanceIntegration) on destroy. A change of
# the function's target ARN (another alias, publish switched) replaces it: the old ARN is
# unregistered before the new one is registered.

locals {
  # connectcampaignsv2 is called in the instance's region, the ARN's fourth field.
  connect_region = local.connect_settings.instance_arn == null ? null : split(":", local.connect_settings.instance_arn)[3]

  connect_integration = local.connect && local.function_target_arn != null ? {
    instance_arn = local.connect_settings.instance_arn
    instance_id  = local.connect_instance_id
    region       = local.connect_region
    function_arn = local.function_target_arn
  } : null

  # The AWS CLI's arguments (`aws connectcampaignsv2 help`: CLI v2, or a v1 whose botocore has
  # the service, as awscli 1.45.11 does).
  connect_integration_config = local.connect_integration == null ? null : jsonencode({ lambda = { functionArn = local.connect_integration.function_arn } })
  connect_cli_arguments      = local.connect_integration == null ? null : "--region ${local.connect_integration.region} --connect-instance-id ${local.connect_integration.instance_id}"
}

resource "terraform_data" "connect_registration" {
  count = local.connect && local.connect_settings.register == true && local.create_function ? 1 : 0

  # Destroy-time provisioners may refer to self alone: everything they need is in input.
  input            = local.connect_integration
  triggers_replace = local.connect_integration

  provisioner "local-exec" {
    # No shell: the command's last argument is the JSON document, so no quoting differs
    # between sh, cmd and PowerShell. The CLI finds credentials and the endpoint in
    # Terraform's environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, ...).
    interpreter = [
      "aws", "connectcampaignsv2", "put-connect-instance-integration",
      "--region", self.input.region,
      "--connect-instance-id", self.input.instance_id,
      "--integration-config",
    ]
    command = jsonencode({ lambda = { functionArn = self.input.function_arn } })
  }

  provisioner "local-exec" {
    when = destroy
    interpreter = [
      "aws", "connectcampaignsv2", "delete-connect-instance-integration",
      "--region", self.input.region,
      "--connect-instance-id", self.input.instance_id,
      "--integration-identifier",
    ]
    command = jsonencode({ lambda = { functionArn = self.input.function_arn } })
  }

  # Registered once Connect may invoke it, unregistered before the permissions go.
  depends_on = [aws_lambda_permission.this]
}
