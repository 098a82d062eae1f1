"""The gradient check: request and verdict."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.services.data_specs import DataSpec
from app.services.specs import Request

from .common import RegularizationName
from .specs import SpecForData


class GradcheckRequest(Request):
    network: SpecForData
    data: DataSpec
    regularization: RegularizationName = "none"
    reg_strength: float = Field(default=0.0, ge=0)


class ParamCheckPublic(BaseModel):
    relative_error: float = Field(description="the notes' max |a − n| / max(|a|, |n|)")
    error: float = Field(description="the same with the noise floor: what the verdict uses")
    absolute_error: float = Field(description="max |a − n|")
    gradient_scale: float = Field(description="the largest gradient compared")
    scale_limited: bool = Field(description="some gradients are too small to judge by their relative error")


class GradcheckPublic(BaseModel):
    max_relative_error: dict[str, float]
    verdict: Literal["ok", "worrying", "wrong"]
    note: str = Field(description="the verdict in words, and whether the gradients' scale limits it")
    parameters: dict[str, ParamCheckPublic]
    noise: float = Field(description="the absolute error rounding alone puts on a numerical gradient")
    floor: float = Field(description="gradients below this are judged by their absolute error")
    thresholds: dict[str, float]
    points: int
