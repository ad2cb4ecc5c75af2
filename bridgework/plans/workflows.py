"""How strategies, plans, plan actions and local needs move.

A local need is raised by a place and put before the level above it; that level answers it
(with a programme, a fund call, a course, a knowledge item) or declines it with a reason, or
passes it up one level with a note. Only the level it is with, or someone above that level,
may take those steps; the raising place sees every step and the answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from bridgework.access.policy import holds_role_at
from bridgework.activity.workflows import Transition, Workflow

from .choices import AnswerKind, NeedStatus, PlanActionStatus, PlanStatus, StrategyStatus

__all__ = ["LOCAL_NEED", "LOCAL_PLAN", "PLAN_ACTION", "STRATEGY", "WORKFLOWS"]

NATIONAL = ("national_coordinator", "network_admin")
COORDINATORS = ("local_coordinator", "national_coordinator", "network_admin")


# --- strategies ----------------------------------------------------------------------------------


def _supersede_previous(strategy, acting_user, note: str) -> Iterable[str]:
    """Putting a version in force retires the version it revises."""
    from .actions import do_supersede_strategy

    previous = strategy.previous
    if previous is not None and previous.status == StrategyStatus.CURRENT:
        do_supersede_strategy(previous, by=strategy, acting_user=acting_user)
    return ()


STRATEGY = Workflow(
    model="plans.strategy",
    label=gettext_lazy("National strategies"),
    description=gettext_lazy(
        "A strategy is drafted, put in force, and retired when a revised version replaces it."
    ),
    states=tuple(StrategyStatus.choices),
    initial=StrategyStatus.DRAFT,
    transitions=(
        Transition(
            "publish",
            gettext_lazy("Put in force"),
            (StrategyStatus.DRAFT,),
            StrategyStatus.CURRENT,
            NATIONAL,
            effect=_supersede_previous,
        ),
        Transition(
            "retire",
            gettext_lazy("Retire"),
            (StrategyStatus.CURRENT,),
            StrategyStatus.SUPERSEDED,
            NATIONAL,
            needs_note=True,
        ),
    ),
)

# --- local plans and their actions ---------------------------------------------------------------

LOCAL_PLAN = Workflow(
    model="plans.localplan",
    label=gettext_lazy("Local plans"),
    description=gettext_lazy(
        "A place's plan is drafted, adopted by its owner body, and closed when its period ends."
    ),
    states=tuple(PlanStatus.choices),
    initial=PlanStatus.DRAFT,
    transitions=(
        Transition(
            "adopt", gettext_lazy("Adopt"), (PlanStatus.DRAFT,), PlanStatus.ADOPTED, COORDINATORS
        ),
        Transition(
            "revise",
            gettext_lazy("Back to draft"),
            (PlanStatus.ADOPTED,),
            PlanStatus.DRAFT,
            COORDINATORS,
            needs_note=True,
        ),
        Transition(
            "close",
            gettext_lazy("Close"),
            (PlanStatus.DRAFT, PlanStatus.ADOPTED),
            PlanStatus.CLOSED,
            COORDINATORS,
            needs_note=True,
        ),
    ),
)

PLAN_ACTION = Workflow(
    model="plans.planaction",
    label=gettext_lazy("Plan actions"),
    description=gettext_lazy("What a plan says a place will do, from planned to done."),
    states=tuple(PlanActionStatus.choices),
    initial=PlanActionStatus.PLANNED,
    transitions=(
        Transition(
            "start",
            gettext_lazy("Start"),
            (PlanActionStatus.PLANNED,),
            PlanActionStatus.UNDER_WAY,
            COORDINATORS,
        ),
        Transition(
            "complete",
            gettext_lazy("Mark done"),
            (PlanActionStatus.PLANNED, PlanActionStatus.UNDER_WAY),
            PlanActionStatus.DONE,
            COORDINATORS,
        ),
        Transition(
            "drop",
            gettext_lazy("Drop"),
            (PlanActionStatus.PLANNED, PlanActionStatus.UNDER_WAY),
            PlanActionStatus.DROPPED,
            COORDINATORS,
            needs_note=True,
        ),
        Transition(
            "resume",
            gettext_lazy("Resume"),
            (PlanActionStatus.DONE, PlanActionStatus.DROPPED),
            PlanActionStatus.PLANNED,
            COORDINATORS,
            needs_note=True,
        ),
    ),
)

# --- local needs ---------------------------------------------------------------------------------

OPEN = (NeedStatus.RAISED, NeedStatus.ESCALATED)
CLOSED = (NeedStatus.ANSWERED, NeedStatus.DECLINED)


def handles(need, user) -> bool:
    """Whether ``user`` coordinates at the level the need is with (or above it)."""
    return holds_role_at(user, COORDINATORS, need.handled_path)


def handles_below_the_top(need, user) -> bool:
    return handles(need, user) and need.handled_at.depth > 1


def _pass_up(need, acting_user, note: str) -> Iterable[str]:
    from .actions import record_referral

    record_referral(need, to_place=need.handled_at.parent, note=note, acting_user=acting_user)
    return ("handled_at", "handled_path")


def _close_with_answer(need, acting_user, note: str) -> Iterable[str]:
    if need.answer_kind == AnswerKind.DECLINE:
        raise ValidationError({"answer_kind": _("To say no, decline the need with your reason.")})
    if need.answer_type_id or need.answer_id:
        _check_answer_record(need, acting_user)
    need.answer_text = note
    need.closed_on = timezone.localdate()
    return ("answer_text", "closed_on")


def _check_answer_record(need, acting_user) -> None:
    """An answer may name a record of the platform that the one answering may see."""
    from django.contrib.contenttypes.models import ContentType

    from bridgework.access.policy import permits

    content_type = ContentType.objects.filter(pk=need.answer_type_id).first()
    model = content_type.model_class() if content_type else None
    record = (
        model._default_manager.filter(pk=need.answer_id).first()
        if model is not None and need.answer_id
        else None
    )
    if record is None or not permits(acting_user, "view", record):
        raise ValidationError({"answer_id": _("There is no such record you may point to.")})


def _close_with_no(need, acting_user, note: str) -> Iterable[str]:
    need.answer_kind = AnswerKind.DECLINE
    need.answer_title = ""
    need.answer_url = ""
    need.answer_type = None
    need.answer_id = None
    need.answer_text = note
    need.closed_on = timezone.localdate()
    return (
        "answer_kind",
        "answer_title",
        "answer_url",
        "answer_type",
        "answer_id",
        "answer_text",
        "closed_on",
    )


def _withdraw(need, acting_user, note: str) -> Iterable[str]:
    need.closed_on = timezone.localdate()
    return ("closed_on",)


def _reopen(need, acting_user, note: str) -> Iterable[str]:
    need.closed_on = None
    return ("closed_on",)


def _handler_label() -> Any:
    return gettext_lazy("Only the level the need is with, or one above it, may do this.")


LOCAL_NEED = Workflow(
    model="plans.localneed",
    label=gettext_lazy("Local needs"),
    description=gettext_lazy(
        "A need goes before the level above the place that raised it. That level answers it, "
        "declines it with a reason, or passes it up with a note, one level at a time."
    ),
    states=tuple(NeedStatus.choices),
    initial=NeedStatus.RAISED,
    notify_kind="plans.need_moved",
    audience=lambda need: _need_audience(need),
    transitions=(
        Transition(
            "answer",
            pgettext_lazy("the step that answers a need", "Answer"),
            OPEN,
            NeedStatus.ANSWERED,
            COORDINATORS,
            condition=handles,
            condition_label=_handler_label(),
            needs_note=True,
            accepts=("answer_kind", "answer_title", "answer_url", "answer_type_id", "answer_id"),
            requires=("answer_kind", "answer_title"),
            page="plans:localneed_answer",
            effect=_close_with_answer,
        ),
        Transition(
            "pass_up",
            gettext_lazy("Pass up a level"),
            OPEN,
            NeedStatus.ESCALATED,
            COORDINATORS,
            condition=handles_below_the_top,
            condition_label=gettext_lazy(
                "Only the level the need is with may pass it up, and not beyond the country."
            ),
            needs_note=True,
            effect=_pass_up,
        ),
        Transition(
            "decline",
            gettext_lazy("Decline with a reason"),
            OPEN,
            NeedStatus.DECLINED,
            COORDINATORS,
            condition=handles,
            condition_label=_handler_label(),
            needs_note=True,
            effect=_close_with_no,
        ),
        Transition(
            "withdraw",
            gettext_lazy("Withdraw"),
            OPEN,
            NeedStatus.WITHDRAWN,
            COORDINATORS,
            needs_note=True,
            effect=_withdraw,
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            CLOSED,
            NeedStatus.RAISED,
            COORDINATORS,
            needs_note=True,
            effect=_reopen,
        ),
    ),
)


def _need_audience(need):
    from .notifications import need_audience

    return need_audience(need)


WORKFLOWS = [STRATEGY, LOCAL_PLAN, PLAN_ACTION, LOCAL_NEED]
