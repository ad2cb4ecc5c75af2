"""How a report is triaged: received, verified or not (the call-back noted), anonymised,
routed to the bodies mandated to respond, followed up and closed.

Only coordinators of the report's place (or above) take the steps. Anonymising empties the
personal fields; routing needs at least one responder body and alerts its members."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridgework.activity.workflows import Transition, Workflow

from .choices import CrisisStatus, ReportStatus

__all__ = ["CRISIS", "REPORT", "WORKFLOWS"]

COORDINATORS = ("local_coordinator", "national_coordinator", "network_admin")
PERSONAL_FIELDS = ("reporter_name", "reporter_contact", "people_involved")


def _anonymise(report: Any, acting_user, note: str) -> Iterable[str]:
    for name in PERSONAL_FIELDS:
        setattr(report, name, "")
    report.anonymised_at = timezone.now()
    return (*PERSONAL_FIELDS, "anonymised_at")


def _has_responders(report: Any, user) -> bool:
    return report.routed_to.exists()


def _route(report: Any, acting_user, note: str) -> Iterable[str]:
    from .actions import alert_responders

    alert_responders(report, acting_user=acting_user)
    return ()


def _audience(report: Any) -> list:
    from .notifications import coordinators_of

    return coordinators_of(report.place)


REPORT = Workflow(
    model="response.report",
    label=gettext_lazy("Incident reports"),
    description=gettext_lazy(
        "A report is received, verified or not (the call-back noted), anonymised, routed to "
        "the bodies mandated to respond, followed up and closed."
    ),
    states=tuple(ReportStatus.choices),
    initial=ReportStatus.RECEIVED,
    transitions=(
        Transition(
            "verify",
            gettext_lazy("Verified"),
            (ReportStatus.RECEIVED,),
            ReportStatus.VERIFIED,
            COORDINATORS,
        ),
        Transition(
            "not_verified",
            gettext_lazy("Could not verify (note the call-back)"),
            (ReportStatus.RECEIVED,),
            ReportStatus.NOT_VERIFIED,
            COORDINATORS,
            needs_note=True,
        ),
        Transition(
            "anonymise",
            gettext_lazy("Anonymise"),
            (ReportStatus.VERIFIED, ReportStatus.NOT_VERIFIED),
            ReportStatus.ANONYMISED,
            COORDINATORS,
            effect=_anonymise,
        ),
        Transition(
            "route",
            gettext_lazy("Route to responders"),
            (ReportStatus.ANONYMISED,),
            ReportStatus.ROUTED,
            COORDINATORS,
            condition=_has_responders,
            condition_label=gettext_lazy("Choose the mandated responders first (Edit)."),
            effect=_route,
        ),
        Transition(
            "follow_up",
            gettext_lazy("Follow up"),
            (ReportStatus.ROUTED,),
            ReportStatus.FOLLOW_UP,
            COORDINATORS,
        ),
        Transition(
            "close",
            gettext_lazy("Close"),
            (
                ReportStatus.VERIFIED,
                ReportStatus.NOT_VERIFIED,
                ReportStatus.ANONYMISED,
                ReportStatus.ROUTED,
                ReportStatus.FOLLOW_UP,
            ),
            ReportStatus.CLOSED,
            COORDINATORS,
            needs_note=True,
        ),
    ),
    notify_kind="response.report_moved",
    audience=_audience,
)


def _closed_today(crisis: Any, acting_user, note: str) -> Iterable[str]:
    crisis.closed_on = timezone.localdate()
    return ("closed_on",)


REVIEW_FIELDS = ("strengths", "improvements", "root_cause")

CRISIS = Workflow(
    model="response.crisis",
    label=gettext_lazy("Crises"),
    description=gettext_lazy(
        "A crisis stays open while it is handled, and closes with an after-action review: "
        "strengths, areas for improvement, root cause, and corrective actions."
    ),
    states=tuple(CrisisStatus.choices),
    initial=CrisisStatus.OPEN,
    transitions=(
        Transition(
            "close",
            gettext_lazy("Close with an after-action review"),
            (CrisisStatus.OPEN,),
            CrisisStatus.CLOSED,
            COORDINATORS,
            accepts=REVIEW_FIELDS,
            requires=REVIEW_FIELDS,
            page="response:crisis_close",
            effect=_closed_today,
        ),
    ),
)

WORKFLOWS = [REPORT, CRISIS]
