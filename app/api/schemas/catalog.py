"""Activations and the catalog: every name the pages offer, with the words they show for it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ActivationInfo(BaseModel):
    name: str
    label: str
    description: str
    verdict: str = Field(description="the notes' advice on using it")
    in_notes: bool = Field(description="one of the six activations the notes discuss")


class Named(BaseModel):
    name: str = Field(description="the name requests use")
    label: str = Field(description="the words the pages show for it")


class CatalogActivation(Named):
    in_notes: bool = Field(description="one of the six activations the notes discuss")


class CatalogLoss(Named):
    task: Literal["classification", "regression"]
    binary: bool = Field(description="for two classes, on one output unit (binary softmax and binary SVM)")
    description: str


class CatalogMetric(Named):
    format: Literal["percent", "count", "number"] = Field(
        description="percent: a fraction shown as a percentage; count: a whole number; number: as it is")


class SweepSetting(BaseModel):
    path: str = Field(description="where the setting is in a training request (a sweep axis's path)")
    label: str
    values: list[int | float | str] = Field(description="values to start from")
    choices: str | None = Field(default=None, description="the catalog list its values come from, if any")


class ClassSettingInfo(Named):
    fields: list[str] = Field(description="the training request's fields it covers (section.key)")


class Catalog(BaseModel):
    """Every name the pages offer, with the words they show for it."""

    optimizers: list[Named]
    initializations: list[Named]
    regularizations: list[Named]
    activations: list[CatalogActivation]
    losses: list[CatalogLoss]
    metrics: list[CatalogMetric] = Field(description="a run's metrics (sweep rows, job results)")
    sweep_figures: list[Named]
    sweep_settings: list[SweepSetting] = Field(description="the settings the Sweeps page offers to vary")
    class_settings: list[ClassSettingInfo] = Field(description="the settings a class's assignment may lock "
                                                               "(`unlocked` names those students may change)")


class ActivationValues(BaseModel):
    name: str
    x: list[float]
    y: list[float | None]
    dy: list[float | None]
