# The execution role's inline policy for each option. Statements are looked up by Sid.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "metrics_emf_has_no_metric_permission" {
  command = plan

  variables {
    metrics = {
      mode = "emf"
    }
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Sid] == ["RecordDeliveries", "WriteOwnLogGroup"]
    error_message = "EMF metrics go through the logs: no cloudwatch:PutMetricData."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_METRICS_MODE"] == "emf"
    error_message = "metrics.mode maps to CHANNEL_METRICS_MODE."
  }
}

run "metrics_off_has_no_metric_permission" {
  command = plan

  variables {
    metrics = {
      mode = "off"
    }
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this[0].policy, "cloudwatch:PutMetricData")
    error_message = "metrics.mode off must not grant PutMetricData."
  }
}

run "metrics_api_custom_namespace" {
  command = plan

  variables {
    metrics = {
      namespace = "Acme/CustomChannel"
    }
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "PutMetricDataInNamespace"
    ]).Condition.StringEquals["cloudwatch:namespace"] == "Acme/CustomChannel"
    error_message = "PutMetricData must be conditioned on the configured namespace."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_METRICS_NAMESPACE"] == "Acme/CustomChannel"
    error_message = "metrics.namespace maps to CHANNEL_METRICS_NAMESPACE."
  }
}

run "secrets_manager_secret_with_kms" {
  command = plan

  variables {
    provider_secret = {
      arn         = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-credentials-Ab12Cd"
      kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "ReadProviderSecret"
      ]) == {
      Sid      = "ReadProviderSecret"
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-credentials-Ab12Cd"]
    }
    error_message = "The role may read only the configured secret."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "DecryptProviderSecretViaService"
      ]) == {
      Sid       = "DecryptProviderSecretViaService"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com"] } }
    }
    error_message = "kms:Decrypt must be limited to the key, through Secrets Manager."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this[0].policy, "ssm:GetParameter")
    error_message = "No SSM permission without a parameter."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_SECRET_ID"] == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-credentials-Ab12Cd" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_SECRET_TTL_SECONDS"] == "300"
    error_message = "provider_secret.arn maps to CHANNEL_SECRET_ID (with the cache TTL)."
  }
}

run "ssm_parameter_without_kms" {
  command = plan

  variables {
    provider_secret = {
      parameter_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/custom-channel/slack"
      ttl_seconds   = 60
    }
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "ReadProviderParameter"
    ]).Resource == ["arn:aws:ssm:eu-west-1:123456789012:parameter/custom-channel/slack"]
    error_message = "The role may read only the configured parameter."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this[0].policy, "kms:Decrypt") && !strcontains(aws_iam_role_policy.this[0].policy, "secretsmanager:")
    error_message = "No KMS or Secrets Manager permission without a key or secret."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_SECRET_PARAMETER"] == "/custom-channel/slack" && aws_lambda_function.this[0].environment[0].variables["CHANNEL_SECRET_TTL_SECONDS"] == "60"
    error_message = "A hierarchical parameter ARN maps to the name /custom-channel/slack."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this[0].environment[0].variables), "CHANNEL_SECRET_ID")
    error_message = "CHANNEL_SECRET_ID must be absent with a parameter."
  }
}

run "ssm_flat_parameter_with_kms" {
  command = plan

  variables {
    provider_secret = {
      parameter_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/slack-token"
      kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_SECRET_PARAMETER"] == "slack-token"
    error_message = "A flat parameter ARN maps to its plain name."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "DecryptProviderSecretViaService"
    ]).Condition.StringEquals["kms:ViaService"] == ["ssm.eu-west-1.amazonaws.com"]
    error_message = "kms:Decrypt for a parameter must go through SSM only."
  }
}

run "xray_tracing" {
  command = plan

  variables {
    tracing_mode = "Active"
  }

  assert {
    condition     = aws_lambda_function.this[0].tracing_config[0].mode == "Active"
    error_message = "tracing_mode must reach the function."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "WriteXRayTraces"
    ]).Action == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    error_message = "Tracing needs the X-Ray write permissions."
  }
}

run "no_xray_without_tracing" {
  command = plan

  assert {
    condition     = !strcontains(aws_iam_role_policy.this[0].policy, "xray:") && !strcontains(aws_iam_role_policy.this[0].policy, "ec2:")
    error_message = "No X-Ray or EC2 permission by default."
  }
}

run "vpc_config" {
  command = plan

  variables {
    vpc_config = {
      subnet_ids         = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
      security_group_ids = ["sg-0123456789abcdef0"]
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].vpc_config[0].subnet_ids == toset(["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]) && aws_lambda_function.this[0].vpc_config[0].security_group_ids == toset(["sg-0123456789abcdef0"])
    error_message = "vpc_config must reach the function."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "DescribeVpcNetworking"
      ]) == {
      Sid      = "DescribeVpcNetworking"
      Effect   = "Allow"
      Action   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
      Resource = ["*"]
    }
    error_message = "Only the two EC2 describe actions, which have no resource-level permission, may be granted on \"*\"."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "ManageVpcNetworkInterfaces"
      ]) == {
      Sid    = "ManageVpcNetworkInterfaces"
      Effect = "Allow"
      Action = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      Resource = [
        "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
        "arn:aws:ec2:eu-west-1:*:subnet/subnet-0a1b2c3d4e5f60718",
        "arn:aws:ec2:eu-west-1:*:subnet/subnet-0f1e2d3c4b5a69788",
        "arn:aws:ec2:eu-west-1:*:security-group/sg-0123456789abcdef0",
      ]
    }
    error_message = "The network-interface actions must be scoped to this account's interfaces and the function's subnets and security groups."
  }
}

run "extra_policy_statements" {
  command = plan

  variables {
    policy_statements = {
      ReadTemplates = {
        actions   = ["s3:GetObject"]
        resources = ["arn:aws:s3:::acme-templates/*"]
        conditions = [
          { test = "StringEquals", variable = "s3:ExistingObjectTag/channel", values = ["custom"] },
          { test = "StringEquals", variable = "aws:ResourceAccount", values = ["123456789012"] },
          { test = "Bool", variable = "aws:SecureTransport", values = ["true"] },
        ]
      }
      DenyDelete = {
        effect    = "Deny"
        actions   = ["s3:DeleteObject"]
        resources = ["*"]
      }
    }
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "ReadTemplates"
      ]) == {
      Sid      = "ReadTemplates"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::acme-templates/*"]
      Condition = {
        StringEquals = { "s3:ExistingObjectTag/channel" = ["custom"], "aws:ResourceAccount" = ["123456789012"] }
        Bool         = { "aws:SecureTransport" = ["true"] }
      }
    }
    error_message = "Extra statements must be rendered with grouped conditions."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "DenyDelete"
    ]) == { Sid = "DenyDelete", Effect = "Deny", Action = ["s3:DeleteObject"], Resource = ["*"] }
    error_message = "A statement without conditions has no Condition block."
  }

  assert {
    condition     = length(jsondecode(aws_iam_role_policy.this[0].policy).Statement) == 5
    error_message = "Extra statements are added to the module's own."
  }
}

run "role_path_boundary_name" {
  command = plan

  variables {
    role_name                 = "custom-channel-exec"
    role_path                 = "/service/"
    role_permissions_boundary = "arn:aws:iam::123456789012:policy/developer-boundary"
  }

  assert {
    condition     = aws_iam_role.this[0].name == "custom-channel-exec" && aws_iam_role.this[0].path == "/service/"
    error_message = "role_name and role_path must reach the role."
  }

  assert {
    condition     = aws_iam_role.this[0].permissions_boundary == "arn:aws:iam::123456789012:policy/developer-boundary"
    error_message = "The permissions boundary must reach the role."
  }
}

run "existing_role" {
  command = plan

  variables {
    create_role = false
    lambda_role = "arn:aws:iam::123456789012:role/platform/pinpoint-channel"
  }

  assert {
    condition     = length(aws_iam_role.this) == 0 && length(aws_iam_role_policy.this) == 0
    error_message = "No IAM resources with an existing role."
  }

  assert {
    condition     = aws_lambda_function.this[0].role == "arn:aws:iam::123456789012:role/platform/pinpoint-channel"
    error_message = "The function must use the given role."
  }

  assert {
    condition     = output.lambda_role_arn == "arn:aws:iam::123456789012:role/platform/pinpoint-channel" && output.lambda_role_name == null
    error_message = "Role outputs must describe the given role."
  }

  assert {
    condition     = contains([for s in jsondecode(output.lambda_role_policy_json).Statement : s.Sid], "WriteOwnLogGroup")
    error_message = "The policy the role needs is still given as an output."
  }
}
