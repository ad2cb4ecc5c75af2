"""Vocabularies of the funding module."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ApplicationStatus",
    "GrantStatus",
    "OPEN_GRANT_STATUSES",
    "ReportKind",
    "ReportStatus",
    "ReviewStatus",
    "TrancheStatus",
]


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    MORE_INFO = "more_info", _("More information requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An organisation has one live application per call: a withdrawn one does not count.
LIVE_APPLICATION_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.MORE_INFO,
    ApplicationStatus.APPROVED,
    ApplicationStatus.DECLINED,
)


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    CONFLICTED = "conflicted", _("Conflict of interest declared")
    SUBMITTED = "submitted", _("Scored")


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("Under way")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


# A grant owes reports while it is under way or closing (a closed grant owes nothing more).
OPEN_GRANT_STATUSES = (GrantStatus.ACTIVE, GrantStatus.CLOSING)


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RELEASED = "released", _("Released")


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    FINANCIAL = "financial", _("Financial report")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")
