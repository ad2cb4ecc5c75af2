"""Vocabularies of the plans module."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "Aggregation",
    "AnswerKind",
    "NeedCategory",
    "NeedStatus",
    "Periodicity",
    "PlanActionStatus",
    "PlanStatus",
    "Priority",
    "StrategyStatus",
    "OPEN_NEED_STATUSES",
]


class StrategyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CURRENT = "current", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    CLOSED = "closed", _("Closed")


class PlanActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class NeedCategory(models.TextChoices):
    TRAINING = "training", _("Training")
    NETWORKING = "networking", _("Networking")
    FUNDING = "funding", _("Funding")
    DATA = "data", _("Data and evidence")
    MANDATE = "mandate", _("Mandate")
    TRUST = "trust", _("Trust")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    # In context: French says "haute" of a priority and "fort" of a tension level.
    HIGH = "high", pgettext_lazy("priority", "High")
    MEDIUM = "medium", pgettext_lazy("priority", "Medium")
    LOW = "low", pgettext_lazy("priority", "Low")


class NeedStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ESCALATED = "escalated", _("Passed up")
    ANSWERED = "answered", _("Answered")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_NEED_STATUSES = (NeedStatus.RAISED, NeedStatus.ESCALATED)


class AnswerKind(models.TextChoices):
    PROGRAMME = "programme", _("A programme")
    FUND_CALL = "fund_call", _("A fund call")
    COURSE = "course", _("A course")
    KNOWLEDGE = "knowledge", _("A knowledge item")
    DECLINE = "decline", _("A reasoned no")


class Periodicity(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Aggregation(models.TextChoices):
    """How values add up over places and over time (see :mod:`bridgework.plans.rollups`)."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    LATEST = "latest", _("Latest value")
