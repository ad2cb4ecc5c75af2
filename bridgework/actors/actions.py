"""Writes to organisations, people and posts: audited as the acting user, re-checked after
saving so nobody can place a record outside their reach."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.access.policy import places_for
from bridgework.core.actions import do_create_record, do_update_record, ensure_in_scope
from bridgework.core.events import record_event
from bridgework.places.models import Place

from .audit import scrub_log
from .models import Organisation, OrganisationArea, Person, Post, Theme
from .reach import refresh_reach

__all__ = [
    "ImportWrite",
    "check_areas_in_scope",
    "do_import_actors",
    "do_erase_person",
    "do_save_organisation",
    "do_save_person",
    "do_save_post",
    "erased_name",
    "register_erasure",
]


def check_areas_in_scope(areas: Iterable[Place], *, acting_user, action: str) -> None:
    """Every area of work must be a place where the user may ``action`` organisations."""
    ids = {place.pk for place in areas}
    reachable = places_for(acting_user, action, Organisation).filter(pk__in=ids)
    allowed = set(reachable.values_list("pk", flat=True))
    if ids - allowed:
        raise ValidationError({"areas": _("Some areas are outside your reach.")})


def _sync_areas(organisation: Organisation, areas: Iterable[Place]) -> None:
    """Make the organisation's areas exactly ``areas`` plus its home place."""
    wanted = {place.pk: place for place in areas}
    wanted.setdefault(organisation.place_id, organisation.place)
    current = set(organisation.areas.values_list("place_id", flat=True))
    for area in organisation.areas.exclude(place_id__in=wanted):
        area.delete()  # one by one, so each removal is audited
    for place_id, place in wanted.items():
        if place_id not in current:
            OrganisationArea.objects.create(organisation=organisation, place=place)


@transaction.atomic
def do_save_organisation(
    organisation: Organisation,
    *,
    acting_user,
    areas: Iterable[Place] | None = None,
    save_related: Callable[[], None] | None = None,
) -> Organisation:
    """Create or update an organisation and its areas of work (its home place always is one).

    ``areas`` None keeps the current areas (adding the home place if it moved)."""
    creating = organisation.pk is None
    action = "add" if creating else "change"
    if organisation.parent_id and organisation.parent_id == organisation.pk:
        raise ValidationError({"parent": _("An organisation cannot be its own parent.")})
    area_list = list(areas) if areas is not None else None
    if area_list is not None:
        check_areas_in_scope(area_list, acting_user=acting_user, action=action)

    def related() -> None:
        if save_related is not None:
            save_related()
        kept = area_list if area_list is not None else [a.place for a in organisation.areas.all()]
        _sync_areas(organisation, kept)

    save = do_create_record if creating else do_update_record
    save(organisation, acting_user=acting_user, save_related=related)
    # The stored 3W roll-up follows its areas, themes, sector, level, label and home.
    refresh_reach([organisation.pk])
    return organisation


@transaction.atomic
def do_save_person(person: Person, *, acting_user) -> Person:
    if person.erased_at is not None:
        raise ValidationError(_("An erased person cannot be changed."))
    save = do_create_record if person.pk is None else do_update_record
    save(person, acting_user=acting_user)
    return person


@transaction.atomic
def do_save_post(post: Post, *, acting_user) -> Post:
    """A post lives at its organisation's place, so the scope check uses that place."""
    post.follow_organisation()
    save = do_create_record if post.pk is None else do_update_record
    save(post, acting_user=acting_user)
    return post


@dataclass(frozen=True)
class ImportWrite:
    """One row of a bulk import, already validated by the page's form: a new record, or an
    existing one holding the values merged into it, and what goes with it.

    ``areas`` and ``themes`` are the organisation's full sets after the write (None keeps
    them); ``post`` is a new post for the person (its person is set when saving)."""

    record: Organisation | Person
    areas: tuple[Place, ...] | None = None
    themes: tuple[Theme, ...] | None = None
    post: Post | None = None


@transaction.atomic
def do_import_actors(writes: Sequence[ImportWrite], *, acting_user) -> None:
    """Save every row of an import, or none: each record through the same audited,
    scope-checked save as the pages (one audit entry per write, as ``acting_user``).

    A merge into an existing record is refused unless the user may still change it."""
    for write in writes:
        record = write.record
        if record.pk is not None:
            manager = type(record).objects
            if not manager.visible_to(acting_user, "change").filter(pk=record.pk).exists():
                raise PermissionDenied(_("You may not change %(name)s.") % {"name": record})
        if isinstance(record, Organisation):
            themes = write.themes
            do_save_organisation(
                record,
                acting_user=acting_user,
                areas=write.areas,
                save_related=None if themes is None else _set_themes(record, themes),
            )
        else:
            do_save_person(record, acting_user=acting_user)
            if write.post is not None:
                write.post.person = record
                do_save_post(write.post, acting_user=acting_user)


def _set_themes(organisation: Organisation, themes: Iterable[Theme]) -> Callable[[], None]:
    return lambda: organisation.themes.set(list(themes))


def erased_name(person: Person) -> str:
    return _("Erased person %(number)s") % {"number": person.pk}


# What other modules copied of a person (a reporter's name on an incident report) is erased
# with them: each registered ``scrub(secrets)`` gets the name and contacts, before they go.
_erasure_hooks: dict[str, Callable[[list[str]], object]] = {}


def register_erasure(name: str, scrub: Callable[[list[str]], object]) -> None:
    """Let a module erase what its records hold of a person (at start-up, once per module);
    ``scrub`` runs inside the erasure's transaction."""
    _erasure_hooks[name] = scrub


@transaction.atomic
def do_erase_person(person: Person, *, acting_user) -> Person:
    """Anonymise a person everywhere: name, contacts and notes, the link to a platform account,
    and every audit entry that held them. Posts stay (the organisation had the post) but now
    belong to an anonymous person."""
    if not Person.objects.visible_to(acting_user, "erase").filter(pk=person.pk).exists():
        raise PermissionDenied(_("You may not erase this person."))
    secrets = [person.full_name, person.email, person.phone, person.notes]
    for scrub in _erasure_hooks.values():
        scrub([secret for secret in secrets if secret])
    post_ids = list(person.posts.values_list("pk", flat=True))
    person.full_name = erased_name(person)
    person.email = person.phone = person.notes = ""
    person.user = None
    person.erased_at = timezone.now()
    with disable_auditlog():
        person.save()
    scrub_log(objects={Person: [person.pk], Post: post_ids}, secrets=secrets)
    # The semantic event, written after scrubbing: who erased whom (by id), when.
    with set_actor(acting_user):
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Person),
            object_pk=str(person.pk),
            object_id=person.pk,
            object_repr=person.full_name,
            action=LogEntry.Action.UPDATE,
            changes={"erased_at": ["None", person.erased_at.isoformat()]},
            changes_text=_("Personal data erased on request."),
            actor=acting_user,
        )
    # On the person's timeline and the place's feed: that they were erased, by whom — the
    # event holds ids only, never what was erased.
    record_event(person, "erased", actor=acting_user)
    ensure_in_scope(person, acting_user, "view")
    return person
