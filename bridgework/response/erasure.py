"""A person's erasure reaches the reports that copied their name or contact: those fields are
emptied (the report itself, what happened, stays)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

__all__ = ["scrub_reports_on_erasure", "scrub_reports_naming"]


def scrub_reports_naming(secrets: list[str]) -> int:
    """Empty the reporter fields of every report whose reporter name or contact is one of
    ``secrets``; the number of reports changed."""
    from .models import Report

    secrets = [secret for secret in secrets if secret]
    if not secrets:
        return 0
    return Report.objects.filter(
        Q(reporter_name__in=secrets) | Q(reporter_contact__in=secrets)
    ).update(reporter_name="", reporter_contact="")


def scrub_reports_on_erasure(sender, instance: Any, **kwargs) -> None:
    """Before a person is saved as erased for the first time, scrub what reports hold of them
    (their name and contacts are read before the erasure overwrites them)."""
    if instance.pk is None or instance.erased_at is None:
        return
    before = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, erased_at__isnull=True)
        .values("full_name", "email", "phone")
        .first()
    )
    if before is not None:
        scrub_reports_naming([before["full_name"], before["email"], before["phone"]])
