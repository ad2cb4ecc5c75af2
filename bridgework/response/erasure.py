"""A person's erasure reaches the reports that copied their name or contact: those fields are
emptied (the report itself, what happened, stays)."""

from __future__ import annotations

from django.db.models import Q

__all__ = ["scrub_reports_naming"]


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
