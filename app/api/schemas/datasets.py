"""Data sets, their previews and uploads."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ParamPublic(BaseModel):
    default: int | float
    minimum: int | float
    maximum: int | float
    description: str


class DatasetInfoPublic(BaseModel):
    name: str
    task: str
    description: str
    params: dict[str, ParamPublic]


class Points(BaseModel):
    X: list[list[float]]
    y: list[int | float] = Field(description="class indices, or target values for regression")


class ClassStyle(BaseModel):
    color: str = Field(description="the class's colour in every figure (Okabe–Ito), #rrggbb")
    symbol: str = Field(description="the class's marker shape in every figure (a plotly symbol name: circle, "
                                    "square, diamond, triangle-up, triangle-down, pentagon, hexagon, star)")


class DatasetPreview(BaseModel):
    task: str
    n_classes: int
    class_names: list[str]
    class_styles: list[ClassStyle] = Field(description="per class, as the figures draw it (none for regression)")
    train: Points
    test: Points


class UploadPublic(BaseModel):
    id: str
    rows: int
    n_classes: int
    class_names: list[str]
    task: str

