"""Keep boundaries out of the audit log's text: it records that a place's geometry changed,
not thousands of coordinates each time."""

from __future__ import annotations

from auditlog.registry import auditlog

__all__ = ["mask_geometry", "register_geometry_mask"]


def mask_geometry(value: str) -> str:
    return "[geometry]" if value not in ("", "None") else ""


def register_geometry_mask() -> None:
    """Re-register PlaceShape (include-all registered it first) with its geometry masked."""
    from .models import PlaceShape

    auditlog.unregister(PlaceShape)
    auditlog.register(
        PlaceShape,
        mask_fields=["geometry"],
        mask_callable="bridgework.places.audit.mask_geometry",
    )
