"""Demo strategies, plans, needs and two years of indicator values. Every strategy, plan and
body here is fictional and marked "(demo)"; the pillars follow the shape of the strategies the
report names (prevention, community resilience, capacity, coordination). The places are real.

Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bridgework.actors.choices import OrgLevel
from bridgework.actors.models import Organisation
from bridgework.bodies.choices import BodyKind
from bridgework.bodies.models import Body
from bridgework.core.tlp import TLP
from bridgework.places.models import Place, ancestor_columns

from .choices import (
    AnswerKind,
    NeedCategory,
    NeedStatus,
    Periodicity,
    PlanActionStatus,
    PlanStatus,
    Priority,
    StrategyStatus,
)
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
from .periods import Period

__all__ = ["load", "load_plans"]


def _place(spec: str) -> Place:
    return Place.objects.filter(code=spec).first() or Place.objects.get(name=spec, is_demo=True)


def _body(name: str, kind: str, level: str, place: str, mandate: str) -> Body:
    body, _created = Body.objects.get_or_create(
        name=name,
        defaults={
            "kind": kind,
            "level": level,
            "place": _place(place),
            "mandate": mandate,
            "is_demo": True,
        },
    )
    return body


# --- strategies ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveSpec:
    code: str
    title: str
    indicators: tuple[tuple[str, str, str, str, str], ...] = ()  # code, name, unit, every, rule


@dataclass(frozen=True)
class PillarSpec:
    number: int
    title: str
    objectives: tuple[ObjectiveSpec, ...]


M, Q, Y = Periodicity.MONTHLY, Periodicity.QUARTERLY, Periodicity.YEARLY
SUM, AVG, LATEST = "sum", "average", "latest"

# The four pillars every demo strategy shares; the objectives differ by country.
PILLARS = {
    "AL": (
        PillarSpec(
            1,
            "Prevention",
            (
                ObjectiveSpec(
                    "1.1",
                    "Schools and families recognise and refer early signs of radicalisation",
                    (("1.1.a", "Referrals from schools", "referrals", Q, SUM),),
                ),
                ObjectiveSpec("1.2", "Online hate is countered with credible local voices"),
            ),
        ),
        PillarSpec(
            2,
            "Community resilience",
            (
                ObjectiveSpec(
                    "2.1",
                    "Every municipality runs a local safety council with civil society",
                    (("2.1.a", "Local safety council meetings held", "meetings", Q, SUM),),
                ),
                ObjectiveSpec("2.2", "Returnees and their families are reintegrated"),
            ),
        ),
        PillarSpec(
            3,
            "Capacity",
            (
                ObjectiveSpec(
                    "3.1",
                    "Frontline practitioners are trained in prevention",
                    (("3.1.a", "Practitioners trained", "people", M, SUM),),
                ),
            ),
        ),
        PillarSpec(
            4,
            "Coordination",
            (ObjectiveSpec("4.1", "Municipal prevention plans are aligned with the strategy"),),
        ),
    ),
    "CA": (
        PillarSpec(
            1,
            "Prevention",
            (
                ObjectiveSpec(
                    "1.1",
                    "Locally-led intervention programmes reach people at risk",
                    (("1.1.a", "People supported by intervention programmes", "people", Q, SUM),),
                ),
            ),
        ),
        PillarSpec(
            2,
            "Community resilience",
            (
                ObjectiveSpec(
                    "2.1",
                    "Communities and police build trusted relationships",
                    (("2.1.a", "Community trust score", "%", Y, AVG),),
                ),
                ObjectiveSpec("2.2", "Polarisation after global events is met with dialogue"),
            ),
        ),
        PillarSpec(
            3,
            "Capacity",
            (ObjectiveSpec("3.1", "Researchers and practitioners share evidence"),),
        ),
        PillarSpec(
            4,
            "Coordination",
            (
                ObjectiveSpec(
                    "4.1",
                    "Federal, provincial and municipal services connect across the country",
                    (
                        (
                            "4.1.a",
                            "Municipalities in the practitioner network",
                            "municipalities",
                            Q,
                            LATEST,
                        ),
                    ),
                ),
            ),
        ),
    ),
    "MW": (
        PillarSpec(
            1,
            "Prevention",
            (
                ObjectiveSpec(
                    "1.1",
                    "Tensions are spotted early by district peace committees",
                    (("1.1.a", "Tensions reported and resolved", "cases", M, SUM),),
                ),
            ),
        ),
        PillarSpec(
            2,
            "Community resilience",
            (
                ObjectiveSpec(
                    "2.1",
                    "Young people lead dialogue and enterprise in their towns",
                    (("2.1.a", "Young people in dialogue clubs", "people", Q, SUM),),
                ),
                ObjectiveSpec("2.2", "Residents take part in town halls and committees"),
            ),
        ),
        PillarSpec(
            3,
            "Capacity",
            (
                ObjectiveSpec(
                    "3.1",
                    "Community mediators are trained in every district",
                    (("3.1.a", "Mediators trained", "people", Q, SUM),),
                ),
            ),
        ),
        PillarSpec(
            4,
            "Coordination",
            (ObjectiveSpec("4.1", "District plans answer the national strategy"),),
        ),
    ),
}

STRATEGIES = {
    "AL": (
        "National Strategy on Countering Violent Extremism (demo)",
        "National CVE Coordination Board (demo)",
        datetime.date(2024, 1, 1),
        datetime.date(2028, 12, 31),
    ),
    "CA": (
        "National Strategy on Countering Radicalization to Violence (demo)",
        "Federal-Provincial Prevention Network (demo)",
        datetime.date(2023, 4, 1),
        datetime.date(2028, 3, 31),
    ),
    "MW": (
        "National Peace and Social Cohesion Strategy (demo)",
        "National Peace and Unity Council (demo)",
        datetime.date(2024, 7, 1),
        datetime.date(2029, 6, 30),
    ),
}


def _national_bodies() -> None:
    _body(
        "Federal-Provincial Prevention Network (demo)",
        BodyKind.NATIONAL_CENTRE,
        OrgLevel.NATIONAL,
        "CA",
        "Connects federal departments, provinces and municipalities on preventing violence.",
    )
    _body(
        "National Peace and Unity Council (demo)",
        BodyKind.NATIONAL_CENTRE,
        OrgLevel.NATIONAL,
        "MW",
        "Sets the national peace strategy with the districts and answers their needs.",
    )


def _strategy(country: str) -> Strategy:
    title, owner, starts, ends = STRATEGIES[country]
    existing = Strategy.objects.filter(title=title).order_by("-version").first()
    if existing is not None:
        return existing
    strategy = Strategy.objects.create(
        title=title,
        owner=Body.objects.get(name=owner),
        summary="Pillars: prevention, community resilience, capacity and coordination.",
        starts_on=starts,
        ends_on=ends,
        tlp=TLP.CLEAR,
        status=StrategyStatus.CURRENT,
        is_demo=True,
    )
    for pillar_spec in PILLARS[country]:
        pillar = Pillar.objects.create(
            strategy=strategy, number=pillar_spec.number, title=pillar_spec.title
        )
        for spec in pillar_spec.objectives:
            objective = Objective.objects.create(pillar=pillar, code=spec.code, title=spec.title)
            for code, name, unit, every, rule in spec.indicators:
                Indicator.objects.create(
                    objective=objective,
                    code=code,
                    name=name,
                    unit=unit,
                    periodicity=every,
                    aggregation=rule,
                )
    return strategy


def _revise_albania(first: Strategy) -> Strategy:
    """Albania's strategy was revised in 2025: version 2 is in force, version 1 superseded;
    Tirana's plan still links an objective of version 1, which counts for version 2."""
    if first.version > 1:
        return first
    second = Strategy.objects.create(
        title=first.title,
        owner=first.owner,
        summary=first.summary + " Revised in 2025 after the mid-term review.",
        starts_on=first.starts_on,
        ends_on=first.ends_on,
        tlp=first.tlp,
        status=StrategyStatus.CURRENT,
        version=2,
        previous=first,
        is_demo=True,
    )
    objectives = {}
    for pillar in first.pillars.order_by("number"):
        copy = Pillar.objects.create(strategy=second, number=pillar.number, title=pillar.title)
        for objective in pillar.objectives.order_by("code"):
            objectives[objective.pk] = Objective.objects.create(
                pillar=copy, code=objective.code, title=objective.title, lineage=objective
            )
    for indicator in first.indicators.all():
        Indicator.objects.create(
            objective=objectives[indicator.objective_id],
            code=indicator.code,
            name=indicator.name,
            unit=indicator.unit,
            periodicity=indicator.periodicity,
            aggregation=indicator.aggregation,
            lineage=indicator,
        )
    Objective.objects.create(
        pillar=second.pillars.get(number=1),
        code="1.3",
        title="Tensions after global events are met by local leaders together",
    )
    first.status = StrategyStatus.SUPERSEDED
    first.save(update_fields=["status"])
    return second


# --- local plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    title: str
    objectives: tuple[str, ...]  # objective codes of the country's first strategy version
    organisations: tuple[str, ...] = ()
    status: str = PlanActionStatus.PLANNED


@dataclass(frozen=True)
class PlanSpec:
    title: str
    place: str
    owner: str
    status: str
    priorities: tuple[tuple[str, tuple[ActionSpec, ...]], ...]


PLAN_BODIES = (
    ("Tirana Local Safety Council (demo)", "Tirana"),
    ("Kamëz Local Safety Council (demo)", "Kamëz"),
)

PLANS = (
    PlanSpec(
        "Tirana prevention plan 2025–2027 (demo)",
        "Tirana",
        "Tirana Local Safety Council (demo)",
        PlanStatus.ADOPTED,
        (
            (
                "Schools and families",
                (
                    ActionSpec(
                        "Referral protocol in every secondary school",
                        ("1.1",),
                        ("Tirana Schools Resilience Programme (demo)",),
                        PlanActionStatus.UNDER_WAY,
                    ),
                    ActionSpec("Parents' evenings on online risks", ("1.2",)),
                ),
            ),
            (
                "A council that meets",
                (
                    ActionSpec(
                        "Quarterly local safety council with civil society",
                        ("2.1",),
                        ("Tirana Municipal Prevention Team (demo)",),
                        PlanActionStatus.UNDER_WAY,
                    ),
                    ActionSpec("Neighbourhood clean-up festival", ()),
                ),
            ),
        ),
    ),
    PlanSpec(
        "Kamëz youth and safety plan (demo)",
        "Kamëz",
        "Kamëz Local Safety Council (demo)",
        PlanStatus.DRAFT,
        (("Young people", (ActionSpec("Youth voices radio hour", ("1.2",)),)),),
    ),
    PlanSpec(
        "Lilongwe District peace plan 2025–2026 (demo)",
        "MW-LI",
        "Lilongwe District Peace Committee (demo)",
        PlanStatus.ADOPTED,
        (
            (
                "Early warning",
                (
                    ActionSpec(
                        "Monthly tension review with traditional leaders",
                        ("1.1",),
                        (),
                        PlanActionStatus.UNDER_WAY,
                    ),
                ),
            ),
            ("Mediators", (ActionSpec("Train two mediators per ward", ("3.1",)),)),
        ),
    ),
    PlanSpec(
        "Lilongwe City cohesion plan (demo)",
        "Lilongwe City",
        "Lilongwe City Community Policing Forum (demo)",
        PlanStatus.ADOPTED,
        (
            (
                "Youth",
                (
                    ActionSpec(
                        "Youth dialogue clubs in five wards",
                        ("2.1",),
                        ("Lilongwe Youth Peace Forum (demo)",),
                        PlanActionStatus.UNDER_WAY,
                    ),
                    ActionSpec(
                        "Town halls in every ward twice a year",
                        ("2.2",),
                        ("Lilongwe City Council Cohesion Office (demo)",),
                    ),
                ),
            ),
            (
                "Safety",
                (
                    ActionSpec(
                        "Community policing forum in Kawale and Mtandire",
                        ("1.1",),
                        ("Lilongwe Community Policing Forum Secretariat (demo)",),
                    ),
                    ActionSpec("Street lighting at the bus depot", ()),
                ),
            ),
        ),
    ),
    PlanSpec(
        "Peel community safety and well-being plan (demo)",
        "Peel Region",
        "Peel Community Leaders' Table (demo)",
        PlanStatus.ADOPTED,
        (
            (
                "Relationships between communities",
                (
                    ActionSpec(
                        "Leaders' table meets after every global flashpoint",
                        ("2.2",),
                        ("Peel Community Policing Liaison (demo)",),
                        PlanActionStatus.UNDER_WAY,
                    ),
                    ActionSpec("Joint youth programme map", ("2.1",)),
                ),
            ),
            (
                "Intervention",
                (
                    ActionSpec(
                        "Locally-led intervention hub",
                        ("1.1",),
                        ("Peel Community Safety Partners (demo)",),
                    ),
                ),
            ),
        ),
    ),
)


def _first_version_objectives(country: str) -> dict[str, Objective]:
    title = STRATEGIES[country][0]
    first = Strategy.objects.get(title=title, version=1)
    return {o.code: o for o in Objective.objects.filter(strategy=first)}


def _plans(today: datetime.date) -> list[LocalPlan]:
    for name, where in PLAN_BODIES:
        _body(
            name,
            BodyKind.CITY_PREVENTION_TEAM,
            OrgLevel.LOCAL,
            where,
            "Brings the municipality, police, schools and civil society together on safety.",
        )
    plans = []
    for spec in PLANS:
        place = _place(spec.place)
        plan = LocalPlan.objects.filter(title=spec.title).first()
        if plan is not None:
            plans.append(plan)
            continue
        plan = LocalPlan.objects.create(
            title=spec.title,
            place=place,
            owner=Body.objects.get(name=spec.owner),
            summary="What the place will do in these years, and for which national objectives.",
            starts_on=datetime.date(today.year - 1, 1, 1),
            ends_on=datetime.date(today.year + 1, 12, 31),
            status=spec.status,
            tlp=TLP.GREEN,
            is_demo=True,
        )
        objectives = _first_version_objectives(place.country_code)
        for number, (title, actions) in enumerate(spec.priorities, start=1):
            priority = PlanPriority.objects.create(plan=plan, number=number, title=title)
            for action_spec in actions:
                action = PlanAction.objects.create(
                    priority=priority,
                    title=action_spec.title,
                    status=action_spec.status,
                    due_on=datetime.date(today.year, 12, 31),
                )
                action.objectives.set([objectives[code] for code in action_spec.objectives])
                action.organisations.set(
                    Organisation.objects.filter(name__in=action_spec.organisations)
                )
        plans.append(plan)
    return plans


# --- needs ---------------------------------------------------------------------------------------


def _need(
    title: str,
    place: str,
    category: str,
    *,
    priority: str = Priority.MEDIUM,
    description: str = "",
    evidence: str = "",
    days_ago: int = 30,
) -> tuple[LocalNeed, bool]:
    existing = LocalNeed.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    need = LocalNeed.objects.create(
        title=title,
        place=_place(place),
        category=category,
        priority=priority,
        description=description,
        evidence=evidence,
        tlp=TLP.GREEN,
        is_demo=True,
    )
    LocalNeed.objects.filter(pk=need.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    need.refresh_from_db()
    return need, True


def _pass_up(need: LocalNeed, note: str, days_ago: int) -> None:
    target = need.handled_at.parent
    assert target is not None, "the demo never passes a need above its country"
    referral = NeedReferral.objects.create(
        need=need, from_place=need.handled_at, to_place=target, note=note
    )
    NeedReferral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    need.handled_at = target
    need.status = NeedStatus.ESCALATED
    need.save()


def _needs(today: datetime.date) -> None:
    _need(
        "Ward-level data on hate incidents (demo)",
        "Lilongwe City",
        NeedCategory.DATA,
        description="We cannot tell which wards see most incidents: police data stop at the "
        "district.",
        evidence="Three ward councillors asked for it at the last town hall.",
        days_ago=12,
    )
    funding, new = _need(
        "Funding for youth dialogue clubs (demo)",
        "Lilongwe City",
        NeedCategory.FUNDING,
        priority=Priority.HIGH,
        description="Five clubs run on volunteers' own money; they need a small grant each.",
        evidence="Club registers: 240 young people took part in 2025.",
        days_ago=75,
    )
    if new:
        _pass_up(funding, "The district budget cannot cover it; the region should look.", 60)
        _pass_up(funding, "A national fund is the right place for this.", 41)
        NeedSupport.objects.create(
            need=funding,
            place=_place("Blantyre City"),
            note="Our clubs in Ndirande face the same gap.",
        )
        LocalNeed.objects.filter(pk=funding.pk).update(support_count=1)
    answered, new = _need(
        "Training on online hate for municipal staff (demo)",
        "Tirana",
        NeedCategory.TRAINING,
        description="Staff who moderate the municipality's pages need to spot and answer hate.",
        days_ago=120,
    )
    if new:
        answered.status = NeedStatus.ANSWERED
        answered.answer_kind = AnswerKind.COURSE
        answered.answer_title = "Countering online hate: a course for municipalities (demo)"
        answered.answer_text = "Two places are kept for Tirana in each session this year."
        answered.closed_on = today - datetime.timedelta(days=40)
        answered.save()
    declined, new = _need(
        "A full-time municipal prevention officer (demo)",
        "Kamëz",
        NeedCategory.MANDATE,
        days_ago=90,
    )
    if new:
        declined.status = NeedStatus.DECLINED
        declined.answer_kind = AnswerKind.DECLINE
        declined.answer_text = (
            "Posts are created by the municipal council; the county can second an officer "
            "one day a week instead."
        )
        declined.closed_on = today - datetime.timedelta(days=20)
        declined.save()
    _need(
        "Peer exchange with other Canadian cities on polarisation (demo)",
        "Peel Region",
        NeedCategory.NETWORKING,
        description="We want to learn from cities that handled protests after global events.",
        days_ago=8,
    )


# --- indicator values ----------------------------------------------------------------------------

REPORTING_PLACES = {
    "AL": ("Tirana", "Kamëz", "Durrës"),
    "CA": ("Peel Region", "Toronto", "Mississauga", "Brampton"),
    "MW": ("Lilongwe City", "Blantyre City", "Mzuzu City"),
}


def _values(today: datetime.date) -> None:
    """Two years of values for every indicator at the demo cities, the same on every run."""
    if IndicatorValue.objects.filter(place__is_demo=True).exists():
        return
    rng = random.Random(2024)  # noqa: S311  (demo figures, not secrets)
    rows = []
    for country, names in REPORTING_PLACES.items():
        strategy = Strategy.objects.filter(
            title=STRATEGIES[country][0], status=StrategyStatus.CURRENT
        ).get()
        for indicator in strategy.indicators.order_by("code"):
            last = Period.containing(today, indicator.periodicity).previous()
            count = {M: 24, Q: 8, Y: 2}[Periodicity(indicator.periodicity)]
            for name in names:
                place = _place(name)
                base = rng.randint(5, 40)
                for period in last.last(count):
                    value = Decimal(max(0, base + rng.randint(-4, 6)))
                    if indicator.aggregation == AVG:
                        value = Decimal(rng.randint(55, 80))
                    rows.append(
                        IndicatorValue(
                            indicator=indicator,
                            series=indicator.series_id,
                            periodicity=indicator.periodicity,
                            place=place,
                            place_path=place.path,
                            period_start=period.start,
                            value=value,
                            **ancestor_columns(place.path),
                        )
                    )
    IndicatorValue.objects.bulk_create(rows, batch_size=500)
    # Lilongwe City and Blantyre City signed off last year's last quarter; the district too.
    malawi = Strategy.objects.get(title=STRATEGIES["MW"][0])
    quarter = Period.containing(datetime.date(today.year - 1, 12, 1), Q)
    for name in ("Lilongwe City", "Blantyre City"):
        Approval.objects.get_or_create(
            strategy=malawi,
            place=_place(name),
            periodicity=quarter.kind,
            period_start=quarter.start,
            defaults={"note": "Checked against the registers."},
        )


@transaction.atomic
def load_plans() -> None:
    today = timezone.localdate()
    _national_bodies()
    strategies = {country: _strategy(country) for country in STRATEGIES}
    _revise_albania(strategies["AL"])
    _plans(today)
    _needs(today)
    _values(today)


def load() -> None:
    load_plans()
