################################################################################
# Execution role: least privilege, one inline policy built with jsonencode
################################################################################

locals {
  # The Sid of each candidate statement, by key: defined once, also the Sids that
  # policy_statements may not use (IAM rejects a policy with two statements of one Sid).
  statement_sids = {
    Logs              = "WriteOwnLogGroup"
    Metrics           = "PutMetricDataInNamespace"
    Secret            = "ReadProviderSecret"
    Parameter         = "ReadProviderParameter"
    ReceiverSecret    = "ReadReceiverPathSecret"
    SecretKms         = "DecryptProviderSecretViaService"
    ReceiverSecretKms = "DecryptReceiverSecretViaService"
    Idempotency       = "RecordDeliveries"
    IdempotencyKms    = "UseIdempotencyTableKey"
    FailureQueue      = "SendFailedDeliveries"
    FailureQueueKms   = "UseFailureQueueKey"
    XRay              = "WriteXRayTraces"
    VpcDescribe       = "DescribeVpcNetworking"
    VpcInterfaces     = "ManageVpcNetworkInterfaces"
    ConnectTemplates  = "ReadConnectMessageTemplates"
    ReceiptEvents     = "PublishDeliveryReceipts"
    ConsentProfiles   = "WriteBackConsentToProfiles"
    ConsentEndpoints  = "WriteBackConsentToEndpoints"
  }

  # Each key may decrypt only through the service that stores what it protects: the provider
  # secret's key through Secrets Manager or SSM (whichever holds the secret), the receiver's
  # key through Secrets Manager.
  provider_secret_service = local.provider_secret.parameter_arn != null ? "ssm.${local.region}.amazonaws.com" : "secretsmanager.${local.region}.amazonaws.com"

  # Amazon Q in Connect (IAM prefix wisdom) message templates the handler reads, in the
  # function's account and region. Service Authorization Reference (parliament's
  # iam_definition.json): GetMessageTemplate requires the resource types KnowledgeBase*
  # (arn:${Partition}:wisdom:${Region}:${Account}:knowledge-base/${KnowledgeBaseId}) and
  # MessageTemplate* (arn:${Partition}:wisdom:${Region}:${Account}:message-template/${KnowledgeBaseId}/${MessageTemplateId});
  # a template's versions are its ARN with ":<qualifier>".
  connect_template_uuids = sort(distinct([for id in values(local.connect_settings.template_ids) : split(":", id)[0]]))
  connect_template_arns = length(local.connect_settings.template_ids) == 0 || local.connect_settings.knowledge_base_id == null ? [] : concat(
    ["arn:${local.partition}:wisdom:${local.region}:${local.account_id}:knowledge-base/${local.connect_settings.knowledge_base_id}"],
    flatten([
      for uuid in local.connect_template_uuids : [
        "arn:${local.partition}:wisdom:${local.region}:${local.account_id}:message-template/${local.connect_settings.knowledge_base_id}/${uuid}",
        "arn:${local.partition}:wisdom:${local.region}:${local.account_id}:message-template/${local.connect_settings.knowledge_base_id}/${uuid}:*",
      ]
    ]),
  )

  # Candidate statements, each enabled by the option it serves.
  candidate_statements = {
    Logs = {
      enabled = true
      statement = {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${local.log_group_arn}:*"]
      }
    }
    Metrics = {
      enabled = local.metrics.mode == "api"
      statement = {
        Effect   = "Allow"
        Action   = ["cloudwatch:PutMetricData"]
        Resource = ["*"]
        Condition = {
          StringEquals = { "cloudwatch:namespace" = local.metrics_namespace }
        }
      }
    }
    Secret = {
      enabled = local.provider_secret.arn != null
      statement = {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [coalesce(local.provider_secret.arn, "-")]
      }
    }
    Parameter = {
      enabled = local.provider_secret.parameter_arn != null
      statement = {
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = [coalesce(local.provider_secret.parameter_arn, "-")]
      }
    }
    ReceiverSecret = {
      enabled = local.create_receiver
      statement = {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [try(aws_secretsmanager_secret.receiver[0].arn, "-")]
      }
    }
    SecretKms = {
      enabled = local.provider_secret.kms_key_arn != null
      statement = {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [coalesce(local.provider_secret.kms_key_arn, "-")]
        Condition = {
          StringEquals = { "kms:ViaService" = [local.provider_secret_service] }
        }
      }
    }
    ReceiverSecretKms = {
      enabled = local.create_receiver && local.receiver.secret_kms_key_arn != null
      statement = {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [coalesce(local.receiver.secret_kms_key_arn, "-")]
        Condition = {
          StringEquals = { "kms:ViaService" = ["secretsmanager.${local.region}.amazonaws.com"] }
        }
      }
    }
    Idempotency = {
      enabled = local.create_idempotency
      # The ledger claims and settles a batch with TransactWriteItems, which has no IAM action
      # of its own: each Put and Update in it is authorised as dynamodb:PutItem and
      # dynamodb:UpdateItem (Service Authorization Reference, Amazon DynamoDB).
      statement = {
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]
        Resource = [local.idempotency_table_arn]
      }
    }
    IdempotencyKms = {
      enabled = local.create_idempotency && local.idempotency.kms_key_arn != null
      statement = {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [coalesce(local.idempotency.kms_key_arn, "-")]
        Condition = {
          StringEquals = { "kms:ViaService" = "dynamodb.${local.region}.amazonaws.com" }
        }
      }
    }
    FailureQueue = {
      enabled = local.create_failure_queue
      statement = {
        # SendMessageBatch is authorised by sqs:SendMessage.
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [try(aws_sqs_queue.failures[0].arn, "-")]
      }
    }
    FailureQueueKms = {
      enabled = local.create_failure_queue && local.failure_queue_kms_key_arn != null
      statement = {
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource = [coalesce(local.failure_queue_kms_key_arn, "-")]
        Condition = {
          StringEquals = { "kms:ViaService" = "sqs.${local.region}.amazonaws.com" }
        }
      }
    }
    XRay = {
      enabled = var.tracing_mode != null
      statement = {
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      }
    }
    VpcDescribe = {
      enabled = local.vpc_config != null
      statement = {
        # Of AWSLambdaVPCAccessExecutionRole's actions, the two with no resource-level permission.
        Effect   = "Allow"
        Action   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
        Resource = ["*"]
      }
    }
    VpcInterfaces = {
      enabled = local.vpc_config != null
      statement = {
        # The rest, scoped: Lambda's network interfaces in this account and region, created only
        # in the function's subnets and security groups. Those two may belong to another account
        # (a VPC shared through AWS RAM), so their ARNs leave the account open.
        Effect = "Allow"
        Action = [
          "ec2:CreateNetworkInterface",
          "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses",
          "ec2:UnassignPrivateIpAddresses",
        ]
        Resource = concat(
          ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"],
          [for id in try(local.vpc_config.subnet_ids, []) : "arn:${local.partition}:ec2:${local.region}:*:subnet/${id}"],
          [for id in try(local.vpc_config.security_group_ids, []) : "arn:${local.partition}:ec2:${local.region}:*:security-group/${id}"],
        )
      }
    }
    ConnectTemplates = {
      enabled = local.connect && length(local.connect_template_arns) > 0
      statement = {
        Effect   = "Allow"
        Action   = ["wisdom:GetMessageTemplate"]
        Resource = local.connect_template_arns
      }
    }
    # Receipts (receipts.tf). Their records are conditional UpdateItem calls on the delivery
    # ledger, which the Idempotency statement already grants (receipts need the ledger). The
    # actions' resource types are those of the Service Authorization Reference (parliament's
    # iam_definition.json): PutEvents event-bus*, UpdateProfile domains*
    # (arn:${Partition}:profile:${Region}:${Account}:domains/${DomainName}), and UpdateEndpoint
    # endpoint* (arn:${Partition}:mobiletargeting:${Region}:${Account}:apps/${AppId}/endpoints/${EndpointId}).
    ReceiptEvents = {
      enabled = local.create_receipts
      statement = {
        Effect   = "Allow"
        Action   = ["events:PutEvents"]
        Resource = [local.receipts_event_bus_arn]
      }
    }
    ConsentProfiles = {
      enabled = local.receipt_write_back && local.connect
      statement = {
        Effect   = "Allow"
        Action   = ["profile:UpdateProfile"]
        Resource = ["arn:${local.partition}:profile:${local.region}:${local.account_id}:domains/${coalesce(local.receipts.connect_profiles_domain, "-")}"]
      }
    }
    ConsentEndpoints = {
      # The endpoints of the module's application (created, or application.id).
      enabled = local.receipt_write_back && !local.connect
      statement = {
        Effect   = "Allow"
        Action   = ["mobiletargeting:UpdateEndpoint"]
        Resource = ["${local.mobiletargeting_arn}:apps/${coalesce(local.application_id, "-")}/endpoints/*"]
      }
    }
  }

  extra_statements = [
    for sid, s in local.policy_statement_inputs : merge(
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
    [for k, v in local.candidate_statements : merge({ Sid = local.statement_sids[k] }, v.statement) if v.enabled],
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

  lifecycle {
    precondition {
      # IAM API model, roleNameType: at most 64 characters; the role takes the function's name
      # (name_prefix included) unless role_name is set.
      condition     = var.role_name != null || length(local.name) <= local.max_name_length
      error_message = "name must start with a letter, hold only letters, digits, '-' and '_', and be at most ${local.max_name_length} characters long together with name_prefix."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = local.create_role ? 1 : 0

  name   = "custom-channel"
  role   = aws_iam_role.this[0].id
  policy = local.policy_json
}
