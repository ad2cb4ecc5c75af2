"""Model pieces with no domain knowledge: abstract mixins, and the scheduler's bookkeeping."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .plain_reads import plain_from_db

__all__ = ["PeriodicRun", "TimeStampedModel", "ends_after_start"]


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    # Records loaded without Model.__init__'s general path where it would only copy the
    # values (core.plain_reads; decision 0011): every list reads tens of them.
    from_db = classmethod(plain_from_db)  # type: ignore[assignment]

    def clean_fields(self, exclude=None):
        """Text never holds a NUL character: forms refuse it, PostgreSQL cannot store it, and
        an import or an API body must not slip one past the page's rules."""
        errors: dict[str, list[Any]] = {}
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname, None)
            if isinstance(value, str) and "\x00" in value and field.name not in (exclude or ()):
                errors[field.name] = [_("Null characters are not allowed.")]
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


def ends_after_start(start: str, end: str, *, name: str, message: Any, same_day: bool = True):
    """A check that a record's optional ``end`` date is not before its optional ``start``
    (strictly after when ``same_day`` is False); ``message`` says so in words, for the form
    that breaks it."""
    later = f"{end}__gte" if same_day else f"{end}__gt"
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{later: F(start)}),
        name=name,
        violation_error_message=message,
    )


class PeriodicRun(models.Model):
    """When a periodic job (:mod:`bridgework.core.periodic`) last started: the row the
    ``scheduler`` command claims with a conditional UPDATE, so two schedulers never start the
    same run twice."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")

    def __str__(self) -> str:
        return self.name
