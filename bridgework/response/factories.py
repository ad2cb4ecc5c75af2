"""factory_boy factories for reports, tension assessments and alert rules (tests only)."""

from __future__ import annotations

import datetime

import factory

from bridgework.bodies.factories import BodyFactory
from bridgework.places.factories import PlaceFactory

from .choices import ReportKind, ReportSource
from .models import AlertRule, Crisis, CrisisUpdate, Report, TensionAssessment, TensionLevel

__all__ = [
    "AlertRuleFactory",
    "CrisisFactory",
    "CrisisUpdateFactory",
    "ReportFactory",
    "TensionAssessmentFactory",
]


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    class Meta:
        model = Report

    place = factory.SubFactory(PlaceFactory)
    kind = ReportKind.HATE_INCIDENT
    title = factory.Sequence(lambda n: f"Graffiti on a community centre {n}")
    occurred_on = datetime.date(2026, 10, 9)
    description = "Slurs painted on the wall overnight."
    severity = 2
    source = ReportSource.WITNESS
    retain_until = datetime.date(2029, 10, 9)


def _level(value: int = 2) -> TensionLevel:
    level, _created = TensionLevel.objects.get_or_create(value=value, defaults={"name": "L"})
    return level


class TensionAssessmentFactory(factory.django.DjangoModelFactory[TensionAssessment]):
    class Meta:
        model = TensionAssessment

    place = factory.SubFactory(PlaceFactory)
    week_start = factory.Sequence(
        lambda n: datetime.date(2026, 11, 30) - datetime.timedelta(weeks=n)
    )
    level = factory.LazyFunction(_level)
    title = factory.Sequence(lambda n: f"Weekly return {n}")


class AlertRuleFactory(factory.django.DjangoModelFactory[AlertRule]):
    class Meta:
        model = AlertRule

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Serious incidents {n}")
    min_severity = 3
    person = factory.SubFactory("bridgework.access.factories.UserFactory")


class CrisisFactory(factory.django.DjangoModelFactory[Crisis]):
    class Meta:
        model = Crisis

    place = factory.SubFactory(PlaceFactory)
    body = factory.LazyAttribute(lambda crisis: BodyFactory(place=crisis.place))
    title = factory.Sequence(lambda n: f"Tension after the overseas attack {n}")
    started_on = datetime.date(2026, 10, 8)


class CrisisUpdateFactory(factory.django.DjangoModelFactory[CrisisUpdate]):
    class Meta:
        model = CrisisUpdate

    crisis = factory.SubFactory(CrisisFactory)
    text = factory.Sequence(lambda n: f"Vigil planned at the square {n}")
