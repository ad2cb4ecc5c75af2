"""factory_boy factories for bodies, seats, meetings, attendance, decisions and action items.

Seats, meetings, attendance and decisions live at their body's place (the models derive it),
so a factory needs only the body: ``SeatFactory(body=body)``; a body is made at a new place
unless given one: ``BodyFactory(place=city)``.

factory_boy is a test dependency: only tests and ``bridgework/web/testing/`` (and other apps'
factories) may import this module, never the application code.
"""

from __future__ import annotations

import datetime

import factory
from django.db.models import Max
from django.utils import timezone

from bridgework.actors.choices import OrgLevel
from bridgework.actors.factories import OrganisationFactory
from bridgework.actors.models import Organisation, Person
from bridgework.places.factories import PlaceFactory

from .choices import BodyKind, SeatRole
from .models import ActionItem, Attendance, Body, Decision, Meeting, Seat

__all__ = [
    "ActionItemFactory",
    "AttendanceFactory",
    "BodyFactory",
    "DecisionFactory",
    "MeetingFactory",
    "SeatFactory",
]


class BodyFactory(factory.django.DjangoModelFactory[Body]):
    """A local district peace committee at ``place``."""

    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Test Body {n}")
    place = factory.SubFactory(PlaceFactory)
    kind = BodyKind.DISTRICT_PEACE_COMMITTEE
    level = OrgLevel.LOCAL


class SeatFactory(factory.django.DjangoModelFactory[Seat]):
    """A member's seat at ``body``, held by ``person`` when given, otherwise by
    ``organisation`` (by default a new organisation at the body's place)."""

    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    person = None
    organisation = factory.Maybe(
        "person",
        yes_declaration=None,
        no_declaration=factory.SubFactory(
            OrganisationFactory, place=factory.SelfAttribute("..body.place")
        ),
    )
    role = SeatRole.MEMBER


def _one_day_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=1)


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    """A meeting of ``body`` that started one day ago."""

    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Test Meeting {n}")
    starts_at = factory.LazyFunction(_one_day_ago)


class AttendanceFactory(factory.django.DjangoModelFactory[Attendance]):
    """Someone at ``meeting``: a guest ``organisation`` or ``person`` when given, otherwise
    the holder of ``seat`` (by default a new seat of the meeting's body)."""

    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    organisation = None
    person = None
    seat = factory.Maybe(
        factory.LazyAttribute(lambda o: o.organisation is None and o.person is None),
        yes_declaration=factory.SubFactory(
            SeatFactory, body=factory.SelfAttribute("..meeting.body")
        ),
        no_declaration=None,
    )


def _next_number(decision) -> int:
    highest = Decision.objects.filter(meeting=decision.meeting).aggregate(top=Max("number"))
    return (highest["top"] or 0) + 1


class DecisionFactory(factory.django.DjangoModelFactory[Decision]):
    """A decision of ``meeting``, numbered next after the meeting's others."""

    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.LazyAttribute(_next_number)
    text = factory.Sequence(lambda n: f"Test decision {n}")


def _owned_by(kind: type[Organisation] | type[Person]):
    return factory.LazyAttribute(lambda o: o.owner if isinstance(o.owner, kind) else None)


class ActionItemFactory(factory.django.DjangoModelFactory[ActionItem]):
    """An action item raised by ``raised_by`` and owed by ``owner``, an organisation or a
    person (by default a new organisation at the body's place). ``owner_organisation=`` or
    ``owner_person=`` may be given instead of ``owner``."""

    class Meta:
        model = ActionItem

    class Params:
        owner = None

    title = factory.Sequence(lambda n: f"Test Action {n}")
    raised_by = factory.SubFactory(BodyFactory)
    owner_person = _owned_by(Person)
    owner_organisation = factory.Maybe(
        "owner",
        yes_declaration=_owned_by(Organisation),
        no_declaration=factory.Maybe(
            "owner_person",
            yes_declaration=None,
            no_declaration=factory.SubFactory(
                OrganisationFactory, place=factory.SelfAttribute("..raised_by.place")
            ),
        ),
    )
