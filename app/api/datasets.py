"""``/api/datasets``: generators and their parameters, previews, CSV uploads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile, status
from fastapi.concurrency import run_in_threadpool

from app.services import catalog

from .bodies import body_limit
from .caching import CachedDep, model_json
from .deps import ServicesDep, SettingsDep
from .errors import BODY, responses
from .identity import OwnerDep
from .schemas import DatasetInfoPublic, DatasetPreview, DataSpec, UploadPublic

router = APIRouter(prefix="/api/datasets", tags=["datasets"])


@router.get("", response_model=list[DatasetInfoPublic], summary="Data-set generators and their parameters")
async def list_datasets(cached: CachedDep) -> Response:
    return await cached.public(("datasets",), lambda: model_json(list[DatasetInfoPublic], catalog.datasets()))


@router.post("/preview", response_model=DatasetPreview, summary="Generate a data set's points",
             responses=responses(*BODY, 404, s404="no uploaded data set with that id"))
def preview(spec: DataSpec, services: ServicesDep, owner: OwnerDep) -> dict:
    _, data = catalog.load_data(services.store, spec.values(), services.limits, field="", owner=owner)
    return catalog.preview(data)


@router.post("", response_model=UploadPublic, status_code=status.HTTP_201_CREATED,
             summary="Upload a CSV (x1, x2, label)", openapi_extra=body_limit("max_upload_bytes"),
             responses=responses(*BODY, 429, s413="the file (or the body) is larger than the server's limit",
                                 s422="a value is not acceptable, or the file is not such a CSV (the message "
                                      "names the line)"))
async def upload(services: ServicesDep, settings: SettingsDep, owner: OwnerDep,
                 file: Annotated[UploadFile, File(description="CSV rows x1,x2,label; optional header line")],
                 task: Annotated[Literal["classification", "regression"], Form()] = "classification") -> dict:
    limit = settings.max_upload_bytes
    raw = await file.read(limit + 1)
    if len(raw) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the file is larger than the limit of {limit} bytes")
    return await run_in_threadpool(catalog.upload, services.store, raw, task, services.limits, owner,
                                   settings.person_upload_bytes)
