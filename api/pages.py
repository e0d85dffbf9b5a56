"""Routes: pages (filled in by the serve issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
