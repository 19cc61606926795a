"""/api/v1: log in for a token, who am I, economies."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from smartcustoms.accounts import service
from smartcustoms.accounts.model import EconomyInfo
from smartcustoms.web.deps import (
    CurrentPrincipal,
    UoW,
    client_address,
    get_settings,
    login_policy,
)

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class TokenRequest(BaseModel):
    email: str = Field(max_length=254, examples=["officer@kr.example"])
    password: str = Field(max_length=1024)
    name: str = Field("api token", max_length=120)
    days: int | None = Field(None, ge=1, le=3650, description="lifetime in days")


class TokenOut(BaseModel):
    id: str
    token: str = Field(description="The bearer secret; shown once, stored only as a hash.")
    expires_at: datetime | None = None


class MeOut(BaseModel):
    user_id: str
    email: str
    name: str
    economy: str
    roles: list[str]


@router.post("/auth/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenRequest, uow: UoW, request: Request) -> TokenOut:
    """Exchange an email and password for an API bearer token (throttled per account and per
    client: 429 with Retry-After while held back). The token expires after ``days`` (default:
    the server's ``api_token_days``)."""
    settings = get_settings(request)
    user = service.verify_password(
        uow,
        body.email,
        body.password,
        client=client_address(request),
        policy=login_policy(settings),
    )
    days = body.days or settings.api_token_days
    issued = service.issue_token(uow, user.id, name=body.name, ttl=timedelta(days=days))
    return TokenOut(id=issued.id, token=issued.secret, expires_at=issued.expires_at)


@router.delete("/auth/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: str, uow: UoW, principal: CurrentPrincipal) -> None:
    """Revoke one of your tokens (admins: any token of their economy)."""
    service.revoke_token(uow, token_id, by=principal)


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal) -> MeOut:
    return MeOut(
        user_id=principal.user_id,
        email=principal.email,
        name=principal.name,
        economy=principal.economy,
        roles=sorted(principal.roles),
    )


@router.get("/economies")
def economies(uow: UoW) -> list[EconomyInfo]:
    """The economies (customs administrations) on this platform; public."""
    return service.list_economies(uow)
