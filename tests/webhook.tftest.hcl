# Webhook modes: an external https URL (no Lambda), and the module's receiver behind an
# API Gateway HTTP API with a path secret.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The module has no default name; the mock ARNs use this one.
variables {
  event_source = "pinpoint"
  delivery     = { adapter = "none" }
  name         = "pinpoint-custom-channel"
}

run "external_webhook" {
  command = apply

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com/pinpoint/Zx9_k-1.a~b"
    campaign = {
      name           = "via-webhook"
      data           = "{\"text\":\"hello\"}"
      endpoint_types = ["EMAIL", "SMS"]
    }
  }

  assert {
    condition     = length(aws_lambda_function.this) == 0 && length(aws_iam_role.this) == 0 && length(aws_cloudwatch_log_group.this) == 0
    error_message = "An external webhook needs no Lambda function, role or log group."
  }

  assert {
    condition     = length(aws_lambda_permission.this) == 0 && length(aws_apigatewayv2_api.receiver) == 0
    error_message = "No permission and no receiver for an external webhook."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.CustomDeliveryConfiguration == { DeliveryUri = "https://hooks.example.com/pinpoint/Zx9_k-1.a~b", EndpointTypes = ["EMAIL", "SMS"] }
    error_message = "The webhook URL must be the campaign's DeliveryUri."
  }

  assert {
    condition     = nonsensitive(output.pinpoint_delivery_uri) == "https://hooks.example.com/pinpoint/Zx9_k-1.a~b"
    error_message = "pinpoint_delivery_uri must be the webhook URL."
  }

  assert {
    condition     = output.lambda_function_arn == null && output.lambda_role_arn == null && output.lambda_function_environment == null && output.lambda_permission_statement_ids == {}
    error_message = "Function outputs must be null in webhook mode."
  }
}

run "external_webhook_with_port_query_fragment" {
  command = plan

  variables {
    channel_mode = "webhook"
    delivery     = null
    webhook_url  = "https://hooks.example.com:8443/a/b:c?x#frag"
  }

  assert {
    condition     = nonsensitive(local.delivery_uri) == "https://hooks.example.com:8443/a/b:c?x#frag"
    error_message = "Port, ':' in the path, a query without '=' and a fragment are allowed."
  }
}

run "receiver" {
  command = apply

  variables {
    channel_mode = "receiver"
    receiver = {
      throttling = {
        rate_limit  = 10
        burst_limit = 20
      }
    }
    campaign = {
      name = "via-receiver"
      data = "hi"
    }
  }

  assert {
    condition     = aws_lambda_function.this[0].handler == "custom_channel.receiver.lambda_handler"
    error_message = "Receiver mode must use the receiver entry point."
  }

  assert {
    condition     = aws_apigatewayv2_api.receiver[0].protocol_type == "HTTP"
    error_message = "The receiver is an HTTP API."
  }

  assert {
    condition     = nonsensitive(aws_apigatewayv2_route.receiver[0].route_key) == "ANY /${nonsensitive(aws_secretsmanager_secret_version.receiver[0].secret_string)}"
    error_message = "One route, on the literal secret path (every method, HEAD included): any other path is API Gateway's 404, never an invocation."
  }

  assert {
    condition     = issensitive(aws_apigatewayv2_route.receiver[0].route_key)
    error_message = "The route key holds the secret: plans must show it as sensitive."
  }

  assert {
    condition     = aws_apigatewayv2_integration.receiver[0].integration_type == "AWS_PROXY" && aws_apigatewayv2_integration.receiver[0].payload_format_version == "2.0"
    error_message = "Lambda proxy integration, payload 2.0."
  }

  assert {
    condition     = aws_apigatewayv2_integration.receiver[0].integration_uri == aws_lambda_function.this[0].invoke_arn
    error_message = "The integration must invoke the function."
  }

  assert {
    condition     = aws_apigatewayv2_stage.receiver[0].name == "$default" && aws_apigatewayv2_stage.receiver[0].auto_deploy
    error_message = "The $default stage must deploy the route."
  }

  assert {
    condition     = aws_apigatewayv2_stage.receiver[0].default_route_settings[0].throttling_rate_limit == 10 && aws_apigatewayv2_stage.receiver[0].default_route_settings[0].throttling_burst_limit == 20
    error_message = "The stage must be throttled."
  }

  assert {
    condition     = !strcontains(aws_apigatewayv2_stage.receiver[0].access_log_settings[0].format, "$context.path") && !strcontains(aws_apigatewayv2_stage.receiver[0].access_log_settings[0].format, "$context.routeKey")
    error_message = "Access logs must record neither the path nor the route key, which carry the secret."
  }

  assert {
    condition     = aws_cloudwatch_log_group.receiver_access[0].retention_in_days == 30
    error_message = "The access log group is created with the retention."
  }

  # Nobody but this API may invoke the function.
  assert {
    condition     = keys(aws_lambda_permission.this) == ["apigateway"]
    error_message = "Receiver mode needs only the API Gateway permission (Pinpoint calls the URL, not the function)."
  }

  assert {
    condition     = aws_lambda_permission.this["apigateway"].principal == "apigateway.amazonaws.com" && aws_lambda_permission.this["apigateway"].source_account == "123456789012"
    error_message = "The permission must be for API Gateway in this account."
  }

  assert {
    condition     = aws_lambda_permission.this["apigateway"].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*"
    error_message = "The permission must be limited to this HTTP API."
  }

  # The path secret.
  assert {
    condition     = aws_secretsmanager_secret_version.receiver[0].secret_string == data.aws_secretsmanager_random_password.receiver[0].random_password
    error_message = "The path secret is generated by Secrets Manager."
  }

  assert {
    condition     = data.aws_secretsmanager_random_password.receiver[0].exclude_punctuation && !data.aws_secretsmanager_random_password.receiver[0].include_space && data.aws_secretsmanager_random_password.receiver[0].password_length >= 32
    error_message = "The secret must be long and URL-safe (letters and digits)."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables["CHANNEL_RECEIVER_SECRET_ID"] == aws_secretsmanager_secret.receiver[0].arn
    error_message = "The receiver reads its secret from CHANNEL_RECEIVER_SECRET_ID."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "ReadReceiverPathSecret"
    ]).Resource == [aws_secretsmanager_secret.receiver[0].arn]
    error_message = "The role may read the receiver secret, and only it."
  }

  assert {
    condition     = nonsensitive(output.webhook_receiver_url) == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/Qm7vX2kLp9RtZ4wNc8HsJ3yBf6GdT1aE5uVnK0oPiYxMbW2r"
    error_message = "The receiver URL is the API endpoint plus the secret as path."
  }

  assert {
    condition     = can(regex("^https://[A-Za-z0-9._~:/?#-]+$", nonsensitive(output.webhook_receiver_url)))
    error_message = "The receiver URL must satisfy Pinpoint's webhook character rules."
  }

  # The template holds a dynamic reference to the secret version, never the secret itself
  # (cloudformation:GetTemplate returns the template); CloudFormation resolves it.
  assert {
    condition     = jsondecode(aws_cloudformation_stack.campaign[0].template_body).Resources.Campaign.Properties.CustomDeliveryConfiguration.DeliveryUri == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:pinpoint-custom-channel-webhook-path-AbCdEf:SecretString:::3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d}}"
    error_message = "The campaign's DeliveryUri is the API endpoint plus a dynamic reference to the path secret's version."
  }

  assert {
    condition     = !strcontains(aws_cloudformation_stack.campaign[0].template_body, "Qm7vX2kLp9RtZ4wNc8HsJ3yBf6GdT1aE5uVnK0oPiYxMbW2r")
    error_message = "The CloudFormation template must not hold the path secret."
  }

  assert {
    condition     = issensitive(output.webhook_receiver_url) && issensitive(output.pinpoint_delivery_uri) && issensitive(output.pinpoint_campaign_definition_json)
    error_message = "Every output holding the secret must be sensitive."
  }

  assert {
    condition     = output.webhook_receiver_api_endpoint == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com" && output.webhook_receiver_secret_arn == aws_secretsmanager_secret.receiver[0].arn
    error_message = "Non-secret receiver outputs."
  }
}

# A second plan sees a new random password from the data source; the stored secret (and so
# the URL and the campaign) must not change.
run "receiver_secret_is_stable" {
  command = apply

  override_data {
    target = data.aws_secretsmanager_random_password.receiver[0]
    values = {
      random_password = "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
    }
  }

  variables {
    channel_mode = "receiver"
    receiver = {
      throttling = {
        rate_limit  = 10
        burst_limit = 20
      }
    }
    campaign = {
      name = "via-receiver"
      data = "hi"
    }
  }

  assert {
    condition     = nonsensitive(aws_secretsmanager_secret_version.receiver[0].secret_string) == "Qm7vX2kLp9RtZ4wNc8HsJ3yBf6GdT1aE5uVnK0oPiYxMbW2r"
    error_message = "The secret is written once and kept."
  }

  assert {
    condition     = nonsensitive(output.webhook_receiver_url) == nonsensitive(run.receiver.webhook_receiver_url)
    error_message = "The receiver URL must be stable across plans."
  }
}

run "receiver_published_alias_no_access_logs" {
  command = apply

  variables {
    channel_mode = "receiver"
    publish      = true
    receiver = {
      access_logs = false
    }
  }

  assert {
    condition     = aws_apigatewayv2_integration.receiver[0].integration_uri == aws_lambda_alias.this[0].invoke_arn
    error_message = "With publish the API invokes the alias."
  }

  assert {
    condition     = aws_lambda_permission.this["apigateway"].qualifier == "live"
    error_message = "With publish the permission targets the alias."
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.receiver_access) == 0 && length(aws_apigatewayv2_stage.receiver[0].access_log_settings) == 0
    error_message = "Access logs can be turned off."
  }
}
