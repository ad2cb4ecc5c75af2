"""Reads of the participation module.

Two roads, on purpose. Staff and signed-in residents read proposals through the policy
(``Proposal.objects.visible_to``) like every scoped record. The *public* road is for what
residents publish for everyone — a proposal or concern, its comments and, once published, the
answer — and is read without an account: only content not hidden by moderation, never its
reports, never an unpublished answer, never who supports it, and of its author only the
public profile name. Nothing else of the platform is reachable through it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from bridgework.core.paths import subtree_q
from bridgework.places.models import Place

from .choices import OPEN_STATUSES, Moderation, ProposalStatus
from .conf import setting_int
from .models import Comment, Proposal, SupportThreshold

__all__ = [
    "StateCount",
    "awaiting_answer",
    "moderation_queue",
    "public_comments",
    "public_proposal",
    "public_proposals",
    "public_summary",
    "referred_from_below",
    "support_threshold_for",
]


def public_proposals() -> QuerySet[Proposal]:
    """Proposals anyone may read: every one not hidden by moderation."""
    return (
        Proposal.objects.exclude(moderation=Moderation.HIDDEN)
        .select_related("place", "handled_at", "theme", "author__resident_profile")
        .order_by("-created_at", "pk")
    )


def public_places() -> QuerySet[Place]:
    """The places whose public page exists for anyone: where residents may live (cities and
    wards), and any other place holding a published proposal or a public town hall. A country
    or region with nothing public has no public page (404), as for any record out of reach."""
    from .accounts import resident_places
    from .models import PUBLIC_LABELS, TownHall

    holding = Q(pk__in=public_proposals().order_by().values("place_id")) | Q(
        pk__in=TownHall.objects.filter(body__tlp__in=PUBLIC_LABELS).values("place_id")
    )
    return Place.objects.filter(Q(pk__in=resident_places().values("pk")) | holding)


def public_proposal(pk) -> Proposal | None:
    try:
        return public_proposals().filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def public_comments(proposal: Proposal) -> list[Comment]:
    """The visible comments of a proposal, each with its visible replies (one level)."""
    visible = Comment.objects.exclude(moderation=Moderation.HIDDEN).select_related(
        "author__resident_profile"
    )
    return list(
        visible.filter(proposal=proposal, parent__isnull=True).prefetch_related(
            Prefetch("replies", queryset=visible.order_by("created_at", "pk"))
        )
    )


@dataclass(frozen=True)
class StateCount:
    status: str
    label: str
    count: int
    proposals: list[Proposal]


def public_summary(place: Place, *, per_state: int = 20) -> tuple[list[StateCount], float | None]:
    """A place's proposals (and those of the places inside it) by state, with the average days
    from posting to a published answer."""
    here = public_proposals().filter(subtree_q("place_path", place.path), archived_at__isnull=True)
    counts = dict(here.values_list("status").annotate(n=Count("pk")).order_by())
    states = [
        StateCount(
            value,
            str(label),
            counts.get(value, 0),
            list(here.filter(status=value)[:per_state]) if counts.get(value) else [],
        )
        for value, label in ProposalStatus.choices
    ]
    answered = here.filter(answer_published_at__isnull=False).aggregate(
        days=Avg(F("answer_published_at") - F("created_at"))
    )["days"]
    average = answered.total_seconds() / 86400 if isinstance(answered, datetime.timedelta) else None
    return states, average


def support_threshold_for(proposal: Proposal) -> int:
    """The supports a proposal needs: set at its place or the nearest place above, newest
    first; the configured default where none is set."""
    paths = [*proposal.place.ancestor_paths, proposal.place_path]
    nearest = (
        SupportThreshold.objects.filter(place_path__in=paths)
        .order_by("-place_path", "-created_at", "-pk")
        .values_list("supports", flat=True)
        .first()
    )
    return nearest or setting_int("PARTICIPATION_SUPPORT_THRESHOLD")


# --- staff follow-up -------------------------------------------------------------------------


def awaiting_answer(user) -> QuerySet[Proposal]:
    """Open proposals before a level ``user`` may answer at, oldest first."""
    from bridgework.access.policy import access_for

    from .workflows import STAFF

    access = access_for(user)
    if access is None:
        return Proposal.objects.none()
    paths = [path for held in access.held if held.role_slug in STAFF for path in held.paths]
    if not paths:
        return Proposal.objects.none()
    before_me = Q(pk__in=[])
    for path in paths:
        before_me |= subtree_q("handled_path", path)
    return (
        Proposal.objects.visible_to(user, "change")
        .filter(before_me, status__in=OPEN_STATUSES)
        .select_related("place", "handled_at")
        .order_by("created_at", "pk")
    )


def referred_from_below(user) -> QuerySet[Proposal]:
    """Open proposals referred up to a level ``user`` coordinates at, from a place below."""
    return (
        awaiting_answer(user)
        .filter(referrals__isnull=False)
        .exclude(handled_path=F("place_path"))
        .distinct()
    )


def moderation_queue(user) -> tuple[QuerySet[Proposal], QuerySet[Comment]]:
    """Reported or hidden proposals and comments at places ``user`` moderates."""
    waiting = (Moderation.REPORTED, Moderation.HIDDEN)
    moderated = Proposal.objects.visible_to(user, "moderate")
    proposals = (
        moderated.filter(moderation__in=waiting)
        .select_related("place")
        .order_by("-report_count", "created_at")
    )
    comments = (
        Comment.objects.filter(proposal__in=moderated.values("pk"), moderation__in=waiting)
        .select_related("proposal")
        .order_by("-report_count", "created_at")
    )
    return proposals, comments


def recent_for(place: Place, since: datetime.timedelta) -> QuerySet[Proposal]:
    return public_proposals().filter(
        subtree_q("place_path", place.path), created_at__gte=timezone.now() - since
    )


def public_town_halls(place: Place | None = None) -> QuerySet:
    """Town halls are public events: all of them, or those a place's residents may go to —
    at the place, below it, and at the places above it (a ward's city holds them). Only those
    of a body whose label is public: a body relabelled AMBER or RED takes its town halls off
    the public pages."""
    from .models import PUBLIC_LABELS, TownHall

    rows = (
        TownHall.objects.filter(body__tlp__in=PUBLIC_LABELS)
        .select_related("body", "place")
        .order_by("-starts_at", "pk")
    )
    if place is not None:
        rows = rows.filter(
            subtree_q("place_path", place.path) | Q(place_path__in=place.ancestor_paths)
        )
    return rows
