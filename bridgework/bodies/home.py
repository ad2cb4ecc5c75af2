"""What the bodies module puts on the home page: the reader's overdue and due-soon actions,
their bodies' next meetings and recent decisions (or, for someone who may only look, the
bodies near them), and the first steps it offers."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import can, sight_for
from bridgework.core.modules import HomeSection, StartStep

from . import selectors
from .models import ActionItem, Body, Decision, Meeting

__all__ = ["SECTIONS", "STEPS"]

DUE_SOON_DAYS = 14
RECENT_DAYS = 60
SHOWN = 5


def _my_actions(request) -> dict[str, Any] | None:
    user = request.user
    if not can(user, "view", ActionItem):
        return None
    today = timezone.localdate()
    items = list(selectors.actions_due_for(user, today, within_days=DUE_SOON_DAYS)[:10])
    sight_for(user).preload([item.owner for item in items] + [item.raised_by for item in items])
    return {
        "overdue": [item for item in items if item.is_overdue_on(today)],
        "due_soon": [item for item in items if not item.is_overdue_on(today)],
        "within": DUE_SOON_DAYS,
        "today": today,
        "has_person": hasattr(user, "person"),
        "overdue_visible": selectors.overdue_actions_visible_to(user, today).count(),
    }


def _upcoming_meetings(request) -> dict[str, Any] | None:
    if not can(request.user, "view", Meeting):
        return None
    meetings = list(selectors.upcoming_meetings_for(request.user, timezone.now())[:SHOWN])
    sight_for(request.user).preload([meeting.body for meeting in meetings])
    return {"meetings": meetings}


def _recent_decisions(request) -> dict[str, Any] | None:
    if not can(request.user, "view", Decision):
        return None
    decisions = list(
        selectors.recent_decisions_for(request.user, timezone.now(), within_days=RECENT_DAYS)[
            :SHOWN
        ]
    )
    sight_for(request.user).preload([decision.meeting.body for decision in decisions])
    return {"decisions": decisions, "within": RECENT_DAYS} if decisions else None


def _bodies_near(request) -> dict[str, Any] | None:
    """For someone who may see bodies but not their meetings (a resident): the bodies of their
    place and of the places above it that are open to them."""
    user = request.user
    if not can(user, "view", Body) or can(user, "view", Meeting):
        return None
    return {"bodies": list(Body.objects.visible_to(user, "view").select_related("place")[:10])}


SECTIONS = [
    HomeSection(10, "bodies/_home_actions.html", _my_actions),
    HomeSection(20, "bodies/_home_meetings.html", _upcoming_meetings),
    HomeSection(30, "bodies/_home_decisions.html", _recent_decisions),
    HomeSection(35, "bodies/_home_bodies.html", _bodies_near),
]

STEPS = [
    StartStep(
        30,
        _("Plan your body's next meeting"),
        _("Its day, place and agenda: the members see it in their calendars."),
        url_name="bodies:meeting_add",
        needs=("add", "bodies.meeting"),
    ),
    StartStep(
        31,
        _("See what you owe"),
        _("The actions asked of you or of your organisation, and when they are due."),
        url_name="bodies:my_actions",
        needs=("view", "bodies.actionitem"),
        unless=("add", "bodies.meeting"),
    ),
    StartStep(
        32,
        _("Find the coordination bodies near you"),
        _("Who meets about peace and safety where you live, and what they are for."),
        url_name="bodies:body_list",
        needs=("view", "bodies.body"),
        unless=("view", "bodies.actionitem"),
    ),
]
