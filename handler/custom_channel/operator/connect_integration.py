"""Register the function with an Amazon Connect instance for outbound campaigns' custom
actions: `python -m custom_channel.operator connect-register` / `connect-unregister`.

Neither the hashicorp/aws provider nor CloudFormation has a resource for this integration,
so the module outputs these commands instead of hiding the call in a local-exec. The API
(`connectcampaignsv2` PutConnectInstanceIntegration, integrationConfig.lambda.functionArn)
also adds a statement to the function's resource-based policy, outside Terraform's state;
the module's own `aws_lambda_permission`s, for `connect-campaigns.amazonaws.com` and for
`connect.amazonaws.com` (journeys' custom actions), stay needed where that statement does not
cover the caller (another account's instance; docs/connect.md, "Who invokes the function").
"""

from __future__ import annotations

import re
from typing import Any

# arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
FUNCTION_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:function:[a-zA-Z0-9-_]{1,64}(:[a-zA-Z0-9-_$]+)?"
)
# Connect instance ids are UUIDs (connectcampaignsv2's InstanceId: at most 256 characters).
INSTANCE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class IntegrationError(ValueError):
    """A bad argument, named."""


def check(instance_id: str, function_arn: str) -> None:
    if not INSTANCE_ID.fullmatch(instance_id):
        raise IntegrationError(
            f"--instance-id: not a Connect instance id (a UUID): {instance_id!r}"
        )
    if not FUNCTION_ARN.fullmatch(function_arn):
        raise IntegrationError(f"--function-arn: not a Lambda function ARN: {function_arn!r}")


def register(client: Any, instance_id: str, function_arn: str) -> dict[str, str]:
    check(instance_id, function_arn)
    client.put_connect_instance_integration(
        connectInstanceId=instance_id,
        integrationConfig={"lambda": {"functionArn": function_arn}},
    )
    return {"registered": function_arn, "connect_instance_id": instance_id}


def unregister(client: Any, instance_id: str, function_arn: str) -> dict[str, str]:
    check(instance_id, function_arn)
    client.delete_connect_instance_integration(
        connectInstanceId=instance_id,
        integrationIdentifier={"lambda": {"functionArn": function_arn}},
    )
    return {"unregistered": function_arn, "connect_instance_id": instance_id}
