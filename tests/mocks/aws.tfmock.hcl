# Realistic values for the mocked aws provider: the provider still validates them (ARNs,
# region names, ids), so random strings would fail.

mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}

# The module reads the region from `endpoint` (valid and not deprecated in 5.x and 6.x).
mock_data "aws_region" {
  defaults = {
    id          = "eu-west-1"
    name        = "eu-west-1"
    endpoint    = "ec2.eu-west-1.amazonaws.com"
    description = "Europe (Ireland)"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform"
    user_id    = "AIDACKCEVSQ6C2EXAMPLE"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_data "aws_cloudformation_stack" {
  defaults = {
    outputs = {
      CampaignId  = "95fee4cd1d7f5cd67987c1436a0b1c2d"
      CampaignArn = "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/campaigns/95fee4cd1d7f5cd67987c1436a0b1c2d"
      SegmentId   = "5c7e1f0a9b8d4e3f2a1b0c9d8e7f6a5b"
    }
  }
}

mock_data "aws_secretsmanager_random_password" {
  defaults = {
    random_password = "Qm7vX2kLp9RtZ4wNc8HsJ3yBf6GdT1aE5uVnK0oPiYxMbW2r"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn       = "arn:aws:iam::123456789012:role/pinpoint-custom-channel"
    unique_id = "AROACKCEVSQ6C2EXAMPLE"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/pinpoint-custom-channel"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel"
    qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel:1"
    invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel/invocations"
    version       = "1"
  }
}

mock_resource "aws_lambda_alias" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel:live"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:pinpoint-custom-channel:live/invocations"
  }
}

mock_resource "aws_pinpoint_app" {
  defaults = {
    application_id = "dbaf6ec2226f0a9a8615e3ea5a0b1c2d"
    arn            = "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d"
  }
}

mock_resource "aws_cloudformation_stack" {
  defaults = {
    id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/pinpoint-custom-channel-campaign/1b2c3d40-0000-11ef-8e7a-0a1b2c3d4e5f"
    outputs = {
      CampaignId  = "95fee4cd1d7f5cd67987c1436a0b1c2d"
      CampaignArn = "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/dbaf6ec2226f0a9a8615e3ea5a0b1c2d/campaigns/95fee4cd1d7f5cd67987c1436a0b1c2d"
      SegmentId   = "5c7e1f0a9b8d4e3f2a1b0c9d8e7f6a5b"
    }
  }
}

mock_resource "aws_apigatewayv2_api" {
  defaults = {
    id            = "a1b2c3d4e5"
    arn           = "arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5"
    api_endpoint  = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
    execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5"
  }
}

mock_resource "aws_apigatewayv2_integration" {
  defaults = {
    id = "int0123"
  }
}

mock_resource "aws_apigatewayv2_stage" {
  defaults = {
    arn           = "arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5/stages/$default"
    execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default"
    invoke_url    = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pinpoint-custom-channel-webhook-path-AbCdEf"
    id  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pinpoint-custom-channel-webhook-path-AbCdEf"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/pinpoint-custom-channel-failures"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/pinpoint-custom-channel-failures"
    arn = "arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:pinpoint-custom-channel-failed-deliveries"
  }
}

mock_resource "aws_secretsmanager_secret_version" {
  defaults = {
    version_id = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/pinpoint-custom-channel-deliveries"
  }
}

# No stack carries the deployment's tag unless a run says so.
mock_data "aws_resourcegroupstaggingapi_resources" {
  defaults = {
    resource_tag_mapping_list = []
  }
}

# No stack has recorded its campaign unless a run says so (the first apply of campaign scope).
mock_data "aws_ssm_parameters_by_path" {
  defaults = {
    arns   = []
    names  = []
    types  = []
    values = []
  }
}
