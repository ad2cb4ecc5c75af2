"""Keep the personal fields of reports out of the audit log: it records that a reporter's
contact changed, never the value."""

from __future__ import annotations

from auditlog.registry import auditlog

__all__ = ["register_report_masks"]

MASKED = ("reporter_name", "reporter_contact", "people_involved", "description")


def register_report_masks() -> None:
    from .models import Report

    auditlog.unregister(Report)
    auditlog.register(
        Report,
        mask_fields=list(MASKED),
        mask_callable="bridgework.actors.audit.mask_personal",
    )
