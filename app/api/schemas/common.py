"""What the request models share: the core's names as types, one-line names, bounded weights, a
class's titles and members' names."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from app.nn import ACTIVATION_NAMES, FEATURE_NAMES, INIT_NAMES, LOSS_NAMES, OPTIMIZER_NAMES, REGULARIZATION_NAMES

Activation = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
LossName = Literal[LOSS_NAMES]  # type: ignore[valid-type]
InitName = Literal[INIT_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZER_NAMES]  # type: ignore[valid-type]
RegularizationName = Literal[REGULARIZATION_NAMES]  # type: ignore[valid-type]
FeatureName = Literal[FEATURE_NAMES]  # type: ignore[valid-type]
DEFAULT_OPTIMIZER = "sgd"
NAME_HELP = "a named network is kept; an unnamed one expires after NNVIZ_SCRATCH_TTL seconds without updates"
# A name is one line of text. Control characters (NUL, which PostgreSQL cannot keep in text, line
# breaks, escapes) are refused here, so that both databases keep exactly the same names.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
ONE_LINE = r"^[^\u0000-\u001f\u007f]*$"  # the same rule in JSON Schema's (ECMA) regular expressions


def _one_line(value: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("must be one line of text, without control characters (such as NUL, tabs or line breaks)")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100, json_schema_extra={"pattern": ONE_LINE}),
                 AfterValidator(_one_line)]

# The largest |value| a request may give a weight or bias (set one, import them, preview with them):
# far beyond what training makes of the notes' networks, and small enough that a forward pass over
# the data's plane stays finite in float64.
MAX_WEIGHT = 1e6
Weight = Annotated[float, Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT)]


def _bounded_weights(values: list[Any]) -> list[Any]:
    numbers = [number for item in values for number in (item if isinstance(item, list) else (item,))]
    if not all(type(number) in (int, float) and abs(number) <= MAX_WEIGHT for number in numbers):
        raise ValueError(f"must be numbers from {-MAX_WEIGHT:g} to {MAX_WEIGHT:g}")
    return values


_WEIGHT_SCHEMA = {"type": "number", "minimum": -MAX_WEIGHT, "maximum": MAX_WEIGHT}
# W1, b1, ...: numbers (biases, slopes) or rows of numbers (weight matrices); the shapes the spec
# gives them are checked by the core (``Network.set_weights``), which knows the spec.
Weights = Annotated[dict[str, Annotated[list[Any], AfterValidator(_bounded_weights)]], Field(
    json_schema_extra={"additionalProperties": {"anyOf": [
        {"type": "array", "items": _WEIGHT_SCHEMA},
        {"type": "array", "items": {"type": "array", "items": _WEIGHT_SCHEMA}}]}})]


def _trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


MAX_MEMBER_NAME = 32
# A title or a member's name: one line of text, without the spaces around it. Shown as text only.
ClassTitle = Annotated[str, BeforeValidator(_trimmed), Field(min_length=1, max_length=100, json_schema_extra={
    "pattern": ONE_LINE}), AfterValidator(_one_line)]
MemberName = Annotated[str, BeforeValidator(_trimmed), Field(
    min_length=1, max_length=MAX_MEMBER_NAME, json_schema_extra={"pattern": ONE_LINE},
    description=f"1 to {MAX_MEMBER_NAME} characters after trimming, one line; unique in the class whatever its "
                "case"), AfterValidator(_one_line)]
