"""Turning pydantic validation errors into messages a person can act on.

The operator wraps :class:`InvalidResourceError` in a permanent (never retried) failure and shows its
text in the Stalled condition; the gateway returns it as a 4xx detail. Either way the reader is the
store's owner, so each problem names the field in the YAML spelling (``spec.displayName``), says what
is wrong in words rather than regexes, and shows a short excerpt of the offending value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from storefleet_operator.models import common

_PATTERN_MEANINGS: Final = {
    common.VISIBLE_TEXT: "must contain visible text and no control characters (newlines, tabs, ...)",
    common.NO_CONTROL_CHARS: "must not contain control characters (newlines, tabs, ...)",
    common.EMAIL_SHAPE: "must look like an email address (name@domain.tld)",
    common.CAMEL_CASE_REASON: "must be a CamelCase word such as HelmInstallFailed",
    common.CONDITION_TYPE: "must be a CamelCase condition type such as Ready",
}
_MAX_EXCERPT: Final = 40
_MAX_IDENTITY: Final = 120  # namespace (63) + "/" + a name a little longer than any legal one

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a resource: where (YAML path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        if not self.path or self.message.startswith(self.path + "."):
            return self.message  # the message already names its field
        return f"{self.path}: {self.message}"


class InvalidResourceError(ValueError):
    """A Store or Tenant body that does not match the schema; retrying will not help."""

    def __init__(self, kind: str, name: str, problems: list[Problem]) -> None:
        self.kind = kind
        self.name = name
        self.problems = problems
        listed = "; ".join(str(p) for p in problems)
        super().__init__(f"{kind} {name} is invalid: {listed}")


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _excerpt(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= _MAX_EXCERPT else shown[: _MAX_EXCERPT - 3] + "..."


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field (check its spelling and indentation)"
    if kind == "string_pattern_mismatch":
        meaning = _PATTERN_MEANINGS.get(str(ctx.get("pattern")), f"must match {ctx.get('pattern')}")
        return f"{meaning} (got {_excerpt(error['input'])})"
    if kind in ("string_too_long", "string_too_short"):
        length = len(error["input"]) if isinstance(error["input"], str) else 0
        return f"{error['msg'][0].lower()}{error['msg'][1:]} (got {length} character{'' if length == 1 else 's'})"
    message = error["msg"]
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    scalar = isinstance(error.get("input"), str | int | float | bool) or error.get("input") is None
    if scalar and kind not in ("engine_options", "value_error"):
        message = f"{message} (got {_excerpt(error.get('input'))})"
    return message


def _identity(body: Mapping[str, Any]) -> str:
    metadata = body.get("metadata")
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("name"), str):
        return "(unnamed)"
    namespace = metadata.get("namespace")
    identity = f"{namespace}/{metadata['name']}" if isinstance(namespace, str) and namespace else metadata["name"]
    return identity if len(identity) <= _MAX_IDENTITY else identity[: _MAX_IDENTITY - 3] + "..."


def parse_body(model: type[M], body: Mapping[str, Any]) -> M:
    """Validate an API object body (camelCase keys only) into ``model`` or raise InvalidResourceError."""
    kind = model.__name__
    if not isinstance(body, Mapping):
        raise InvalidResourceError(kind, "(unnamed)", [Problem("", "the body is not a JSON object")])
    try:
        return model.model_validate(body, by_alias=True, by_name=False)
    except ValidationError as error:
        problems = [Problem(_path(e["loc"]), _describe(e)) for e in error.errors(include_url=False)]
        raise InvalidResourceError(kind, _identity(body), problems) from None
