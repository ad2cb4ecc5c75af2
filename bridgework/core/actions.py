"""Generic writes for scoped records: audited as the acting user, re-checked after saving, and
recorded as an event ("created", "changed", "deleted") on the record's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from .events import record_event

__all__ = ["do_create_record", "do_delete_record", "do_update_record", "ensure_in_scope"]


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
    return obj


@transaction.atomic
def do_delete_record(obj: models.Model, *, acting_user) -> None:
    ensure_in_scope(obj, acting_user, "delete")
    record_event(obj, "deleted", actor=acting_user)  # while the record still has its place
    with set_actor(acting_user):
        obj.delete()
