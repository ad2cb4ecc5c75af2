"""What the participation module tells people: authors and supporters when a proposal takes a
step, authors when what they posted is hidden, and a place's coordinators when a proposal is
put before them."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.access.models import RoleAssignment, User
from bridgework.notifications.kinds import Message, NotificationKind

from .models import Proposal

__all__ = [
    "CONTENT_HIDDEN",
    "KINDS",
    "PROPOSAL_EDITED",
    "PROPOSAL_MOVED",
    "PROPOSAL_POSTED",
    "THRESHOLD_REACHED",
    "coordinators_at",
    "proposal_audience",
]

PROPOSAL_EDITED = "participation.proposal_edited"
PROPOSAL_MOVED = "participation.proposal_moved"
PROPOSAL_POSTED = "participation.proposal_posted"
CONTENT_HIDDEN = "participation.content_hidden"
THRESHOLD_REACHED = "participation.threshold_reached"
COORDINATOR_ROLES = ("local_coordinator", "national_coordinator")


def coordinators_at(place_id: int) -> list[User]:
    """Active coordinators assigned at exactly this place."""
    assignments = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(place_id=place_id, role__slug__in=COORDINATOR_ROLES, user__is_active=True)
        .select_related("user")
    )
    return list({a.user_id: a.user for a in assignments}.values())


def proposal_audience(record: Model) -> list[User]:
    """Who hears that a proposal took a step: its author and every supporter."""
    proposal = cast(Proposal, record)
    users = list(User.objects.filter(pk__in=proposal.supports.values("user_id"), is_active=True))
    if proposal.author is not None:
        users.append(proposal.author)
    return list({user.pk: user for user in users}.values())


def _render_moved(record: Model, context: dict[str, Any], reader) -> Message:
    proposal = cast(Proposal, record)
    return Message(
        subject=_("[Bridgework] Your proposal moved: %(title)s") % {"title": proposal.title},
        body=_("“%(title)s” is now: %(state)s. The answer is shown once it is published.")
        % {"title": proposal.title, "state": proposal.get_status_display()},
        url=proposal.get_public_url(),
    )


def _render_posted(record: Model, context: dict[str, Any], reader) -> Message:
    proposal = cast(Proposal, record)
    return Message(
        subject=_("[Bridgework] A resident's %(kind)s for %(place)s: %(title)s")
        % {
            "kind": proposal.get_kind_display().lower(),
            "place": proposal.place.name,
            "title": proposal.title,
        },
        body=_("It waits for an answer from %(place)s.") % {"place": proposal.handled_at.name},
        url=proposal.get_absolute_url(),
    )


def _render_hidden(record: Model, context: dict[str, Any], reader) -> Message:
    proposal = cast(Proposal, record)
    what = _("Your comment on “%(title)s”") if context.get("comment") else _("“%(title)s”")
    return Message(
        subject=_("[Bridgework] Something you posted is hidden"),
        body=(what % {"title": proposal.title})
        + " "
        + _(
            "was hidden after reports from other people, until a moderator looks at it. It is "
            "kept, not deleted; a moderator may restore it."
        ),
        url=proposal.get_absolute_url(),  # its author still reads it there, with the reason
    )


def _render_edited(record: Model, context: dict[str, Any], reader) -> Message:
    proposal = cast(Proposal, record)
    return Message(
        subject=_("[Bridgework] Your proposal's text was edited: %(title)s")
        % {"title": proposal.title},
        body=_(
            "Staff at %(place)s edited the title or text of what you posted. Please read it "
            "again; if you disagree, say so in a comment."
        )
        % {"place": proposal.handled_at.name},
        url=proposal.get_public_url(),
    )


def _render_threshold(record: Model, context: dict[str, Any], reader) -> Message:
    proposal = cast(Proposal, record)
    return Message(
        subject=_("[Bridgework] %(count)s residents back: %(title)s")
        % {"count": context.get("supports", proposal.support_count), "title": proposal.title},
        body=_("The proposal has the supports that call for an answer from %(place)s.")
        % {"place": proposal.handled_at.name},
        url=proposal.get_absolute_url(),
    )


KINDS = [
    NotificationKind(
        PROPOSAL_MOVED,
        gettext_lazy("A proposal you posted or support takes a step"),
        _render_moved,
    ),
    NotificationKind(
        PROPOSAL_POSTED,
        gettext_lazy("A proposal from residents is put before your place"),
        _render_posted,
        default_email="digest",
    ),
    NotificationKind(
        THRESHOLD_REACHED,
        gettext_lazy("A proposal before your place reaches its support threshold"),
        _render_threshold,
    ),
    NotificationKind(
        PROPOSAL_EDITED,
        gettext_lazy("Staff edit the text of a proposal you posted"),
        _render_edited,
    ),
    NotificationKind(
        CONTENT_HIDDEN,
        gettext_lazy("Something you posted is hidden after reports"),
        _render_hidden,
    ),
]
