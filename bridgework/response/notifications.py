"""What the response module tells people: a report received at their place, a report taking
a triage step, an alert (a rule matched, or a report routed to their body).

Every subject carries the record's TLP label, so a forwarded email still says how far it may
go. Delivery re-checks that each reader may still see the report."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.access.models import RoleAssignment, User
from bridgework.access.policy import named_for
from bridgework.actors.models import Person
from bridgework.bodies.models import Body, held_on_q
from bridgework.core.tlp import TLP
from bridgework.notifications.kinds import Message, NotificationKind

from .models import Report, TensionAssessment

__all__ = [
    "ALERT",
    "KINDS",
    "REPORT_MOVED",
    "REPORT_RECEIVED",
    "TENSION_ALERT",
    "body_members",
    "coordinators_of",
]

REPORT_RECEIVED = "response.report_received"
REPORT_MOVED = "response.report_moved"
ALERT = "response.alert"
TENSION_ALERT = "response.tension_alert"
COORDINATOR_ROLES = ("local_coordinator", "national_coordinator")


def coordinators_of(place) -> list[User]:
    """Active coordinators whose assignment covers ``place`` (at it or above it)."""
    assignments = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(role__slug__in=COORDINATOR_ROLES, user__is_active=True)
        .filter(place__in=place.ancestors())
        .select_related("user")
    )
    return list({a.user_id: a.user for a in assignments}.values())


def body_members(body: Body) -> list[User]:
    """The users who sit at ``body`` today: people holding a seat, and the people posted at
    an organisation holding one."""
    today = timezone.localdate()
    seats = body.seats.filter(held_on_q(today))
    people = Person.objects.filter(erased_at__isnull=True, user__isnull=False)
    seated = people.filter(seats__in=seats).values_list("user_id", flat=True)
    posted = people.filter(
        held_on_q(today, "posts__"), posts__organisation__seats__in=seats
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(is_active=True, pk__in={*seated, *posted}))


def _report(record: Model) -> Report:
    return cast(Report, record)


def _label(record: Any) -> str:
    return str(TLP(record.tlp).label)


def _link(record: Model) -> str:
    return settings.SITE_URL + record.get_absolute_url()  # type: ignore[attr-defined]


def render_received(record: Model, context: dict[str, Any], reader=None) -> Message:
    report = _report(record)
    subject = _("[%(tlp)s] [Bridgework] Report received: %(ref)s %(kind)s in %(place)s") % {
        "tlp": _label(report),
        "ref": report.reference,
        "kind": report.get_kind_display().lower(),
        "place": named_for(reader, report.place),
    }
    # What happened stays behind the report's page (and its second factor): the message says
    # only what kind of report it is, where, and how severe.
    body = _(
        "A report (%(kind)s, severity %(severity)s) was received for %(place)s. "
        "Verify it, or note the call-back.\n\n%(link)s\n"
    ) % {
        "kind": report.get_kind_display().lower(),
        "severity": report.severity,
        "place": named_for(reader, report.place),
        "link": _link(report),
    }
    return Message(subject, body, report.get_absolute_url())


def render_moved(record: Model, context: dict[str, Any], reader=None) -> Message:
    from .workflows import REPORT

    report = _report(record)
    state = REPORT.state_label(str(context.get("to", report.status)))
    subject = _("[%(tlp)s] [Bridgework] Report %(ref)s: %(state)s") % {
        "tlp": _label(report),
        "ref": report.reference,
        "state": state.lower(),
    }
    body = _("The report %(ref)s is now: %(state)s.\n\n%(link)s\n") % {
        "ref": report.reference,
        "state": state,
        "link": _link(report),
    }
    return Message(subject, body, report.get_absolute_url())


def render_alert(record: Model, context: dict[str, Any], reader=None) -> Message:
    report = _report(record)
    why = str(context.get("why", ""))
    subject = _("[%(tlp)s] [Bridgework] Alert: %(kind)s, severity %(severity)s, %(place)s") % {
        "tlp": _label(report),
        "kind": report.get_kind_display().lower(),
        "severity": report.severity,
        "place": named_for(reader, report.place),
    }
    body = _(
        "%(why)s\n\n%(ref)s happened on %(day)s in %(place)s.\n\n"
        "Handle it as %(tlp)s.\n\n%(link)s\n"
    ) % {
        "why": why,
        "ref": report.reference,
        "day": report.occurred_on.isoformat(),
        "place": named_for(reader, report.place),
        "tlp": _label(report),
        "link": _link(report),
    }
    return Message(subject, body, report.get_absolute_url())


def render_tension_alert(record: Model, context: dict[str, Any], reader=None) -> Message:
    assessment = cast(TensionAssessment, record)
    level = _(assessment.level.name)
    subject = _("[%(tlp)s] [Bridgework] Tension %(level)s in %(place)s, %(week)s") % {
        "tlp": _label(assessment),
        "level": level.lower(),
        "place": named_for(reader, assessment.place),
        "week": assessment.week_label,
    }
    # Like a report's alert, the message says where and how high, not what is happening.
    body = _(
        "%(why)s\n\nThe tension return for %(place)s in %(week)s is at level %(value)s "
        "(%(level)s).\n\nHandle it as %(tlp)s.\n\n%(link)s\n"
    ) % {
        "why": str(context.get("why", "")),
        "place": named_for(reader, assessment.place),
        "week": assessment.week_label,
        "value": assessment.level.value,
        "level": level,
        "tlp": _label(assessment),
        "link": _link(assessment),
    }
    return Message(subject, body, assessment.get_absolute_url())


KINDS = [
    NotificationKind(
        REPORT_RECEIVED,
        gettext_lazy("An incident report is received for a place you coordinate"),
        render_received,
    ),
    NotificationKind(
        REPORT_MOVED,
        gettext_lazy("An incident report of your place takes a triage step"),
        render_moved,
        default_email="digest",
    ),
    NotificationKind(
        ALERT,
        gettext_lazy("An alert: a report matches a rule, or is routed to your body"),
        render_alert,
    ),
    NotificationKind(
        TENSION_ALERT,
        gettext_lazy("An alert: a weekly tension return reaches the level of a rule"),
        render_tension_alert,
    ),
]
