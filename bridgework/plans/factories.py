"""factory_boy factories for strategies, plans, needs, indicator values and approvals.

Parts live at their parent's place (the models derive it): ``PillarFactory(strategy=s)``,
``PlanActionFactory(priority=p)``. A strategy is owned by a body at a new place unless given
one: ``StrategyFactory(owner__place=country)``; a need is raised at ``place`` and put before
the level above it.

factory_boy is a test dependency: only tests and ``bridgework/web/testing/`` may import it.
"""

from __future__ import annotations

import datetime

import factory

from bridgework.bodies.factories import BodyFactory
from bridgework.places.factories import PlaceFactory

from .choices import Aggregation, NeedCategory, Periodicity
from .models import (
    Approval,
    Indicator,
    IndicatorValue,
    LocalNeed,
    LocalPlan,
    NeedReferral,
    NeedSupport,
    Objective,
    Pillar,
    PlanAction,
    PlanPriority,
    Strategy,
)

__all__ = [
    "ApprovalFactory",
    "IndicatorFactory",
    "IndicatorValueFactory",
    "LocalNeedFactory",
    "LocalPlanFactory",
    "NeedReferralFactory",
    "NeedSupportFactory",
    "ObjectiveFactory",
    "PillarFactory",
    "PlanActionFactory",
    "PlanPriorityFactory",
    "StrategyFactory",
]


class StrategyFactory(factory.django.DjangoModelFactory[Strategy]):
    class Meta:
        model = Strategy

    title = factory.Sequence(lambda n: f"Test Strategy {n}")
    owner = factory.SubFactory(BodyFactory)
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2028, 12, 31)


class PillarFactory(factory.django.DjangoModelFactory[Pillar]):
    class Meta:
        model = Pillar

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Test Pillar {n}")


class ObjectiveFactory(factory.django.DjangoModelFactory[Objective]):
    class Meta:
        model = Objective

    pillar = factory.SubFactory(PillarFactory)
    code = factory.Sequence(lambda n: f"1.{n + 1}")
    title = factory.Sequence(lambda n: f"Test Objective {n}")


class IndicatorFactory(factory.django.DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    objective = factory.SubFactory(ObjectiveFactory)
    code = factory.Sequence(lambda n: f"1.1.{n + 1}")
    name = factory.Sequence(lambda n: f"Test Indicator {n}")
    periodicity = Periodicity.QUARTERLY
    aggregation = Aggregation.SUM


class LocalPlanFactory(factory.django.DjangoModelFactory[LocalPlan]):
    """A draft plan of ``place``, owned by a body of that place."""

    class Meta:
        model = LocalPlan

    title = factory.Sequence(lambda n: f"Test Plan {n}")
    place = factory.SubFactory(PlaceFactory)
    owner = factory.SubFactory(BodyFactory, place=factory.SelfAttribute("..place"))
    starts_on = datetime.date(2025, 1, 1)
    ends_on = datetime.date(2027, 12, 31)


class PlanPriorityFactory(factory.django.DjangoModelFactory[PlanPriority]):
    class Meta:
        model = PlanPriority

    plan = factory.SubFactory(LocalPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Test Priority {n}")


class PlanActionFactory(factory.django.DjangoModelFactory[PlanAction]):
    class Meta:
        model = PlanAction
        skip_postgeneration_save = True

    priority = factory.SubFactory(PlanPriorityFactory)
    title = factory.Sequence(lambda n: f"Test Plan Action {n}")

    @factory.post_generation
    def objectives(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.objectives.set(extracted)


class LocalNeedFactory(factory.django.DjangoModelFactory[LocalNeed]):
    class Meta:
        model = LocalNeed

    title = factory.Sequence(lambda n: f"Test Need {n}")
    place = factory.SubFactory(PlaceFactory)
    category = NeedCategory.TRAINING


class NeedSupportFactory(factory.django.DjangoModelFactory[NeedSupport]):
    class Meta:
        model = NeedSupport

    need = factory.SubFactory(LocalNeedFactory)
    place = factory.SubFactory(PlaceFactory)


class NeedReferralFactory(factory.django.DjangoModelFactory[NeedReferral]):
    """A step of ``need`` from the level it is with to the one above (the need moves)."""

    class Meta:
        model = NeedReferral

    need = factory.SubFactory(LocalNeedFactory)
    from_place = factory.SelfAttribute("need.handled_at")
    to_place = factory.LazyAttribute(lambda o: o.need.handled_at.parent or o.need.handled_at)
    note = "Needs a national answer"


class IndicatorValueFactory(factory.django.DjangoModelFactory[IndicatorValue]):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    place = factory.SubFactory(PlaceFactory)
    period_start = datetime.date(2025, 1, 1)
    value = 10


class ApprovalFactory(factory.django.DjangoModelFactory[Approval]):
    class Meta:
        model = Approval

    strategy = factory.SubFactory(StrategyFactory)
    place = factory.SubFactory(PlaceFactory)
    period_start = datetime.date(2025, 1, 1)
    periodicity = Periodicity.QUARTERLY
