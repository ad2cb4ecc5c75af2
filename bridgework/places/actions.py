"""Writes to the place tree: creating, moving and closing places keep paths consistent.

A person's write (``acting_user`` given) is audited as them and recorded as an event on the
place's timeline and feed ("created", "changed", "deleted"), as every other record's is;
imports and the demo (no acting user) are audited without an actor and leave no events."""

from __future__ import annotations

from auditlog.context import set_actor
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Concat, Length, Substr
from django.db.models.lookups import GreaterThanOrEqual
from django.dispatch import Signal
from django.utils.translation import gettext as _

from bridgework.core.actions import ensure_in_scope
from bridgework.core.events import record_event
from bridgework.core.paths import (
    SEGMENT_WIDTH,
    child_path,
    decode_segment,
    depth_of,
    subtree_q,
)

from .models import ROLLUP_DEPTHS, Place, PlaceShape, RolledUpModel, ScopedModel

__all__ = [
    "allocate_path",
    "do_create_place",
    "do_delete_place",
    "do_set_place_shape",
    "do_update_place",
    "place_fields_from_parent",
]

# Sent after a subtree took new paths (the rows were rewritten without save()).
subtree_moved = Signal()


def allocate_path(parent: Place | None) -> str:
    """The next free child path under ``parent`` (or at the root)."""
    siblings = (
        Place.objects.filter(parent=parent) if parent else Place.objects.filter(parent__isnull=True)
    )
    highest = siblings.aggregate(top=Max("path"))["top"]
    number = decode_segment(highest.strip("/").split("/")[-1]) + 1 if highest else 1
    return child_path(parent.path if parent else "/", number)


def place_fields_from_parent(place: Place) -> None:
    """Derive depth and country from the parent (and the place's own code at country level)."""
    place.depth = depth_of(place.path)
    if place.parent is not None and place.parent.country_code:
        place.country_code = place.parent.country_code
    elif place.depth == 1 and place.code:
        place.country_code = place.code[:2].upper()


@transaction.atomic
def do_create_place(place: Place, *, acting_user=None) -> Place:
    """Insert ``place`` under its parent. ``acting_user`` is None for imports and the demo."""
    if place.parent_id:
        # Lock the parent so two writers cannot allocate the same child path.
        Place.objects.select_for_update().filter(pk=place.parent_id).first()
    place.path = allocate_path(place.parent)
    place_fields_from_parent(place)
    place.full_clean()
    with set_actor(acting_user):
        place.save()
    if acting_user is not None:
        ensure_in_scope(place, acting_user, "add")
        record_event(place, "created", actor=acting_user)
    return place


@transaction.atomic
def do_update_place(place: Place, *, acting_user=None) -> Place:
    """Save changes; a new parent moves the whole subtree and every record under it."""
    old = Place.objects.select_for_update().get(pk=place.pk)
    if place.parent_id != old.parent_id:
        if (
            place.parent_id
            and Place.objects.filter(pk=place.parent_id)
            .filter(subtree_q("path", old.path))
            .exists()
        ):
            raise ValidationError({"parent": _("A place cannot move under itself.")})
        place.path = allocate_path(place.parent)
        place_fields_from_parent(place)
    else:
        place.path = old.path
    place.full_clean()
    with set_actor(acting_user):
        place.save()
        if place.path != old.path:
            _rewrite_subtree_paths(old.path, place.path, exclude_pk=place.pk)
    if acting_user is not None:
        ensure_in_scope(place, acting_user, "change")
        record_event(place, "changed", actor=acting_user)
    return place


def _rewrite_subtree_paths(old_prefix: str, new_prefix: str, *, exclude_pk: int) -> None:
    """Replace ``old_prefix`` by ``new_prefix`` in every descendant and every scoped record."""
    rest = Substr("path", Length(Value(old_prefix)) + 1)
    descendants = Place.objects.filter(subtree_q("path", old_prefix)).exclude(pk=exclude_pk)
    depth_shift = depth_of(new_prefix) - depth_of(old_prefix)
    # Derived columns only; the moved place itself carries the audited change.
    descendants.update(path=Concat(Value(new_prefix), rest), depth=F("depth") + depth_shift)
    for model in apps.get_models():
        if issubclass(model, ScopedModel):
            moved = model._default_manager.filter(subtree_q("place_path", old_prefix))
            moved.update(
                place_path=Concat(Value(new_prefix), Substr("place_path", len(old_prefix) + 1))
            )
            shared = getattr(model, "scope_shared_path_field", None)
            if shared:  # the place a record is put before (a need's level) moves too
                model._default_manager.filter(subtree_q(shared, old_prefix)).update(
                    **{shared: Concat(Value(new_prefix), Substr(shared, len(old_prefix) + 1))}
                )
            if issubclass(model, RolledUpModel):
                _rewrite_ancestor_columns(model, new_prefix)
    # Role assignments moved with the subtree: whoever caches resolved access must know.
    subtree_moved.send(sender=Place, old_prefix=old_prefix, new_prefix=new_prefix)


def _rewrite_ancestor_columns(model: type[RolledUpModel], prefix: str) -> None:
    """Recompute the stored ancestors of the records under ``prefix`` from their new paths
    (a move may change their depth, so every column is rewritten)."""
    columns = {}
    for depth in ROLLUP_DEPTHS:
        # "/" and then depth + 1 segments, each followed by "/"
        width = 1 + (depth + 1) * (SEGMENT_WIDTH + 1)
        columns[f"ancestor_{depth}"] = Case(
            When(
                GreaterThanOrEqual(Length("place_path"), width), then=Substr("place_path", 1, width)
            ),
            default=Value(""),
        )
    model._default_manager.filter(subtree_q("place_path", prefix)).update(**columns)


@transaction.atomic
def do_delete_place(place: Place, *, acting_user=None) -> None:
    """Only a place nothing refers to can go; otherwise close it (keeps history attached)."""
    if place.children.exists():
        raise ValidationError(
            _("This place has places under it. Close it with a closing date instead.")
        )
    if acting_user is not None:
        ensure_in_scope(place, acting_user, "delete")
        record_event(place, "deleted", actor=acting_user)  # while the place still has its path
    with set_actor(acting_user):
        place.delete()


@transaction.atomic
def do_set_place_shape(place: Place, geometry: dict, *, source: str = "", acting_user=None) -> bool:
    """Give ``place`` its boundary or point (a geometry made ready by
    ``geometry.prepare_geometry``); False when it already had exactly that one. A person must
    be allowed to change the place; the change is audited and is a "changed" event of the
    place's timeline ("boundary_set"), as any other edit of it is."""
    if acting_user is not None:
        ensure_in_scope(place, acting_user, "change")
    shape = PlaceShape.objects.filter(place=place).first()
    if shape is not None and shape.geometry == geometry:
        return False
    shape = shape or PlaceShape(place=place)
    shape.geometry = geometry
    shape.source = source[:200]
    shape.full_clean(exclude=["place"])
    with set_actor(acting_user):
        shape.save()
    if acting_user is not None:
        record_event(place, "boundary_set", actor=acting_user)
    return True
