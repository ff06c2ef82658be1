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
