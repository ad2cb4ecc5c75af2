"""factory_boy factories for funds, calls, applications, reviews, grants, tranches and
reports (tests only).

Parts live at their parent's place (the models derive it). ``ApplicationFactory(place=p)``
makes an organisation at ``p`` applying to an open call of a fund owned by a body at ``p``
(so the place is eligible); its budget adds up to its amount.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from bridgework.access.factories import UserFactory
from bridgework.actors.factories import OrganisationFactory, PostFactory
from bridgework.actors.models import Person
from bridgework.bodies.factories import BodyFactory
from bridgework.places.factories import PlaceFactory
from bridgework.plans.factories import IndicatorFactory

from .choices import ApplicationStatus
from .models import (
    Application,
    Call,
    Fund,
    Grant,
    GrantIndicator,
    Report,
    Result,
    Review,
    Tranche,
)

__all__ = [
    "ApplicationFactory",
    "CallFactory",
    "FundFactory",
    "GrantFactory",
    "GrantIndicatorFactory",
    "ReportFactory",
    "ResultFactory",
    "ReviewFactory",
    "TrancheFactory",
    "indicator_at",
    "post_for",
]

CRITERIA = [
    {"key": "fit-with-local-needs", "name": "Fit with local needs", "weight": 40},
    {"key": "feasibility", "name": "Feasibility", "weight": 30},
    {"key": "value-for-money", "name": "Value for money", "weight": 30},
]
QUESTIONS = [
    {"key": "who-takes-part", "label": "Who takes part?", "required": True},
    {"key": "risks", "label": "Risks", "required": False},
]


class FundFactory(factory.django.DjangoModelFactory[Fund]):
    class Meta:
        model = Fund

    name = factory.Sequence(lambda n: f"Test Fund {n}")
    owner = factory.SubFactory(BodyFactory)
    currency = "CAD"
    time_zone = "America/Toronto"
    budget = factory.LazyFunction(lambda: {"2026": "1000000.00", "2027": "1000000.00"})


class CallFactory(factory.django.DjangoModelFactory[Call]):
    """An open call: opened a month ago, closes in a month."""

    class Meta:
        model = Call

    fund = factory.SubFactory(FundFactory)
    title = factory.Sequence(lambda n: f"Test Call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    max_amount = Decimal("150000.00")
    max_years = 3
    criteria = factory.LazyFunction(lambda: [dict(c) for c in CRITERIA])
    questions = factory.LazyFunction(lambda: [dict(q) for q in QUESTIONS])


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application

    class Params:
        place = factory.SubFactory(PlaceFactory)

    organisation = factory.SubFactory(OrganisationFactory, place=factory.SelfAttribute("..place"))
    call = factory.LazyAttribute(
        lambda o: CallFactory(fund=FundFactory(owner=BodyFactory(place=o.place)))
    )
    title = factory.Sequence(lambda n: f"Test Project {n}")
    amount = Decimal("90000.00")
    starts_on = datetime.date(2027, 1, 1)
    years = 3
    budget = factory.LazyFunction(
        lambda: {"2027": "30000.00", "2028": "30000.00", "2029": "30000.00"}
    )
    answers = factory.LazyFunction(lambda: {"who-takes-part": "Youth workers", "risks": ""})


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review

    # Reviewers are given submitted applications only (a draft is never theirs to see).
    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.SUBMITTED)
    reviewer = factory.SubFactory(UserFactory)


def _next_report(grant: Any) -> None:
    """What the funding actions keep on a grant (its next report period), for records made
    here without them."""
    from .actions import refresh_next_report

    refresh_next_report([grant.pk], instances=[grant])


class GrantFactory(factory.django.DjangoModelFactory[Grant]):
    class Meta:
        model = Grant
        skip_postgeneration_save = True  # the hook writes its one field itself

    application = factory.SubFactory(ApplicationFactory, status="approved")
    amount = Decimal("90000.00")
    starts_on = datetime.date(2027, 1, 1)
    years = 3
    report_every_months = 12

    @factory.post_generation
    def next_report(grant, create, extracted, **kwargs):
        if create:
            _next_report(grant)


class TrancheFactory(factory.django.DjangoModelFactory[Tranche]):
    class Meta:
        model = Tranche

    grant = factory.SubFactory(GrantFactory)
    number = factory.Sequence(lambda n: n + 1)
    due_on = datetime.date(2027, 1, 15)
    amount = Decimal("30000.00")


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    class Meta:
        model = Report
        skip_postgeneration_save = True

    grant = factory.SubFactory(GrantFactory)
    period_start = datetime.date(2027, 1, 1)
    period_end = datetime.date(2027, 12, 31)
    text = "Twelve dialogue sessions held with 140 young people."

    @factory.post_generation
    def next_report(report, create, extracted, **kwargs):
        if create:
            _next_report(report.grant)


def indicator_at(place):
    """An indicator of a strategy owned by a body at ``place`` (so people there see it)."""
    return IndicatorFactory(objective__pillar__strategy__owner=BodyFactory(place=place))


class GrantIndicatorFactory(factory.django.DjangoModelFactory[GrantIndicator]):
    """The grant tracks an indicator of a strategy at the grant's place."""

    class Meta:
        model = GrantIndicator

    grant = factory.SubFactory(GrantFactory)
    indicator = factory.LazyAttribute(lambda o: indicator_at(o.grant.place))
    target = Decimal("200")


class ResultFactory(factory.django.DjangoModelFactory[Result]):
    """A progress report's value for an indicator its grant tracks."""

    class Meta:
        model = Result

    class Params:
        tracked = factory.SubFactory(GrantIndicatorFactory)

    report = factory.LazyAttribute(lambda o: ReportFactory(grant=o.tracked.grant))
    indicator = factory.LazyAttribute(lambda o: o.tracked.indicator)
    value = Decimal("80")


def post_for(user, organisation):
    """A current post for ``user`` in ``organisation`` (what makes a partner its applicant)."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        return PostFactory(organisation=organisation, person__user=user)
    return PostFactory(organisation=organisation, person=person)
