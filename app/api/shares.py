"""``/api/shares``: the share links a person made, over all their networks, and revoking one.
(Making one, and revoking a network's links, are under ``/api/networks/{id}/share``.)"""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import Field

from .deps import ServicesDep
from .errors import responses
from .identity import OwnerDep
from .schemas import SharePublic

router = APIRouter(prefix="/api/shares", tags=["shared"])


class ShareInfo(SharePublic):
    network_name: str | None = Field(description="the network's name (null: unnamed)")
    created_at: str


@router.get("", response_model=list[ShareInfo], summary="Your share links, newest first, with their networks")
def list_shares(services: ServicesDep, owner: OwnerDep) -> list[dict]:
    return services.networks.shares(owner)


@router.delete("/{share_token}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke one of your share links",
               responses=responses(404))
def revoke_share(share_token: str, services: ServicesDep, owner: OwnerDep) -> None:
    services.networks.revoke_share(share_token, owner)
