"""What the funding module tells people: applicants when their application, report or
tranche moves; fund staff when an application arrives; reviewers when one is assigned."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.access.models import RoleAssignment, User
from bridgework.notifications.kinds import Message, NotificationKind

__all__ = [
    "APPLICATION_MOVED",
    "GRANT_MOVED",
    "KINDS",
    "REPORT_OVERDUE",
    "REVIEW_ASSIGNED",
    "application_audience",
    "grant_audience",
    "users_at",
]

APPLICATION_MOVED = "funding.application_moved"
REVIEW_ASSIGNED = "funding.review_assigned"
GRANT_MOVED = "funding.grant_moved"
REPORT_OVERDUE = "funding.report_overdue"
APPLICANT_ROLES = ("partner", "local_coordinator")
STAFF_ROLES = ("national_coordinator",)


def users_at(place_ids, roles) -> list[User]:
    """Active holders of ``roles`` at exactly these places; delivery re-checks sight."""
    assignments = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(place_id__in=list(place_ids), role__slug__in=roles, user__is_active=True)
        .select_related("user")
    )
    return list({a.user_id: a.user for a in assignments}.values())


def application_audience(application: Any) -> list[User]:
    """The applicant's people and the fund's staff."""
    applicants = users_at([application.place_id], APPLICANT_ROLES)
    staff = users_at([application.call.fund.place_id], STAFF_ROLES)
    return list({user.pk: user for user in applicants + staff}.values())


def grant_audience(record: Any) -> list[User]:
    """For a grant, a report or a tranche: the grantee's people and the fund's staff."""
    grant = getattr(record, "grant", record)
    return application_audience(grant.application)


def _link(record: Model) -> str:
    return settings.SITE_URL + record.get_absolute_url()  # type: ignore[attr-defined]


def render_application_moved(record: Model, context: dict[str, Any], reader=None) -> Message:
    from .workflows import APPLICATION

    state = APPLICATION.state_label(str(context.get("to", getattr(record, "status", ""))))
    subject = _("[Bridgework] Application %(state)s: %(title)s") % {
        "state": state.lower(),
        "title": record,
    }
    body = _("The application %(title)s is now: %(state)s.\n\n%(link)s\n") % {
        "title": record,
        "state": state,
        "link": _link(record),
    }
    return Message(subject, body, record.get_absolute_url())  # type: ignore[attr-defined]


def render_review_assigned(record: Model, context: dict[str, Any], reader=None) -> Message:
    subject = _("[Bridgework] An application to review: %(title)s") % {
        "title": record.application  # type: ignore[attr-defined]
    }
    body = _(
        "You are asked to review an application. Declare any conflict of interest first, or "
        "score it against the call's criteria.\n\n%(link)s\n"
    ) % {"link": _link(record)}
    return Message(subject, body, record.get_absolute_url())  # type: ignore[attr-defined]


def render_grant_moved(record: Model, context: dict[str, Any], reader=None) -> Message:
    subject = _("[Bridgework] %(record)s: %(state)s") % {
        "record": record,
        "state": str(context.get("to", "")),
    }
    body = _("%(record)s has moved on.\n\n%(link)s\n") % {"record": record, "link": _link(record)}
    return Message(subject, body, record.get_absolute_url())  # type: ignore[attr-defined]


def render_report_overdue(record: Model, context: dict[str, Any], reader=None) -> Message:
    subject = _("[Bridgework] A grant report is overdue: %(grant)s") % {"grant": record}
    body = _(
        "The report on %(grant)s for %(start)s – %(end)s was due on %(due)s. Later tranches "
        "wait for accepted reports.\n\n%(link)s\n"
    ) % {
        "grant": record,
        "start": context.get("start", ""),
        "end": context.get("end", ""),
        "due": context.get("due", ""),
        "link": _link(record),
    }
    return Message(subject, body, record.get_absolute_url())  # type: ignore[attr-defined]


KINDS = [
    NotificationKind(
        APPLICATION_MOVED,
        gettext_lazy("An application you made or manage moves on"),
        render_application_moved,
    ),
    NotificationKind(
        REVIEW_ASSIGNED,
        gettext_lazy("An application is given to you to review"),
        render_review_assigned,
    ),
    NotificationKind(
        REPORT_OVERDUE,
        gettext_lazy("A report on a grant is overdue"),
        render_report_overdue,
    ),
    NotificationKind(
        GRANT_MOVED,
        gettext_lazy("A grant, its report or its tranche moves on"),
        render_grant_moved,
    ),
]
