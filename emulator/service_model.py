"""botocore's service models, as the local AWS's own services answer by them.

One place for what every emulated service needs: an operation's input or output shape
(`shape`), and what is wrong with a request or an answer for that shape (`validation_errors`:
botocore's ParamValidator, then the model's `pattern`, `enum` and `max` of every string and
the `max` of every number and list, which ParamValidator leaves out). local_qconnect,
local_pinpoint, local_connectcampaigns and local_customerprofiles use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

import botocore.session
from botocore.model import ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator


@cache
def service_model(service: str) -> ServiceModel:
    """Loaded once per service, on first use."""
    return botocore.session.get_session().get_service_model(service)


def shape(service: str, operation: str, direction: Literal["input", "output"]) -> Shape:
    model = service_model(service).operation_model(operation)
    found = model.input_shape if direction == "input" else model.output_shape
    assert found is not None, f"{service} {operation} has no {direction}"
    return found


def validation_errors(params: Mapping[str, Any], shape: Shape) -> list[str]:
    """What is wrong with `params` for `shape`: botocore's ParamValidator (required members,
    types, unions, minimum lengths) and then what it leaves out: of every string, the model's
    `pattern` (anchored at both ends by AWS: it must match in full), `enum` and `max`; of
    every number and list, its `max`."""
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        return [line.strip() for line in report.generate_report().splitlines() if line.strip()]
    errors: list[str] = []
    _check_constraints(params, shape, "", errors)
    return errors


def _check_constraints(value: Any, shape: Shape, path: str, errors: list[str]) -> None:
    if shape.type_name == "structure" and isinstance(value, Mapping):
        assert isinstance(shape, StructureShape)
        for name, member in shape.members.items():
            if name in value:
                _check_constraints(value[name], member, f"{path}/{name}", errors)
    elif shape.type_name in ("integer", "long") and isinstance(value, int):
        maximum = shape.metadata.get("max")
        if maximum is not None and value > maximum:
            errors.append(
                f"Value {value!r} at {path.lstrip('/') or 'value'!r} failed to satisfy "
                f"constraint: Member must have value less than or equal to {maximum}"
            )
    elif shape.type_name == "list" and isinstance(value, list):
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            errors.append(
                f"Value at {path.lstrip('/') or 'value'!r} failed to satisfy constraint: "
                f"Member must have length less than or equal to {maximum}"
            )
        for index, item in enumerate(value):
            _check_constraints(item, shape.member, f"{path}[{index}]", errors)  # type: ignore[attr-defined]
    elif shape.type_name == "map" and isinstance(value, Mapping):
        for key, item in value.items():
            _check_constraints(key, shape.key, f"{path}/{key}", errors)  # type: ignore[attr-defined]
            _check_constraints(item, shape.value, f"{path}/{key}", errors)  # type: ignore[attr-defined]
    elif shape.type_name == "string" and isinstance(value, str):
        where = path.lstrip("/") or "value"
        pattern = shape.metadata.get("pattern")
        if pattern and re.fullmatch(pattern, value) is None:
            errors.append(
                f"Value {value!r} at {where!r} failed to satisfy constraint: Member must "
                f"satisfy regular expression pattern: {pattern}"
            )
        allowed = shape.metadata.get("enum")
        if allowed and value not in allowed:
            errors.append(
                f"Value {value!r} at {where!r} failed to satisfy constraint: Member must "
                f"satisfy enum value set: [{', '.join(allowed)}]"
            )
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            errors.append(
                f"Value at {where!r} failed to satisfy constraint: Member must have length "
                f"less than or equal to {maximum}"
            )
