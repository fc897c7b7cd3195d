"""The home page: a trade user's Trade Organizations, or the way to CBP's work queue."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from web.page import SignedInPage

router = APIRouter()


@router.get("/")
async def home(page: SignedInPage) -> Response:
    return page.render("home.html", me=await page.api.get("/api/identity/me"))


@router.get("/health/live", include_in_schema=False)
async def live() -> dict[str, str]:
    return {"status": "ok"}
