"""Reads of the response module, always through what the reader may see: a count, a chart or
a roll-up never includes a record the reader could not open."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Max
from django.utils import timezone

from bridgework.access.policy import sight_for
from bridgework.places.models import ROLLUP_DEPTHS, Place
from bridgework.places.selectors import top_places_for
from bridgework.web.filtering import PlaceChoiceField

from .charts import LineChart, line_chart
from .models import Report, TensionAssessment, TensionLevel, iso_week_start

__all__ = ["TensionPicture", "report_details", "reports_of", "tension_picture"]

WEEKS = 12


def report_details(report: Report, user) -> dict[str, Any]:
    """What a report page shows beside its fields: bias motivations, the responders (named
    only when the reader may see them), the severity factors."""
    responders = list(report.routed_to.all())
    sight_for(user).preload(responders)  # named through {% record %}, one query for all
    return {"bias_categories": list(report.bias_categories.all()), "responders": responders}


@dataclass
class WeekRow:
    week_start: datetime.date
    label: str
    highest: int | None
    average: float | None
    returns: int


@dataclass
class ChildRow:
    place: Place
    latest: int | None
    latest_week: str
    returns: int


@dataclass
class TensionPicture:
    place: Place
    choices: list[Place]
    weeks: list[WeekRow]
    children: list[ChildRow]
    levels: list[TensionLevel]
    chart: LineChart | None = None


def _week_label(day: datetime.date) -> str:
    year, week, _d = day.isocalendar()
    return f"{year}-W{week:02d}"


def tension_picture(user, place_ref: str | None, *, today: datetime.date | None = None):
    """The last twelve weeks at a place and below (the user's highest place by default):
    the highest and average level of the returns each week, and each child place's latest
    level. None when the user sees no place."""
    tops = list(top_places_for(user))
    if not tops:
        return None
    place = tops[0]
    if place_ref:
        try:
            place = PlaceChoiceField(queryset=Place.objects.visible_to(user, "view")).clean(
                place_ref
            )
        except ValidationError:
            place = tops[0]
    today = today or timezone.localdate()
    first_week = iso_week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    visible = TensionAssessment.objects.visible_to(user, "view").filter(week_start__gte=first_week)
    depth = place.depth
    if depth in ROLLUP_DEPTHS:
        below = visible.filter(**{f"ancestor_{depth}": place.path})
    else:
        below = visible.filter(place_path__startswith=place.path)
    by_week = {
        row["week_start"]: row
        for row in below.values("week_start").annotate(
            highest=Max("level__value"), average=Avg("level__value"), returns=Count("pk")
        )
    }
    weeks = []
    for index in range(WEEKS):
        start = first_week + datetime.timedelta(weeks=index)
        row = by_week.get(start)
        weeks.append(
            WeekRow(
                start,
                _week_label(start),
                row["highest"] if row else None,
                round(float(row["average"]), 1) if row else None,
                row["returns"] if row else 0,
            )
        )
    children = _children(user, place, below)
    return TensionPicture(
        place=place,
        choices=tops,
        weeks=weeks,
        children=children,
        levels=list(TensionLevel.objects.all()),
        chart=line_chart([(w.label, w.highest, w.average) for w in weeks], top=_top_level()),
    )


def _top_level() -> int:
    return TensionLevel.objects.aggregate(top=Max("value"))["top"] or 5


def _children(user, place: Place, below) -> list[ChildRow]:
    """Each child place's latest return in the window (their own or from below them). Only
    the children the reader sees: a place read upward does not open its other branches."""
    child_depth = place.depth + 1
    children = list(Place.objects.visible_to(user, "view").filter(parent=place).order_by("name"))
    if not children or child_depth not in ROLLUP_DEPTHS:
        return [ChildRow(child, None, "", 0) for child in children]
    column = f"ancestor_{child_depth}"
    latest_week = {
        row[column]: row
        for row in below.exclude(**{column: ""})
        .values(column)
        .annotate(week=Max("week_start"), returns=Count("pk"))
    }
    rows = []
    for child in children:
        found = latest_week.get(child.path)
        if found is None:
            rows.append(ChildRow(child, None, "", 0))
            continue
        highest = below.filter(**{column: child.path, "week_start": found["week"]}).aggregate(
            top=Max("level__value")
        )["top"]
        rows.append(ChildRow(child, highest, _week_label(found["week"]), found["returns"]))
    return rows


def reports_of(person, user) -> list[dict[str, Any]]:
    """Reports whose reporter fields name ``person`` (by name or contact), that ``user`` may
    see: the response section of a person's data-protection export."""
    names = [value for value in (person.full_name, getattr(person, "email", "")) if value]
    if not names:
        return []
    found = Report.objects.visible_to(user, "view").filter(reporter_name__in=names) | (
        Report.objects.visible_to(user, "view").filter(reporter_contact__in=names)
    )
    return [
        {
            "id": report.pk,
            "reference": report.reference,
            "occurred_on": report.occurred_on.isoformat(),
            "reporter_name": report.reporter_name,
            "reporter_contact": report.reporter_contact,
        }
        for report in found.order_by("pk")
    ]


def crisis_details(crisis, user) -> dict[str, Any]:
    """A crisis page's sections, each holding only what the reader may see: a RED report
    joined to an AMBER crisis is not listed (nor counted) for an AMBER reader."""
    from bridgework.access.policy import permits, permits_add
    from bridgework.bodies.models import ActionItem, Meeting

    from .choices import CrisisStatus, UpdateKind
    from .models import CrisisUpdate

    updates = list(
        CrisisUpdate.objects.visible_to(user, "view")
        .filter(crisis=crisis)
        .select_related("posted_by")
    )
    open_crisis = crisis.status == CrisisStatus.OPEN
    may_change = permits(user, "change", crisis)
    reports = list(
        Report.objects.visible_to(user, "view").filter(crises=crisis).select_related("place")
    )
    assessments = list(
        TensionAssessment.objects.visible_to(user, "view")
        .filter(crises=crisis)
        .select_related("place", "level")
    )
    return {
        "reports": reports,
        "assessments": assessments,
        "situation_log": [u for u in updates if u.kind == UpdateKind.SITUATION],
        "public_messages": [u for u in updates if u.kind == UpdateKind.PUBLIC],
        "tasks": list(ActionItem.objects.visible_to(user, "view").filter(crisis_tasks=crisis)),
        "corrective_actions": list(
            ActionItem.objects.visible_to(user, "view").filter(crisis_corrections=crisis)
        ),
        # Named through {% record %}, which shows a record the reader cannot see as such.
        "convening": crisis.convening,
        "body": crisis.body,
        "can_post": open_crisis and permits_add(user, CrisisUpdate, parent=crisis),
        "can_task": open_crisis
        and may_change
        and permits_add(user, ActionItem, parent=crisis.body),
        "can_convene": open_crisis
        and may_change
        and crisis.convening_id is None
        and permits_add(user, Meeting, parent=crisis.body),
    }
