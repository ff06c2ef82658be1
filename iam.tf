################################################################################
# Execution role: least privilege, one inline policy built with jsonencode
################################################################################

locals {
  secret_kms_key_arns = compact([var.secret_kms_key_arn, local.create_receiver ? var.receiver_secret_kms_key_arn : null])
  secret_services = distinct(compact([
    var.secret_arn != null || local.create_receiver ? "secretsmanager.${local.region}.amazonaws.com" : null,
    var.secret_parameter_arn != null ? "ssm.${local.region}.amazonaws.com" : null,
  ]))

  # Candidate statements, each enabled by the option it serves.
  candidate_statements = {
    Logs = {
      enabled = true
      statement = {
        Sid      = "WriteOwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${local.log_group_arn}:*"]
      }
    }
    Metrics = {
      enabled = var.metrics_mode == "api"
      statement = {
        Sid      = "PutMetricDataInNamespace"
        Effect   = "Allow"
        Action   = ["cloudwatch:PutMetricData"]
        Resource = ["*"]
        Condition = {
          StringEquals = { "cloudwatch:namespace" = var.metrics_namespace }
        }
      }
    }
    Secret = {
      enabled = var.secret_arn != null
      statement = {
        Sid      = "ReadProviderSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [coalesce(var.secret_arn, "-")]
      }
    }
    Parameter = {
      enabled = var.secret_parameter_arn != null
      statement = {
        Sid      = "ReadProviderParameter"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = [coalesce(var.secret_parameter_arn, "-")]
      }
    }
    ReceiverSecret = {
      enabled = local.create_receiver
      statement = {
        Sid      = "ReadReceiverPathSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [try(aws_secretsmanager_secret.receiver[0].arn, "-")]
      }
    }
    Kms = {
      enabled = length(local.secret_kms_key_arns) > 0
      statement = {
        Sid      = "DecryptSecretsViaService"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = local.secret_kms_key_arns
        Condition = {
          StringEquals = { "kms:ViaService" = local.secret_services }
        }
      }
    }
    Idempotency = {
      enabled = local.create_idempotency
      statement = {
        Sid      = "RecordDeliveries"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]
        Resource = [try(aws_dynamodb_table.idempotency[0].arn, "-")]
      }
    }
    IdempotencyKms = {
      enabled = local.create_idempotency && var.idempotency.kms_key_arn != null
      statement = {
        Sid      = "UseIdempotencyTableKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [coalesce(var.idempotency.kms_key_arn, "-")]
        Condition = {
          StringEquals = { "kms:ViaService" = "dynamodb.${local.region}.amazonaws.com" }
        }
      }
    }
    FailureQueue = {
      enabled = local.create_failure_queue
      statement = {
        # SendMessageBatch is authorised by sqs:SendMessage.
        Sid      = "SendFailedDeliveries"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [try(aws_sqs_queue.failures[0].arn, "-")]
      }
    }
    FailureQueueKms = {
      enabled = local.create_failure_queue && var.failure_queue.kms_key_arn != null
      statement = {
        Sid      = "UseFailureQueueKey"
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource = [coalesce(var.failure_queue.kms_key_arn, "-")]
        Condition = {
          StringEquals = { "kms:ViaService" = "sqs.${local.region}.amazonaws.com" }
        }
      }
    }
    XRay = {
      enabled = var.tracing_mode != null
      statement = {
        Sid      = "WriteXRayTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      }
    }
    VpcDescribe = {
      enabled = var.vpc_config != null
      statement = {
        # Of AWSLambdaVPCAccessExecutionRole's actions, the two with no resource-level permission.
        Sid      = "DescribeVpcNetworking"
        Effect   = "Allow"
        Action   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
        Resource = ["*"]
      }
    }
    VpcInterfaces = {
      enabled = var.vpc_config != null
      statement = {
        # The rest, scoped: Lambda's network interfaces in this account and region, created only
        # in the function's subnets and security groups. Those two may belong to another account
        # (a VPC shared through AWS RAM), so their ARNs leave the account open.
        Sid    = "ManageVpcNetworkInterfaces"
        Effect = "Allow"
        Action = [
          "ec2:CreateNetworkInterface",
          "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses",
          "ec2:UnassignPrivateIpAddresses",
        ]
        Resource = concat(
          ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"],
          [for id in try(var.vpc_config.subnet_ids, []) : "arn:${local.partition}:ec2:${local.region}:*:subnet/${id}"],
          [for id in try(var.vpc_config.security_group_ids, []) : "arn:${local.partition}:ec2:${local.region}:*:security-group/${id}"],
        )
      }
    }
  }

  extra_statements = [
    for sid, s in var.policy_statements : merge(
      {
        Sid      = sid
        Effect   = s.effect
        Action   = s.actions
        Resource = s.resources
      },
      length(s.conditions) == 0 ? {} : {
        Condition = {
          for test in distinct([for c in s.conditions : c.test]) : test => {
            for c in s.conditions : c.variable => c.values if c.test == test
          }
        }
      },
    )
  ]

  policy_statements = concat(
    [for k, v in local.candidate_statements : v.statement if v.enabled],
    local.extra_statements,
  )

  policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = local.policy_statements
  })

  assume_role_policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "this" {
  count = local.create_role ? 1 : 0

  name                 = coalesce(var.role_name, local.name)
  path                 = var.role_path
  description          = "Execution role of the ${local.name} Pinpoint custom channel"
  assume_role_policy   = local.assume_role_policy_json
  permissions_boundary = var.role_permissions_boundary

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  count = local.create_role ? 1 : 0

  name   = "custom-channel"
  role   = aws_iam_role.this[0].id
  policy = local.policy_json
}
