"""``/api/tokens``: bearer tokens for API clients, naming the same owner as the browser's cookie;
listed and revoked one by one or all at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from app.services import NotFound

from .deps import ServicesDep
from .errors import Message, responses
from .identity import OwnerDep
from .rates import limited

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


class TokenInfo(BaseModel):
    id: str = Field(description="revoke it with DELETE /api/tokens/{id}")
    prefix: str | None = Field(description="the token's first characters (null for tokens from before they were "
                                           "kept), to tell your tokens apart")
    created_at: str
    expires_at: str | None = Field(description="null: it lasts until revoked (NNVIZ_TOKEN_TTL is 0)")
    last_used_at: str | None = Field(description="to the minute; null: never used")
    expired: bool


class TokenPublic(TokenInfo):
    token: str = Field(description="send it as `Authorization: Bearer <token>`; it is shown only once")
    token_type: str = "bearer"


NO_STORE = {"Cache-Control": "no-store"}  # the token is a credential: no cache may keep the answer


@router.post("", response_model=TokenPublic, status_code=status.HTTP_201_CREATED, dependencies=[limited("tokens")],
             responses=responses(429),
             summary="A bearer token for your networks and jobs (the owner of this request's cookie or token)")
def create_token(services: ServicesDep, owner: OwnerDep, response: Response) -> dict:
    response.headers.update(NO_STORE)
    return services.owners.new_token(owner)


@router.get("", response_model=list[TokenInfo], summary="Your tokens, newest first (never the tokens themselves)")
def list_tokens(services: ServicesDep, owner: OwnerDep) -> list[dict]:
    return services.owners.tokens(owner)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT,
               summary="Revoke the bearer token of this request, or (?all=true) every token of yours",
               responses={404: {"model": Message, "description": "the request carries no bearer token (and no "
                                                                  "?all=true)"}})
def revoke_token(request: Request, services: ServicesDep, owner: OwnerDep,
                 every: Annotated[bool, Query(alias="all", description="revoke every token of yours, this one "
                                                                      "too")] = False) -> Response:
    if every:
        services.owners.revoke_all(owner)
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not services.owners.revoke_token(token.strip(), owner):
        return Response('{"detail":"no bearer token in this request"}', status_code=404,
                        media_type="application/json")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke one of your tokens",
               responses=responses(404))
def revoke_token_id(token_id: str, services: ServicesDep, owner: OwnerDep) -> None:
    if not services.owners.revoke_token_id(token_id, owner):
        raise NotFound(f"no token of yours with id {token_id!r}")
