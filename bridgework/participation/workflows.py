"""How a proposal moves: not answered → being evaluated → accepted (→ implemented), rejected
with a reason, or referred up to the next level with a note (the trail kept). Its author may
withdraw it while it is open. The level it is before — or a level above that — takes the
steps; the text given with an answer is what the public reads once it is published."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridgework.access.policy import holds_role_at
from bridgework.access.roles import VIEW
from bridgework.activity.workflows import Transition, Workflow

from .choices import OPEN_STATUSES, ProposalStatus

__all__ = ["PROPOSAL", "WORKFLOWS", "handles", "referral_target"]

STAFF = ("local_coordinator", "national_coordinator", "network_admin")


def handles(proposal, user) -> bool:
    """Whether ``user`` coordinates at the level the proposal is before (or above it)."""
    return holds_role_at(user, STAFF, proposal.handled_path)


def referral_target(proposal, user):
    """The next level up that ``user`` does not answer for themselves: referring a ward's
    proposal from the city goes to the district, not back to the city."""
    target = proposal.handled_at.parent
    while target is not None and holds_role_at(user, STAFF, target.path):
        target = target.parent
    return target


def _can_refer(proposal, user) -> bool:
    target = referral_target(proposal, user)
    return handles(proposal, user) and target is not None and target.depth >= 1


def _is_author(proposal, user) -> bool:
    return proposal.author_id is not None and proposal.author_id == getattr(user, "pk", None)


def _answer(proposal, acting_user, note: str) -> Iterable[str]:
    """The note of an answering step is the answer; it waits to be published."""
    proposal.answer = note
    proposal.answered_at = timezone.now()
    proposal.answer_published_at = None
    return ("answer", "answered_at", "answer_published_at")


def _refer(proposal, acting_user, note: str) -> Iterable[str]:
    from .actions import record_referral

    record_referral(
        proposal,
        to_place=referral_target(proposal, acting_user),
        note=note,
        acting_user=acting_user,
    )
    return ("handled_at", "handled_path", *_answer(proposal, acting_user, note))


HANDLER_ONLY = gettext_lazy("Only the level the proposal is before, or one above it, may do this.")
ANSWERABLE = (*OPEN_STATUSES,)

PROPOSAL = Workflow(
    model="participation.proposal",
    label=gettext_lazy("Proposals and concerns"),
    description=gettext_lazy(
        "A resident's proposal goes before its place. That level evaluates it, accepts it, "
        "rejects it with a reason, or refers it up with a note; an accepted proposal is "
        "implemented. Its author may withdraw it while it waits. Answers are public once "
        "published."
    ),
    states=tuple(ProposalStatus.choices),
    initial=ProposalStatus.NOT_ANSWERED,
    notify_kind="participation.proposal_moved",
    audience=lambda proposal: _audience(proposal),
    transitions=(
        Transition(
            "evaluate",
            gettext_lazy("Start evaluating"),
            (ProposalStatus.NOT_ANSWERED, ProposalStatus.REFERRED),
            ProposalStatus.EVALUATING,
            STAFF,
            condition=handles,
            condition_label=HANDLER_ONLY,
        ),
        Transition(
            "accept",
            gettext_lazy("Accept"),
            ANSWERABLE,
            ProposalStatus.ACCEPTED,
            STAFF,
            condition=handles,
            condition_label=HANDLER_ONLY,
            needs_note=True,
            effect=_answer,
        ),
        Transition(
            "reject",
            gettext_lazy("Reject with a reason"),
            ANSWERABLE,
            ProposalStatus.REJECTED,
            STAFF,
            condition=handles,
            condition_label=HANDLER_ONLY,
            needs_note=True,
            effect=_answer,
        ),
        Transition(
            "refer_up",
            gettext_lazy("Refer up a level"),
            ANSWERABLE,
            ProposalStatus.REFERRED,
            STAFF,
            condition=_can_refer,
            condition_label=gettext_lazy(
                "Only the level the proposal is before may refer it up, and not beyond the country."
            ),
            needs_note=True,
            effect=_refer,
        ),
        Transition(
            "implement",
            gettext_lazy("Mark implemented"),
            (ProposalStatus.ACCEPTED,),
            ProposalStatus.IMPLEMENTED,
            STAFF,
            condition=handles,
            condition_label=HANDLER_ONLY,
            needs_note=True,
            effect=_answer,
        ),
        Transition(
            "withdraw",
            gettext_lazy("Withdraw my proposal"),
            ANSWERABLE,
            ProposalStatus.WITHDRAWN,
            ("resident",),
            action=VIEW,
            condition=_is_author,
            condition_label=gettext_lazy("Only its author may withdraw a proposal."),
        ),
    ),
)


def _audience(proposal):
    from .notifications import proposal_audience

    return proposal_audience(proposal)


WORKFLOWS = [PROPOSAL]
