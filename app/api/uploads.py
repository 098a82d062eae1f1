"""``/api/uploads``: a person's CSV uploads (made with ``POST /api/datasets``), what each counts
against ``NNVIZ_PERSON_UPLOAD_BYTES``, and deleting one to make room."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.services import catalog

from .deps import ServicesDep
from .errors import responses
from .identity import OwnerDep
from .schemas import UploadPublic

router = APIRouter(prefix="/api/uploads", tags=["datasets"])


class UploadInfo(UploadPublic):
    bytes: int
    created_at: str


@router.get("", response_model=list[UploadInfo], summary="Your uploads, newest first, with their sizes")
def list_uploads(services: ServicesDep, owner: OwnerDep) -> list[dict]:
    return catalog.uploads(services.store, owner)


@router.delete("/{upload_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete one of your uploads",
               responses=responses(404, 409, s409="a network of yours has it as its data, or a job of yours "
                                                  "trains on it (the message names them)"))
def delete_upload(upload_id: str, services: ServicesDep, owner: OwnerDep) -> None:
    catalog.delete_upload(services.store, upload_id, owner)
