"""Semantic events: one row per thing someone did to a record.

The audit log (django-auditlog) keeps every field's before and after for the History page;
an event says what happened in the words of the domain ("moved the action from Open to
Done: the report was sent"), feeds the record's timeline and the place's activity feed, and
is what a workflow transition leaves behind. See docs/decisions/0003-events.md.

An event copies the record's place path and sensitivity label when it is written, so the
place feed is one index range and :meth:`EventQuerySet.visible_to` can scope it without
joining every model; names are never stored (they are read from the record, when the reader
may still see it).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.core.fields import PathField
from bridgework.core.scoping import ScopedQuerySet, scope_for

__all__ = ["Event", "EventQuerySet", "scoped_models"]


def scoped_models() -> list[type[models.Model]]:
    """Every model read through a ``ScopedQuerySet``."""
    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), ScopedQuerySet)
    ]


def label_governs(model: type[models.Model]) -> bool:
    """Whether a record's events carry a label that decides who reads them: labelled records,
    and the parts of labelled records (a body's seats) which take their parent's label."""
    return bool(
        getattr(model, "scope_tlp_field", None) or getattr(model, "scope_parent_field", None)
    )


class EventQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> EventQuerySet:
        """Events about records of the models ``user`` may ``action``, at the places and labels
        their role allows: each model's own scope, applied to the event's copy of the place
        path and label."""
        condition = Q(pk__in=[])
        for model in scoped_models():
            scope = scope_for(user, action, model)
            if scope.is_empty:
                continue
            content_type = ContentType.objects.get_for_model(model)
            condition |= Q(content_type=content_type) & scope.as_q(
                "place_path",
                "tlp" if label_governs(model) else None,
                with_ancestors=getattr(model, "scope_reads_ancestors", False),
            )
        return self.filter(condition)

    def about(self, record: models.Model) -> EventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=str(record.pk)
        )


class Event(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    place_path = PathField(editable=False)
    tlp = models.PositiveSmallIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    verb = models.CharField(_("what happened"), max_length=60)
    workflow = models.CharField(max_length=100, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["content_type", "object_id", "occurred_at"], name="event_record"),
            models.Index(fields=["place_path", "occurred_at"], name="event_place"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.content_type_id}:{self.object_id}"

    @property
    def is_transition(self) -> bool:
        return bool(self.workflow)
