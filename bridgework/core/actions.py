"""Generic writes for scoped records: audited as the acting user, re-checked after saving, and
recorded as an event ("created", "changed", "deleted") on the record's timeline. A record whose
label is raised raises the records that may not be less sensitive than it (``label_at_least``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from auditlog.context import set_actor
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from .events import record_event

__all__ = [
    "do_create_record",
    "do_delete_record",
    "do_raise_dependent_labels",
    "do_update_record",
    "ensure_in_scope",
    "label_dependants",
]


def ensure_in_scope(obj: models.Model, user, action: str) -> None:
    """The re-check after a write: the saved row must lie in ``user``'s scope for ``action``.

    Raising inside the caller's transaction rolls the write back, so nobody can move a record
    out of their subtree or above their sensitivity ceiling.
    """
    manager: Any = type(obj)._default_manager  # a ScopedQuerySet manager
    if not manager.visible_to(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("That change would put the record outside your reach."))


@transaction.atomic
def do_create_record(
    obj: models.Model, *, acting_user, save_related: Callable[[], None] | None = None
) -> models.Model:
    """Save a new scoped record, audited as ``acting_user``, then re-check its scope."""
    obj.full_clean()
    with set_actor(acting_user):
        obj.save()
        if save_related is not None:
            save_related()
    ensure_in_scope(obj, acting_user, "add")
    record_event(obj, "created", actor=acting_user)
    return obj


@transaction.atomic
def do_update_record(
    obj: models.Model, *, acting_user, save_related: Callable[[], None] | None = None
) -> models.Model:
    obj.full_clean()
    with set_actor(acting_user):
        obj.save()
        if save_related is not None:
            save_related()
    ensure_in_scope(obj, acting_user, "change")
    record_event(obj, "changed", actor=acting_user)
    do_raise_dependent_labels(obj, acting_user=acting_user)
    return obj


@cache
def label_dependants(model: type[models.Model]) -> tuple[tuple[type[models.Model], str], ...]:
    """``(child model, foreign key name)`` for every model whose label may not fall below that
    of a ``model`` record it names in ``label_at_least`` (a body's meetings and actions)."""
    found = []
    for child in apps.get_models():
        for name in getattr(child, "label_at_least", ()):
            target = child._meta.get_field(name).related_model
            if isinstance(target, type) and issubclass(model, target):
                found.append((child, name))
    return tuple(found)


def do_raise_dependent_labels(obj: models.Model, *, acting_user) -> int:
    """Raise every record that may not be less sensitive than ``obj`` (its ``label_at_least``
    names ``obj``) to at least ``obj``'s label, and theirs in turn (body → meeting → action).

    Part of the write that raised ``obj``'s label (its transaction), each raise audited as
    ``acting_user`` and recorded as a change. Not re-checked against the user's rights on
    the children: a raise only narrows who may read them, and leaving them below their
    parent would show an AMBER body's meetings to GREEN readers. Returns how many changed."""
    label_field = getattr(obj, "scope_tlp_field", None)
    if not label_field:
        return 0
    label = getattr(obj, label_field)
    raised = 0
    for child_model, name in label_dependants(type(obj)):
        child_field = child_model.scope_tlp_field  # type: ignore[attr-defined]
        below = child_model._default_manager.filter(
            **{name: obj, f"{child_field}__lt": label}
        ).select_for_update()
        stamps = [f.name for f in child_model._meta.concrete_fields if getattr(f, "auto_now", 0)]
        for child in below:
            setattr(child, child_field, label)
            with set_actor(acting_user):
                child.save(update_fields=[child_field, *stamps])
            record_event(child, "changed", actor=acting_user)
            raised += 1 + do_raise_dependent_labels(child, acting_user=acting_user)
    return raised


@transaction.atomic
def do_delete_record(obj: models.Model, *, acting_user) -> None:
    ensure_in_scope(obj, acting_user, "delete")
    record_event(obj, "deleted", actor=acting_user)  # while the record still has its place
    with set_actor(acting_user):
        obj.delete()
