"""Model pieces with no domain knowledge: abstract mixins, and the scheduler's bookkeeping."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["PeriodicRun", "TimeStampedModel", "ends_after_start"]


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def ends_after_start(start: str, end: str, *, name: str, same_day: bool = True):
    """A check that a record's optional ``end`` date is not before its optional ``start``
    (strictly after when ``same_day`` is False)."""
    later = f"{end}__gte" if same_day else f"{end}__gt"
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{later: F(start)}),
        name=name,
    )
