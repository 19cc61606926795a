"""/api/v1: log in for a token, who am I, economies."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from smartcustoms.accounts import service
from smartcustoms.accounts.model import EconomyInfo
from smartcustoms.web.deps import CurrentPrincipal, UoW

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class TokenRequest(BaseModel):
    email: str = Field(examples=["officer@kr.example"])
    password: str
    name: str = "api token"


class TokenOut(BaseModel):
    id: str
    token: str = Field(description="The bearer secret; shown once, stored only as a hash.")


class MeOut(BaseModel):
    user_id: str
    email: str
    name: str
    economy: str
    roles: list[str]


@router.post("/auth/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenRequest, uow: UoW) -> TokenOut:
    """Exchange an email and password for an API bearer token."""
    user = service.verify_password(uow, body.email, body.password)
    issued = service.issue_token(uow, user.id, name=body.name)
    return TokenOut(id=issued.id, token=issued.secret)


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
