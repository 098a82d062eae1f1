"""``/api/tokens``: bearer tokens for API clients, naming the same owner as the browser's cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from .deps import ServicesDep
from .errors import Message, responses
from .identity import OwnerDep
from .rates import limited

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


class TokenPublic(BaseModel):
    token: str = Field(description="send it as `Authorization: Bearer <token>`; it is shown only once")
    token_type: str = "bearer"


@router.post("", response_model=TokenPublic, status_code=status.HTTP_201_CREATED, dependencies=[limited("tokens")],
             responses=responses(429),
             summary="A bearer token for your networks and jobs (the owner of this request's cookie or token)")
def create_token(services: ServicesDep, owner: OwnerDep) -> dict:
    return {"token": services.owners.new_token(owner), "token_type": "bearer"}


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke the bearer token of this request",
               responses={404: {"model": Message, "description": "the request carries no bearer token"}})
def revoke_token(request: Request, services: ServicesDep, owner: OwnerDep) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not services.owners.revoke_token(token.strip(), owner):
        return Response('{"detail":"no bearer token in this request"}', status_code=404,
                        media_type="application/json")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
