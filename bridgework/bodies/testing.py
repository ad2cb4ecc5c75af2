"""Record builders for tests of the bodies module (and of modules that read it)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, Person, Post
from bridgework.places.models import Place

from .choices import BodyKind, SeatRole
from .models import ActionItem, Body, Meeting, Seat

__all__ = ["make_action", "make_body", "make_meeting", "make_org", "make_person", "make_seat"]

_serial = itertools.count(1)


def make_org(
    place: Place, *, sector: str = Sector.LOCAL_GOVERNMENT, level: str = OrgLevel.LOCAL, **fields
) -> Organisation:
    fields.setdefault("name", f"Organisation {next(_serial)}")
    return Organisation.objects.create(place=place, sector=sector, level=level, **fields)


def make_person(place: Place, *, post_in: Organisation | None = None, **fields) -> Person:
    fields.setdefault("full_name", f"Person {next(_serial)}")
    person = Person.objects.create(place=place, **fields)
    if post_in is not None:
        Post.objects.create(person=person, organisation=post_in, title="Officer")
    return person


def make_body(place: Place, **fields) -> Body:
    fields.setdefault("name", f"Body {next(_serial)}")
    fields.setdefault("kind", BodyKind.DISTRICT_PEACE_COMMITTEE)
    fields.setdefault("level", OrgLevel.LOCAL)
    return Body.objects.create(place=place, **fields)


def make_seat(
    body: Body, *, organisation: Organisation | None = None, person: Person | None = None, **fields
) -> Seat:
    if organisation is None and person is None:
        organisation = make_org(body.place)
    fields.setdefault("role", SeatRole.MEMBER)
    return Seat.objects.create(body=body, organisation=organisation, person=person, **fields)


def make_meeting(body: Body, *, starts_at: datetime.datetime | None = None, **fields) -> Meeting:
    fields.setdefault("title", f"Meeting {next(_serial)}")
    starts_at = starts_at or timezone.now() - datetime.timedelta(days=1)
    return Meeting.objects.create(body=body, starts_at=starts_at, **fields)


def make_action(body: Body, *, owner: Organisation | Person | None = None, **fields) -> ActionItem:
    owner = owner if owner is not None else make_org(body.place)
    fields.setdefault("title", f"Action {next(_serial)}")
    if isinstance(owner, Person):
        fields["owner_person"] = owner
    else:
        fields["owner_organisation"] = owner
    return ActionItem.objects.create(raised_by=body, **fields)
