"""actors API."""

from ninja import Router

__all__ = ["router"]

router = Router(tags=["actors"])
