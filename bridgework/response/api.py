"""Response API: reports, tension assessments and alert rules, scoped exactly as the pages
are and written through the pages' forms and actions; the tension picture at a place."""

from __future__ import annotations

from datetime import date, datetime
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Body, Router
from ninja.responses import Status

from bridgework.access.policy import can
from bridgework.web.api import (
    ERROR_RESPONSES,
    _form_data,
    _invalid,
    _save,
    add_form_endpoints,
    add_read_endpoints,
)
from bridgework.web.api_rows import RecordOut

from . import selectors
from .actions import do_receive_report
from .forms import IntakeForm
from .models import Report
from .otp import check_api_second_factor
from .views import (
    AlertRuleViewSet,
    CrisisUpdateViewSet,
    CrisisViewSet,
    ReportViewSet,
    TensionAssessmentViewSet,
)

__all__ = ["router"]

router = Router(tags=["response"])


class ReportOut(RecordOut):
    id: int
    reference: str
    kind: str
    title: str
    place_id: int
    occurred_on: date
    description: str
    bias_categories: list[str]
    severity: int
    second_severity: int | None
    intent: bool
    physical_contact: bool
    damage: bool
    community_reaction: bool
    repeat: bool
    source: str
    reliability: str
    evidence: str
    reporter_name: str
    reporter_contact: str
    people_involved: str
    status: str
    retain_until: date | None
    tlp: int
    url: str

    @staticmethod
    def resolve_bias_categories(obj) -> list[str]:
        return [category.slug for category in obj.bias_categories.all()]

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class TensionAssessmentOut(RecordOut):
    id: int
    place_id: int
    week_start: date
    week: str
    level: int
    title: str
    evidence: str
    trigger_local: bool
    trigger_national: bool
    trigger_international: bool
    triggers: str
    tlp: int

    @staticmethod
    def resolve_week(obj) -> str:
        return obj.week_label

    @staticmethod
    def resolve_level(obj) -> int:
        return obj.level.value


class AlertRuleOut(RecordOut):
    id: int
    name: str
    place_id: int
    kind: str
    bias_category_id: int | None
    min_severity: int
    tension_from_id: int | None
    body_id: int | None
    person_id: int | None
    active: bool
    tlp: int


class CrisisOut(RecordOut):
    id: int
    title: str
    place_id: int
    body_id: int
    started_on: date
    trigger: str
    status: str
    strengths: str
    improvements: str
    root_cause: str
    closed_on: date | None
    tlp: int


class CrisisUpdateOut(RecordOut):
    id: int
    crisis_id: int
    kind: str
    text: str
    created_at: datetime


for _viewset, _path, _out, _name, _plural in (
    (ReportViewSet, "/response/reports", ReportOut, "report", "reports"),
    (
        TensionAssessmentViewSet,
        "/response/tensions",
        TensionAssessmentOut,
        "tension_assessment",
        "tension_assessments",
    ),
    (AlertRuleViewSet, "/response/alert-rules", AlertRuleOut, "alert_rule", "alert_rules"),
    (CrisisViewSet, "/response/crises", CrisisOut, "crisis", "crises"),
    (
        CrisisUpdateViewSet,
        "/response/crisis-updates",
        CrisisUpdateOut,
        "crisis_update",
        "crisis_updates",
    ),
):
    _read = add_read_endpoints(
        router,
        viewset=_viewset,
        path=_path,
        out=_out,
        list_name=f"list_{_plural}",
        detail_name=f"get_{_name}",
    )
    add_form_endpoints(router, viewset=_viewset, path=_path, out=_out, name=_name, read=_read)


class WeekOut(RecordOut):
    week: str
    week_start: date
    highest: int | None
    average: float | None
    returns: int


class PictureOut(RecordOut):
    place_id: int
    weeks: list[WeekOut]


@router.get(
    "/response/tension-picture",
    response={200: PictureOut, **ERROR_RESPONSES},
    url_name="tension_picture",
)
def tension_picture(request, place: str | None = None):
    """The last twelve weeks of tension returns at a place and below, as the page shows them."""
    picture = selectors.tension_picture(request.user, place)
    if picture is None:
        raise PermissionDenied
    return {
        "place_id": picture.place.pk,
        "weeks": [
            {
                "week": week.label,
                "week_start": week.week_start,
                "highest": week.highest,
                "average": week.average,
                "returns": week.returns,
            }
            for week in picture.weeks
        ],
    }


class IntakeOut(RecordOut):
    id: int
    reference: str
    place_id: int
    status: str
    tlp: int


@router.post(
    "/response/intake",
    response={201: IntakeOut, **ERROR_RESPONSES},
    url_name="intake_report",
    summary="Send an incident report (partners: it goes to the coordinators as TLP:AMBER)",
)
def intake_report(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 (ninja idiom)
    """The intake form's fields as JSON. The answer is the report's reference, not the report:
    whoever sends it may not be allowed to read it back."""
    if not can(request.user, "add", Report):
        raise PermissionDenied
    form = IntakeForm(data={}, user=request.user, action="add")
    form.data = _form_data(form, payload)  # as the generic write endpoints read a body
    if not form.is_valid():
        raise _invalid(form)
    report = _save(_receive, form, acting_user=request.user)
    return Status(201, report)


def _receive(form, *, acting_user):
    return do_receive_report(
        form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
    )


def _ask_for_second_factor(router: Router) -> None:
    """Every endpoint of this router answers 403 until the reader's second factor is verified
    in their session (when their roles may read AMBER response records)."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            operation.view_func = _guarded(operation.view_func)


def _guarded(view_func):
    @wraps(view_func)
    def guarded(request, *args, **kwargs):
        check_api_second_factor(request)
        return view_func(request, *args, **kwargs)

    return guarded


_ask_for_second_factor(router)
