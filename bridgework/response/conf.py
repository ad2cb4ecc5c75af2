"""The response module's settings, with their defaults (override them in Django settings)."""

from __future__ import annotations

from django.conf import settings

__all__ = ["public_report_rate", "retention_days"]

# Days a report is kept after it happened, per kind; then it is anonymised (or, for
# "delete" kinds, deleted) by the retention job. RESPONSE_RETENTION_DAYS overrides entries.
DEFAULT_RETENTION_DAYS = {
    "hate_crime": 6 * 365,
    "hate_incident": 3 * 365,
    "tension": 2 * 365,
    "propaganda": 365,
    "cohesion_threat": 2 * 365,
    "default": 3 * 365,
}
# Kinds whose reports are deleted, not anonymised, at the end of their retention.
DEFAULT_DELETED_KINDS = ("propaganda",)


def retention_days(kind: str) -> int:
    table = {**DEFAULT_RETENTION_DAYS, **getattr(settings, "RESPONSE_RETENTION_DAYS", {})}
    return int(table.get(kind, table["default"]))


def deleted_kinds() -> tuple[str, ...]:
    return tuple(getattr(settings, "RESPONSE_DELETED_KINDS", DEFAULT_DELETED_KINDS))


def public_report_rate() -> str:
    """How many public reports one address may send (``RESPONSE_PUBLIC_REPORT_RATE``)."""
    return getattr(settings, "RESPONSE_PUBLIC_REPORT_RATE", "5/h")
