"""Reads of the plans module: the strategy in force for a place, alignment of local plans with
national objectives, needs and their age, and the state of a period's approvals. Every read
takes the acting user and returns only what they may see."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from bridgework.access.policy import scoped_prefetch
from bridgework.core.paths import ancestor_paths
from bridgework.places.models import Place
from bridgework.places.selectors import level_names

from .choices import NeedCategory, Periodicity, StrategyStatus
from .models import (
    Approval,
    IndicatorValue,
    LocalNeed,
    LocalPlan,
    LocalPlanQuerySet,
    Objective,
    PlanAction,
    Strategy,
)
from .periods import Period

__all__ = [
    "ApprovalState",
    "NationalAlignment",
    "PlaceAlignment",
    "alignment_matrix",
    "approval_blockers",
    "approval_state",
    "current_plans",
    "current_strategy",
    "lock_covering",
    "national_alignment",
    "needs_before",
    "place_alignment",
    "plan_depths",
]

# How far down the "places without a current plan" list reaches by default: the level where
# most plans are, or cities when there is none yet.
DEFAULT_PLAN_DEPTH = 4


def _today() -> datetime.date:
    return timezone.localdate()


def current_strategy(place: Place, user) -> Strategy | None:
    """The strategy in force nearest above ``place`` (the country's, or a province's own)."""
    paths = [*ancestor_paths(place.path), place.path]
    return (
        Strategy.objects.visible_to(user)
        .filter(status=StrategyStatus.CURRENT, place_path__in=paths)
        .order_by("-place_path", "-version")
        .first()
    )


def strategy_objectives(strategy: Strategy | None, user) -> list[Objective]:
    if strategy is None:
        return []
    return list(
        Objective.objects.visible_to(user)
        .filter(strategy=strategy)
        .select_related("pillar")
        .order_by("pillar__number", "code", "pk")
    )


def current_plans(user, day: datetime.date | None = None) -> LocalPlanQuerySet:
    return LocalPlan.objects.visible_to(user).current_on(day or _today())


# --- a place's alignment -------------------------------------------------------------------------


@dataclass
class PlaceAlignment:
    place: Place
    strategy: Strategy | None
    plans: list[LocalPlan]
    objectives_without_action: list[Objective]
    actions_without_objective: list[PlanAction]
    covered: list[tuple[Objective, list[PlanAction]]]
    open_needs: list[LocalNeed]
    day: datetime.date

    @property
    def has_plan(self) -> bool:
        return bool(self.plans)


def place_alignment(place: Place, user, day: datetime.date | None = None) -> PlaceAlignment:
    """For one place: the national objectives its current plan serves and those it does not,
    its actions that serve none, and its open needs with their age."""
    day = day or _today()
    strategy = current_strategy(place, user)
    objectives = strategy_objectives(strategy, user)
    plans = list(current_plans(user, day).filter(place=place).order_by("-starts_on", "pk"))
    actions = list(
        PlanAction.objects.visible_to(user)
        .filter(plan__in=plans)
        .select_related("priority")
        .prefetch_related(scoped_prefetch("objectives", user, model=Objective, to_attr="served"))
        .order_by("priority__number", "pk")
    )
    by_root: dict[int, list[PlanAction]] = defaultdict(list)
    for action in actions:
        for objective in action.served:  # type: ignore[attr-defined]
            by_root[objective.root_id].append(action)
    open_needs = list(
        LocalNeed.objects.visible_to(user)
        .open()
        .filter(place=place)
        .select_related("handled_at")
        .order_by("created_at", "pk")
    )
    return PlaceAlignment(
        place=place,
        strategy=strategy,
        plans=plans,
        objectives_without_action=[o for o in objectives if o.root_id not in by_root],
        actions_without_objective=[a for a in actions if not a.served],  # type: ignore[attr-defined]
        covered=[(o, by_root[o.root_id]) for o in objectives if o.root_id in by_root],
        open_needs=open_needs,
        day=day,
    )


# --- the national picture ------------------------------------------------------------------------


@dataclass
class NationalAlignment:
    country: Place
    strategy: Strategy | None
    coverage: list[tuple[Objective, int]]
    needs_by_category: list[tuple[Any, list[int], int]]
    levels: list[tuple[int, str]]
    depth: int
    places_without_plan: list[Place]
    places_at_depth: int
    day: datetime.date = field(default_factory=_today)


def _served_roots(user, country: Place, day: datetime.date) -> QuerySet:
    """(objective root, place) pairs of the current plans' actions in ``country``."""
    links = PlanAction.objectives.through.objects.filter(
        planaction__in=PlanAction.objects.visible_to(user).filter(
            plan__in=current_plans(user, day).in_subtree(country.path)
        ),
        objective__in=Objective.objects.visible_to(user),
    )
    return links.annotate(
        root=Coalesce("objective__lineage_id", "objective_id"),
        plan_place=F("planaction__plan__place_id"),
    ).values("root", "plan_place")  # type: ignore[misc]  # annotations the plugin misses


def plan_depths(user, country: Place, day: datetime.date | None = None) -> Counter[int]:
    """How many current plans there are at each depth of ``country``."""
    rows = (
        current_plans(user, day)
        .in_subtree(country.path)
        .order_by()
        .values("place__depth")
        .annotate(n=Count("pk"))
    )
    return Counter({row["place__depth"]: row["n"] for row in rows})


def national_alignment(
    country: Place, user, *, depth: int | None = None, day: datetime.date | None = None
) -> NationalAlignment:
    """For a national coordinator: how many places act on each national objective, the needs
    no one has answered by category and by the level they are with, and the places (at
    ``depth``) without a current plan."""
    day = day or _today()
    strategy = current_strategy(country, user)
    objectives = strategy_objectives(strategy, user)
    places_by_root: dict[int, set[int]] = defaultdict(set)
    for row in _served_roots(user, country, day).distinct():
        places_by_root[row["root"]].add(row["plan_place"])
    coverage = [(o, len(places_by_root.get(o.root_id, ()))) for o in objectives]

    names = level_names(country.country_code or country.code)
    open_needs = (
        LocalNeed.objects.visible_to(user)
        .open()
        .in_subtree(country.path)
        .order_by()
        .values("category", "handled_at__depth")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[str, int], int] = {
        (row["category"], row["handled_at__depth"]): row["n"] for row in open_needs
    }
    depths = sorted({d for _c, d in counts} | {1, 2, 3})
    levels = [(d, names.get(d, "")) for d in depths]
    needs_by_category = [
        (
            label,
            [counts.get((value, d), 0) for d in depths],
            sum(counts.get((value, d), 0) for d in depths),
        )
        for value, label in NeedCategory.choices
    ]

    if depth is None:
        by_depth = plan_depths(user, country, day)
        depth = by_depth.most_common(1)[0][0] if by_depth else DEFAULT_PLAN_DEPTH
    with_plan = current_plans(user, day).in_subtree(country.path).values("place_id")
    at_depth = Place.objects.visible_to(user).in_subtree(country.path).filter(depth=depth)
    without = at_depth.exclude(pk__in=with_plan).order_by("name", "pk")
    return NationalAlignment(
        country=country,
        strategy=strategy,
        coverage=coverage,
        needs_by_category=needs_by_category,
        levels=levels,
        depth=depth,
        places_without_plan=list(without[:500]),
        places_at_depth=at_depth.count(),
        day=day,
    )


@dataclass
class AlignmentMatrix:
    country: Place
    strategy: Strategy | None
    objectives: list[Objective]
    rows: list[tuple[Place, list[int], bool]]  # place, actions per objective, has a plan


def alignment_matrix(
    country: Place,
    user,
    *,
    depth: int | None = None,
    with_empty: bool = False,
    day: datetime.date | None = None,
) -> AlignmentMatrix:
    """Places × national objectives: how many actions of each place's current plan serve each
    objective. Places without a plan are listed when ``with_empty``."""
    day = day or _today()
    strategy = current_strategy(country, user)
    objectives = strategy_objectives(strategy, user)
    counts: dict[tuple[int, int], int] = Counter()
    for row in _served_roots(user, country, day):
        counts[(row["plan_place"], row["root"])] += 1
    planned = set(
        current_plans(user, day).in_subtree(country.path).values_list("place_id", flat=True)
    )
    places = Place.objects.visible_to(user).in_subtree(country.path)
    if depth is not None:
        places = places.filter(depth=depth)
    if not with_empty:
        places = places.filter(pk__in=planned)
    rows = [
        (place, [counts.get((place.pk, o.root_id), 0) for o in objectives], place.pk in planned)
        for place in places.order_by("path")[:1000]
    ]
    return AlignmentMatrix(country, strategy, objectives, rows)


# --- needs ---------------------------------------------------------------------------------------


def needs_before(place: Place, user) -> QuerySet[LocalNeed]:
    """The open needs waiting for an answer at ``place`` (the level they are with)."""
    return (
        LocalNeed.objects.visible_to(user)
        .open()
        .filter(handled_at=place)
        .select_related("place")
        .order_by("created_at", "pk")
    )


# --- approvals and locks -------------------------------------------------------------------------


def _containing(period: Period) -> Q:
    """Approvals whose period holds ``period`` (the same period or a longer one around it)."""
    condition = Q(pk__in=[])
    for kind in Periodicity.values:
        outer = Period.containing(period.start, kind)
        if outer.contains(period):
            condition |= Q(periodicity=kind, period_start=outer.start)
    return condition


def lock_covering(
    strategy: Strategy, place: Place, period: Period, *, above_only: bool = False
) -> Approval | None:
    """The approval (at ``place`` or above it) that locks its values of ``strategy`` for
    ``period``, if any: a check, not a read shown as a list."""
    paths = ancestor_paths(place.path) + ([] if above_only else [place.path])
    return (
        Approval.objects.filter(strategy=strategy, place_path__in=paths)
        .filter(_containing(period))
        .select_related("place")
        .order_by("place_path")
        .first()
    )


def _reporting_children(strategy: Strategy, place: Place, period: Period) -> set[str]:
    """Paths of the places directly below ``place`` under which some value of ``strategy``
    was reported for a period inside ``period``."""
    from .rollups import _child_column, _child_key, _subtree

    column = _child_column(place)
    values = _subtree(IndicatorValue.objects.all(), place).filter(
        indicator__strategy=strategy,
        period_start__gte=period.start,
        period_start__lt=period.end,
    )
    return {
        key
        for key in (
            _child_key(place, value)
            for value in values.order_by().values_list(column, flat=True).distinct()
        )
        if key
    }


def approval_blockers(strategy: Strategy, place: Place, period: Period) -> list[Place]:
    """The reporting places directly below ``place`` that have not approved ``period``."""
    children = _reporting_children(strategy, place, period)
    approved = set(
        Approval.objects.filter(
            strategy=strategy,
            periodicity=period.kind,
            period_start=period.start,
            place_path__in=children,
        ).values_list("place_path", flat=True)
    )
    return list(Place.objects.filter(path__in=children - approved).order_by("name", "pk"))


@dataclass
class ApprovalState:
    strategy: Strategy
    place: Place
    period: Period
    own: Approval | None
    above: Approval | None
    children: list[tuple[Place, Approval | None]]

    @property
    def ready(self) -> bool:
        return self.own is None and all(approval for _place, approval in self.children)


def approval_state(strategy: Strategy, place: Place, period: Period, user) -> ApprovalState:
    """Where the sign-off of ``period`` stands at ``place``: its own approval, the one above
    that locks it, and each reporting place below with its approval."""
    children = _reporting_children(strategy, place, period)
    approvals = Approval.objects.visible_to(user).filter(
        strategy=strategy, periodicity=period.kind, period_start=period.start
    )
    by_path = {
        approval.place_path: approval
        for approval in approvals.filter(place_path__in=[*children, place.path]).select_related(
            "approved_by"
        )
    }
    child_places = Place.objects.visible_to(user).filter(path__in=children).order_by("name")
    return ApprovalState(
        strategy=strategy,
        place=place,
        period=period,
        own=by_path.get(place.path),
        above=lock_covering(strategy, place, period, above_only=True),
        children=[(child, by_path.get(child.path)) for child in child_places],
    )
