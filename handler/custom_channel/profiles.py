"""A Connect customer profile's fields, and the one rule that finds a field by its name.

Connect sends a profile (CustomerData) in camelCase (`firstName`, `emailAddress`,
`address.city`, custom attributes under a lower-case `attributes`: a live journey capture),
Customer Profiles' API and console name the same fields in PascalCase (`FirstName`,
`EmailAddress`, `Address.City`, `Attributes`), and the Administrator Guide's example uses
`firstName`/`email`. Every name that reads a profile (the address fields, every placeholder at
every depth, the opt-out field) goes through this rule, documented in docs/connect.md:

1. A name is a dotted path: `FirstName`, `Address.City`, `Attributes.OptOut`.
2. A path that exists as written wins (`FirstName` when the profile has `FirstName`).
3. Otherwise the path is compared without regard to case (str.casefold), so `FirstName`,
   `firstName` and `firstname` name the same field; when several spellings exist and none
   matches exactly, the first in the profile's own order is used.
4. Connect's message templates name profile fields as `Attributes.Customer.<Field>`
   (Administrator Guide, "Add personalized content to message templates":
   `{{Attributes.Customer.FirstName}}`): such a name is read as `<Field>`, and Connect's
   flattened address attributes (`City`, `PostalCode`, `Address1`, `ShippingCity`, ...) as
   the fields of the matching address object (`Address.City`, `ShippingAddress.City`).
5. The opt-out field is read in every spelling the profile has, and any one of them saying
   "opted out" counts (`ProfileFields.every`): consent fails closed.

A value is a string, number or boolean (`true`/`false`), or a list of them joined with ", ";
null and objects have no value. Nesting is read up to MAX_DEPTH levels (profiles are flat
but for their address and attributes objects; deeper values are ignored), iteratively, so a
profile nested thousands of levels deep costs no recursion.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

LIST_SEPARATOR = ", "
MAX_DEPTH = 16
CUSTOMER_PREFIX = "attributes.customer."
# Customer Profiles' address objects and the flattened names Connect's templates give their
# fields (qconnect's CustomerProfileAttributes: city, shippingCity, billingPostalCode, ...).
_ADDRESS_PARTS = frozenset(
    name.casefold()
    for name in (
        "Address1",
        "Address2",
        "Address3",
        "Address4",
        "City",
        "County",
        "Country",
        "PostalCode",
        "Province",
        "State",
    )
)
_ADDRESS_OBJECTS = {
    "shipping": "ShippingAddress",
    "mailing": "MailingAddress",
    "billing": "BillingAddress",
}


def flatten(profile: Mapping[str, Any]) -> dict[str, str]:
    """Every value of the profile by its dotted path, in the profile's order."""
    values: dict[str, str] = {}
    stack: list[Iterator[tuple[str, Any]]] = [iter(_prefixed("", profile))]
    while stack:
        try:
            path, value = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        if isinstance(value, Mapping):
            if len(stack) < MAX_DEPTH:
                stack.append(iter(_prefixed(path + ".", value)))
            continue
        text = text_of(value)
        if text is not None and path not in values:
            values[path] = text
    return values


def _prefixed(prefix: str, mapping: Mapping[Any, Any]) -> list[tuple[str, Any]]:
    return [(prefix + str(key), value) for key, value in mapping.items()]


def text_of(value: object) -> str | None:
    """A profile value as placeholder text; null and objects have none."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        items = [text_of(item) for item in value if not isinstance(item, (list, Mapping))]
        return LIST_SEPARATOR.join(item for item in items if item is not None)
    return None


def candidates(name: str) -> list[str]:
    """The paths a name may stand for, in order (rule 4: Connect's template names)."""
    if not name.casefold().startswith(CUSTOMER_PREFIX):
        return [name]
    field = name[len(CUSTOMER_PREFIX) :]
    names = [name, field]
    folded = field.casefold()
    if folded in _ADDRESS_PARTS:
        names.append(f"Address.{field}")
    for prefix, address in _ADDRESS_OBJECTS.items():
        if folded.startswith(prefix) and folded[len(prefix) :] in _ADDRESS_PARTS:
            names.append(f"{address}.{field[len(prefix) :]}")
    return names


class ProfileFields(Mapping[str, str]):
    """A profile's values by path, read by the one name rule (this module's docstring)."""

    __slots__ = ("_folded", "_values")

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self._folded: dict[str, list[str]] = {}
        for path in self._values:
            self._folded.setdefault(path.casefold(), []).append(path)

    def resolve(self, name: str) -> str | None:
        for candidate in candidates(name):
            value = self._values.get(candidate)
            if value is not None:
                return value
            paths = self._folded.get(candidate.casefold())
            if paths:
                return self._values[paths[0]]
        return None

    def every(self, name: str) -> list[str]:
        """The values of every spelling of the name (rule 5, the opt-out field)."""
        return [
            self._values[path]
            for candidate in candidates(name)
            for path in self._folded.get(candidate.casefold(), ())
        ]

    def matching_paths(self, names: frozenset[str]) -> list[str]:
        """The profile's own paths that any of the names reads (for a reduced copy)."""
        wanted = {candidate.casefold() for name in names for candidate in candidates(name)}
        return [path for path in self._values if path.casefold() in wanted]

    def __getitem__(self, name: str) -> str:
        value = self.resolve(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.resolve(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def unflatten(values: Mapping[str, str]) -> dict[str, Any]:
    """Paths back into nested objects (`address.city` -> {"address": {"city": ...}})."""
    nested: dict[str, Any] = {}
    for path, value in values.items():
        node = nested
        *parents, leaf = path.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node.setdefault(leaf, value)
    return nested
