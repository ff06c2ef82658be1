"""Upgrading from the previous interface: nothing destroyed, nothing replaced, same function.

The module's variables were renamed to one convention (CHANGELOG, "Unreleased"). This test
applies the version before the renames (PREVIOUS_COMMIT, checked out in a git worktree) to the
local AWS (moto), then the version in this checkout with the same configuration expressed in
the new names (translated by RENAMES, which is the upgrade guide in executable form), and
checks the plan between the two:

* no resource is destroyed, replaced or forgotten (no "delete" or "forget" action);
* each function's logging configuration stays as it was, and every environment variable the
  previous version set (the CHANNEL_* settings the handler reads) keeps its name and value:
  every renamed variable reaches the same setting (only ADDED_ENVIRONMENT may be new; a
  function whose environment the plan cannot show, because the log id key in it is drawn by
  the apply, has its variables compared after the apply);
* the saved plan applies, and the functions in the local AWS still have their environment.

And a user who upgrades without renaming gets Terraform's error naming each old argument.

Three instances cover every renamed variable that the local AWS can deploy: `lambda` (the
HTTP adapter with a provider secret, every handler setting, metrics, idempotency, a failure
queue read by an operator role, alarms, an application, a segment and a paused campaign),
`receiver` (the webhook receiver's settings) and `connect` (the Connect settings, with a role
brought by the user). Not deployed: s3_package (needs an S3 object holding the package),
secret_parameter_arn (conflicts with secret_arn), application_id, segment_id and
permission_campaign_id (they name Pinpoint resources that exist before the module).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hcl2.api import loads as hcl_loads

from emulator.local_aws import LocalAws
from tools.terraform_root import TerraformError
from tools.terraformrc import write_config

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parent.parent

#: The last commit with the interface before the renames: the version users upgrade from.
PREVIOUS_COMMIT = "d1865a95529131201fefe3101d11991962909278"

REGION = "us-east-1"
ACCOUNT = "123456789012"
HTTP_URL = "https://api.example.com/v1/messages"
CONNECT_INSTANCE_ARN = (
    f"arn:aws:connect:{REGION}:210987654321:instance/6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
)

#: Every renamed variable: old name -> its place in the new interface (variable, attribute).
RENAMES: dict[str, tuple[str, ...]] = {
    # The Lambda function: terraform-aws-lambda's names.
    "local_package_path": ("local_existing_package",),
    "s3_package": ("s3_existing_package",),
    "role_arn": ("lambda_role",),
    "extra_environment_variables": ("environment_variables",),
    "log_format": ("logging_log_format",),
    "log_level": ("logging_application_log_level",),
    # Provider credentials.
    "secret_arn": ("provider_secret", "arn"),
    "secret_parameter_arn": ("provider_secret", "parameter_arn"),
    "secret_kms_key_arn": ("provider_secret", "kms_key_arn"),
    "secret_ttl_seconds": ("provider_secret", "ttl_seconds"),
    # Handler settings join `delivery`.
    "skip_opted_out": ("delivery", "skip_opted_out"),
    "skip_inactive": ("delivery", "skip_inactive"),
    "max_workers": ("delivery", "max_workers"),
    "max_attempts": ("delivery", "max_attempts"),
    "rate_limit_per_second": ("delivery", "rate_limit_per_second"),
    "failure_policy": ("delivery", "failure_policy"),
    "deadline_seconds": ("delivery", "deadline_seconds"),
    "safety_margin_ms": ("delivery", "safety_margin_ms"),
    # Metrics.
    "metrics_mode": ("metrics", "mode"),
    "metrics_namespace": ("metrics", "namespace"),
    # Amazon Connect.
    "connect_instance_arn": ("connect", "instance_arn"),
    "message_template": ("connect", "message_template"),
    "message_templates": ("connect", "message_templates"),
    "connect_profiles": ("connect", "profiles"),
    # Pinpoint application, segment, campaign and invoke permission.
    "create_application": ("application", "create"),
    "application_id": ("application", "id"),
    "application_name": ("application", "name"),
    "segment_id": ("segment", "id"),
    "create_campaign": ("campaign", "create"),
    "campaign_stack_name": ("campaign", "stack_name"),
    "permission_scope": ("pinpoint_permission", "scope"),
    "permission_campaign_id": ("pinpoint_permission", "campaign_id"),
    # The webhook receiver.
    "receiver_throttling": ("receiver", "throttling"),
    "receiver_access_logs": ("receiver", "access_logs"),
    "receiver_secret_recovery_window_in_days": ("receiver", "secret_recovery_window_in_days"),
    "receiver_secret_kms_key_arn": ("receiver", "secret_kms_key_arn"),
    # The failure queue.
    "failure_queue_operator_role_arns": ("failure_queue", "operator_role_arns"),
}

#: Actions that lose a resource: destroyed, replaced (delete plus create) or dropped from state.
LOSING_ACTIONS = {"delete", "forget"}

#: Function environment variables this version adds to the previous one's (each kept one
#: must keep its name and value): the deployment's name, for the per-deployment metrics, and
#: the key of the endpoint id hashes in the logs.
ADDED_ENVIRONMENT = {"CHANNEL_NAME", "CHANNEL_LOG_ID_KEY", "CHANNEL_JOURNEY_REENTRY_SECONDS"}
#: How the plan shows a function's environment while the log id key is still to be drawn.
DRAWN_AT_APPLY = [{"variables": True}]

#: Terraform's argument checks take a few seconds; an apply against moto about a minute.
TERRAFORM_TIMEOUT = 900


def previous_config(package: Path) -> dict[str, dict[str, Any]]:
    """The module calls in the previous interface's names. Every value differs from its
    default, so a renamed variable that did not arrive changes the plan."""
    return {
        "lambda": {
            "name": "up-lambda",
            "local_package_path": str(package),
            "log_level": "DEBUG",
            "log_format": "Text",
            "extra_environment_variables": {"UPGRADE_MARKER": "kept"},
            "cloudwatch_logs_retention_in_days": 14,
            "reserved_concurrent_executions": 3,
            "secret_arn": "${aws_secretsmanager_secret.provider.arn}",
            "secret_kms_key_arn": "${aws_kms_key.channel.arn}",
            "secret_ttl_seconds": 120,
            "delivery": {
                "adapter": "http",
                "http": {"url": HTTP_URL, "headers": {"X-Client": "pinpoint"}},
            },
            "skip_opted_out": False,
            "skip_inactive": False,
            "max_workers": 20,
            "max_attempts": 4,
            "rate_limit_per_second": 5,
            "failure_policy": "retry",
            "deadline_seconds": 12,
            "safety_margin_ms": 500,
            "metrics_mode": "emf",
            "metrics_namespace": "UpgradeTest/Channel",
            "idempotency": {"enabled": True, "lease_seconds": 90},
            "failure_queue": {"enabled": True, "message_retention_seconds": 345600},
            "failure_queue_operator_role_arns": ["${aws_iam_role.operator.arn}"],
            "alarms": {"enabled": True, "sns_topic_arns": ["${aws_sns_topic.alerts.arn}"]},
            "create_application": True,
            "application_name": "up-lambda-app",
            "segment": {"name": "up-lambda-audience", "channel_types": ["CUSTOM"]},
            "create_campaign": True,
            "campaign_stack_name": "up-lambda-stack",
            "campaign": {"name": "upgrade", "data": '{"text": "Hello"}', "is_paused": True},
            "permission_scope": "application",
        },
        "receiver": {
            "name": "up-receiver",
            "channel_mode": "receiver",
            "local_package_path": str(package),
            "idempotency": {"enabled": False},
            "receiver_throttling": {"rate_limit": 10, "burst_limit": 5},
            "receiver_access_logs": False,
            "receiver_secret_recovery_window_in_days": 0,
            "receiver_secret_kms_key_arn": "${aws_kms_key.channel.arn}",
            "campaign": {"name": "codes", "data": "Your code is {{Attributes.Code}}"},
        },
        "connect": {
            "name": "up-connect",
            "event_source": "connect",
            "local_package_path": str(package),
            "create_role": False,
            "role_arn": "${aws_iam_role.connect_function.arn}",
            "connect_instance_arn": CONNECT_INSTANCE_ARN,
            "message_template": "Hi {{FirstName | there}}, your order has shipped.",
            "message_templates": {"action-code": "Your code is {{Attributes.Code}}"},
            "connect_profiles": {"address_fields": ["PhoneNumber"], "result_field": True},
        },
    }


def translate(old: dict[str, Any]) -> dict[str, Any]:
    """One module call's arguments in the new names (RENAMES); the others as they are."""
    new: dict[str, Any] = {k: copy.deepcopy(v) for k, v in old.items() if k not in RENAMES}
    for name, value in old.items():
        if name not in RENAMES:
            continue
        *parents, leaf = RENAMES[name]
        target = new
        for parent in parents:
            target = target.setdefault(parent, {})
        assert leaf not in target, f"{name}: {'.'.join(RENAMES[name])} is set twice"
        target[leaf] = copy.deepcopy(value)
    # The adapter is no longer defaulted (CHANGELOG, "Unreleased"): a configuration that relied
    # on the old default names it.
    if new.get("channel_mode") != "webhook":
        new.setdefault("delivery", {}).setdefault("adapter", "none")
    # Nor is the event source (CHANGELOG, "Unreleased"): 0.2.0's default was Pinpoint.
    new.setdefault("event_source", "pinpoint")
    return new


def root_resources() -> dict[str, Any]:
    """What the user brings, in the root module: a key, the provider's secret, the operator
    role that reads the failure queue, the Connect function's role and the alarms' topic."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    operator_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return {
        "aws_kms_key": {"channel": {"description": "up", "deletion_window_in_days": 7}},
        "aws_secretsmanager_secret": {
            "provider": {
                "name": "up-provider-token",
                "kms_key_id": "${aws_kms_key.channel.arn}",
                "recovery_window_in_days": 0,
            }
        },
        "aws_secretsmanager_secret_version": {
            "provider": {
                "secret_id": "${aws_secretsmanager_secret.provider.id}",
                "secret_string": json.dumps({"token": "x"}),
            }
        },
        "aws_iam_role": {
            "operator": {
                "name": "up-failure-reader",
                "path": "/ops/",
                "assume_role_policy": json.dumps(operator_trust),
            },
            "connect_function": {
                "name": "up-connect-function",
                "assume_role_policy": json.dumps(trust),
            },
        },
        "aws_sns_topic": {"alerts": {"name": "up-alerts"}},
    }


def module_calls(source: Path, calls: dict[str, dict[str, Any]]) -> str:
    """The module blocks in HCL, as users write them (Terraform's error for an unknown
    argument differs in JSON syntax). A JSON value is an HCL expression; its "${...}"
    strings are references."""
    blocks = []
    for name, args in calls.items():
        lines = [f'module "{name}" {{', f"  source = {json.dumps(str(source))}"]
        lines += [f"  {key} = {json.dumps(value)}" for key, value in args.items()]
        blocks.append("\n".join([*lines, "}"]))
    return "\n\n".join(blocks) + "\n"


################################################################################
# The module's variables, read from its source
################################################################################


def module_variables(variables_tf: str, main_tf: str | None = None) -> dict[str, str]:
    """Variable name -> its type expression, from a variables.tf text. A variable typed `any`
    (its keys checked by its validations) gets the keys of its `<name>_defaults` local in
    main_tf instead, written as an object type's attributes are."""
    blocks = hcl_loads(variables_tf)["variable"]
    types = {name: str(body.get("type", "")) for block in blocks for name, body in block.items()}
    if main_tf is not None:
        locals_ = {k: v for block in hcl_loads(main_tf).get("locals", []) for k, v in block.items()}
        for name, type_ in types.items():
            defaults = locals_.get(f"{name}_defaults")
            if "any" in type_ and isinstance(defaults, dict):
                types[name] = " ".join(f'"{key}":' for key in defaults)
    return types


def test_rename_table_matches_both_interfaces() -> None:
    """Every old name is a variable of the previous version and none of this one; every new
    place exists in this one; and each variable the previous version had is either kept or in
    RENAMES (no variable is dropped without a word in the table)."""
    previous_text = git("show", f"{PREVIOUS_COMMIT}:variables.tf", check=False)
    if previous_text is None:
        pytest.skip(f"this clone lacks commit {PREVIOUS_COMMIT} (shallow?): fetch its history")
    previous = module_variables(previous_text)
    # The module's inputs are in variables.tf and in the files of their concerns (pinpoint.tf,
    # failures.tf, ...): every root .tf file.
    current = module_variables(
        "\n".join(
            path.read_text(encoding="utf-8")
            for path in sorted(ROOT.glob("*.tf"))
            if '\nvariable "' in "\n" + path.read_text(encoding="utf-8")
        ),
        (ROOT / "main.tf").read_text(encoding="utf-8"),
    )

    assert sorted(set(RENAMES) - set(previous)) == [], "not variables of the previous version"
    assert sorted(set(RENAMES) & set(current)) == [], "old names still variables now"
    assert sorted(set(previous) - set(current) - set(RENAMES)) == [], "dropped, not renamed"
    missing = []
    for old, (head, *attributes) in RENAMES.items():
        if head not in current:
            missing.append(f"{old} -> {head}: no such variable")
        elif attributes and f'"{attributes[0]}":' not in current[head]:
            missing.append(f"{old} -> {head}.{attributes[0]}: no such attribute")
    assert missing == []


def test_translation_places_every_old_name() -> None:
    old = previous_config(Path("/p.zip"))["lambda"]
    new = translate(old)
    assert set(new) & {k for k in old if k in RENAMES} == set()
    assert new["provider_secret"] == {
        "arn": old["secret_arn"],
        "kms_key_arn": old["secret_kms_key_arn"],
        "ttl_seconds": 120,
    }
    assert new["delivery"]["adapter"] == "http"  # merged into the existing object
    assert new["delivery"]["max_workers"] == 20
    assert new["campaign"]["stack_name"] == "up-lambda-stack"
    assert new["campaign"]["name"] == "upgrade"
    assert new["failure_queue"] == {
        "enabled": True,
        "message_retention_seconds": 345600,
        "operator_role_arns": ["${aws_iam_role.operator.arn}"],
    }
    with pytest.raises(AssertionError, match=r"provider_secret\.arn is set twice"):
        translate({"secret_arn": "a", "provider_secret": {"arn": "b"}})


################################################################################
# The upgrade, applied
################################################################################


def git(*args: str, check: bool = True) -> str | None:
    result = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        if check:
            raise AssertionError(f"git {' '.join(args)} failed:\n{result.stderr}")
        return None
    return result.stdout


def terraform(directory: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run terraform in `directory`; with ok=True a failure raises with Terraform's error."""
    started = time.monotonic()
    result = subprocess.run(
        ["terraform", f"-chdir={directory}", *args, "-no-color"],
        capture_output=True,
        text=True,
        check=False,
        timeout=TERRAFORM_TIMEOUT,
    )
    print(f"terraform {args[0]}: {time.monotonic() - started:.1f} s")
    if ok and result.returncode != 0:
        raise TerraformError(
            f"terraform {args[0]} failed (rc {result.returncode}):\n{result.stderr}\n"
            f"{result.stdout[-4000:]}"
        )
    return result


@dataclass
class Upgrade:
    """The previous version applied to the local AWS, and what the next steps read."""

    aws: LocalAws
    workdir: Path
    old_calls: dict[str, dict[str, Any]]
    environments: dict[str, dict[str, str]]

    def write(self, source: Path, calls: dict[str, dict[str, Any]]) -> None:
        (self.workdir / "main.tf").write_text(module_calls(source, calls), encoding="utf-8")


def function_names(calls: dict[str, dict[str, Any]]) -> list[str]:
    return [args["name"] for args in calls.values()]


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upgrade]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: the upgrade test applies the module with Terraform")
    if git("cat-file", "-e", f"{PREVIOUS_COMMIT}^{{commit}}", check=False) is None:
        pytest.skip(
            f"this clone lacks commit {PREVIOUS_COMMIT}, the version before the renames "
            "(a shallow clone?): fetch the full history to run the upgrade test"
        )
    base = tmp_path_factory.mktemp("upgrade")
    worktree = base / "previous"
    workdir = base / "root"
    workdir.mkdir()
    git("worktree", "add", "--detach", str(worktree), PREVIOUS_COMMIT)
    started = time.monotonic()
    try:
        # Both versions deploy the same package, so the plan shows what the interface changes.
        package = shutil.copy(worktree / "handler/dist/custom-channel.zip", base / "package.zip")
        with pytest.MonkeyPatch.context() as env, LocalAws(region=REGION) as aws:
            for name, value in aws.env.items():
                env.setenv(name, value)
            env.delenv("AWS_PROFILE", raising=False)
            env.setenv("TF_CLI_CONFIG_FILE", str(write_config(destination=base / "terraformrc")))
            env.setenv("TF_IN_AUTOMATION", "1")
            env.setenv("CHECKPOINT_DISABLE", "1")
            try:
                (workdir / "provider.tf").write_text(aws.provider_block(), encoding="utf-8")
                resources = json.dumps({"resource": root_resources()}, indent=2)
                (workdir / "resources.tf.json").write_text(resources, encoding="utf-8")
                old_calls = previous_config(Path(package))
                upgrade = Upgrade(aws, workdir, old_calls, {})
                upgrade.write(worktree, old_calls)
                terraform(workdir, "init", "-input=false")
                terraform(workdir, "apply", "-auto-approve", "-input=false")
                lambda_client = aws.client("lambda")
                upgrade.environments = {
                    name: lambda_client.get_function_configuration(FunctionName=name)[
                        "Environment"
                    ]["Variables"]
                    for name in function_names(old_calls)
                }
                yield upgrade
            finally:
                aws.reset()  # moto's state is per process: the next test module starts empty
    finally:
        git("worktree", "remove", "--force", str(worktree), check=False)
        print(f"\nupgrade test: {time.monotonic() - started:.1f} s")


def test_previous_version_deployed_every_renamed_setting(previous: Upgrade) -> None:
    """The starting point holds what the renamed variables set (so the comparison after the
    upgrade is about something)."""
    env = previous.environments["up-lambda"]
    assert env["CHANNEL_MAX_WORKERS"] == "20"
    assert env["CHANNEL_METRICS_MODE"] == "emf"
    assert env["CHANNEL_SECRET_TTL_SECONDS"] == "120"
    assert env["CHANNEL_LOG_LEVEL"] == "DEBUG"
    assert env["UPGRADE_MARKER"] == "kept"
    assert previous.environments["up-connect"]["CHANNEL_EVENT_SOURCE"] == "connect"
    used = {name for args in previous.old_calls.values() for name in args if name in RENAMES}
    not_deployed = {
        "s3_package",
        "secret_parameter_arn",
        "application_id",
        "segment_id",
        "permission_campaign_id",
    }
    assert used == set(RENAMES) - not_deployed


def test_old_names_fail_with_an_error_naming_each(previous: Upgrade) -> None:
    """The previous configuration, unchanged, against this version: Terraform names every
    old argument (`terraform validate`; nothing reaches the local AWS). Terraform stops at the
    first module call with errors, so each call is validated alone."""
    previous.write(ROOT, previous.old_calls)
    terraform(previous.workdir, "init", "-input=false")  # the module's source changed
    for name, args in previous.old_calls.items():
        previous.write(ROOT, {name: args})
        result = terraform(previous.workdir, "validate", "-json", ok=False)
        assert result.returncode != 0, name
        flagged, missing = set(), set()
        for diagnostic in json.loads(result.stdout)["diagnostics"]:
            argument = diagnostic["detail"].split('"')[1]
            if diagnostic["summary"] == "Missing required argument":
                # event_source has no default any more (CHANGELOG, "Unreleased").
                assert diagnostic["detail"].startswith(f'The argument "{argument}" is required')
                missing.add(argument)
                continue
            assert diagnostic["summary"] == "Unsupported argument", diagnostic
            assert diagnostic["detail"] == f'An argument named "{argument}" is not expected here.'
            flagged.add(argument)
        assert flagged == {old for old in args if old in RENAMES}, name
        assert missing == ({"event_source"} - set(args)), name


def planned_updates(change: dict[str, Any]) -> list[str]:
    """The top-level attributes an update changes (or learns only after apply)."""
    before, after = change["before"] or {}, change["after"] or {}
    unknown = change.get("after_unknown") or {}
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k) or unknown.get(k))


def environment(function: dict[str, Any]) -> dict[str, str]:
    """aws_lambda_function's `environment` block (a list of one) as a dict."""
    blocks = function.get("environment") or [{}]
    return dict(blocks[0].get("variables") or {})


def any_unknown(marks: Any) -> bool:
    """Whether a plan's `after_unknown` marks hold a value known only after apply (`true`
    anywhere; blocks with nothing unknown show as `[{}]`)."""
    if isinstance(marks, dict):
        return any(any_unknown(value) for value in marks.values())
    if isinstance(marks, list):
        return any(any_unknown(value) for value in marks)
    return marks is True


def test_upgrade_destroys_and_replaces_nothing(previous: Upgrade) -> None:
    new_calls = {name: translate(args) for name, args in previous.old_calls.items()}
    previous.write(ROOT, new_calls)
    terraform(previous.workdir, "init", "-input=false")
    terraform(previous.workdir, "plan", "-out=upgrade.tfplan", "-input=false")
    shown = terraform(previous.workdir, "show", "-json", "upgrade.tfplan")
    plan = json.loads(shown.stdout)

    losses, updates, creates = [], [], []
    functions = {}
    for rc in plan.get("resource_changes", []):
        actions = rc["change"]["actions"]
        moved = f" (moved from {rc['previous_address']})" if rc.get("previous_address") else ""
        if LOSING_ACTIONS & set(actions):
            losses.append(f"{rc['address']}: {actions}{moved} {rc.get('action_reason', '')}")
        elif "update" in actions:
            updates.append(f"{rc['address']}{moved}: {', '.join(planned_updates(rc['change']))}")
        elif "create" in actions:
            creates.append(rc["address"])
        if rc["type"] == "aws_lambda_function" and rc["mode"] == "managed":
            functions[rc["module_address"]] = rc["change"]
    print("\nupdated in place:\n  " + "\n  ".join(updates or ["nothing"]))
    print("created:\n  " + "\n  ".join(creates or ["nothing"]))
    assert losses == [], "the upgrade loses resources:\n" + "\n".join(losses)

    assert sorted(functions) == sorted(f"module.{name}" for name in new_calls)
    for address, change in functions.items():
        unknown = change.get("after_unknown") or {}
        assert not any_unknown(unknown.get("logging_config")), f"{address}: logging_config unknown"
        assert change["after"]["logging_config"] == change["before"]["logging_config"], address
        before = environment(change["before"])
        if unknown.get("environment") == DRAWN_AT_APPLY:
            # The log id key is drawn by this apply (uuid()), and the AWS provider plans a map
            # with one unknown value as wholly unknown: the variables are compared after the
            # apply below, value by value.
            continue
        assert not any_unknown(unknown.get("environment")), f"{address}: environment unknown"
        after = environment(change["after"])
        changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
        assert changed == {}, f"{address}: the upgrade changes the environment: {changed}"
        assert set(after) - set(before) <= set(ADDED_ENVIRONMENT), address

    terraform(previous.workdir, "apply", "-input=false", "upgrade.tfplan")
    lambda_client = previous.aws.client("lambda")
    for name, before in previous.environments.items():
        deployed = lambda_client.get_function_configuration(FunctionName=name)
        variables = dict(deployed["Environment"]["Variables"])
        # The new settings: the deployment's name, the Channel dimension of its metrics, the
        # log id key (two UUIDs and a dash) and the journey re-entry window.
        assert variables.pop("CHANNEL_NAME", name) == name, name
        assert len(variables.pop("CHANNEL_LOG_ID_KEY", "")) == 73, name
        # A Pinpoint journey's re-entry window, set with the idempotency table (its default).
        connect = variables.get("CHANNEL_EVENT_SOURCE") == "connect"
        if "CHANNEL_IDEMPOTENCY_TABLE" in variables and not connect:
            assert variables.pop("CHANNEL_JOURNEY_REENTRY_SECONDS") == "3600", name
        if connect and before.get("CHANNEL_METRICS_NAMESPACE") == "PinpointCustomChannelExecution":
            # By design (CHANGELOG, Unreleased: a Connect deployment's metrics namespace): a Connect
            # deployment's default namespace is no longer the Pinpoint guide's.
            assert variables["CHANNEL_METRICS_NAMESPACE"] == "ConnectCustomAction", name
            variables["CHANNEL_METRICS_NAMESPACE"] = before["CHANNEL_METRICS_NAMESPACE"]
        assert variables == before, name
    # Converged: the configuration matches the state it left (no refresh: moto's answers were
    # read by the apply just now).
    again = terraform(
        previous.workdir, "plan", "-refresh=false", "-detailed-exitcode", "-input=false", ok=False
    )
    assert again.returncode == 0, f"a second plan wants changes:\n{again.stdout[-4000:]}"
