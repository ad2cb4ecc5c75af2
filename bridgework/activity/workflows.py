"""Workflows as data (Hypha's idea): a declared table of states and transitions.

A module declares ``WORKFLOWS`` in its ``workflows.py``: each :class:`Workflow` names the
model and the field that holds the state, its states, and its transitions; each
:class:`Transition` names the states it leaves from, the state it reaches, the roles allowed
to take it (held at the record's place), the policy action it also needs on the record, an
optional condition, and whether a note is required. :func:`do_transition` is the one way any
of them is taken: it checks all of that, saves the new state (audited, scope re-checked),
records an event with who, when, from and to, and queues the workflow's notification after
the commit. The same table renders the help page of each workflow and drives the generated
tests (every transition with an allowed and a refused role).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.context import set_actor
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from bridgework.access.policy import holds_role_at, permits
from bridgework.access.roles import CHANGE
from bridgework.core.actions import ensure_in_scope
from bridgework.core.events import record_event
from bridgework.core.modules import module_parts

__all__ = [
    "Transition",
    "Workflow",
    "available_transitions",
    "check_transition",
    "do_transition",
    "workflow_for",
    "workflows",
]


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    action: str = CHANGE
    condition: Callable[[models.Model, Any], bool] | None = None
    condition_label: Any = ""
    needs_note: bool = False
    # A step that takes more than a note (an answer, a reason with a kind) names the fields it
    # accepts from its caller (``do_transition(..., changes=...)``), those that must be filled
    # once it is taken, and the page (URL name taking the record's pk) whose form collects them.
    accepts: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    page: str = ""
    # ``effect(record, acting_user, note)`` changes what else the step changes (a need moving
    # up a level), inside the transaction, and returns the names of the fields it set.
    effect: Callable[[models.Model, Any, str], Iterable[str]] | None = None


@dataclass(frozen=True)
class Workflow:
    """``model`` is a model label (``bodies.actionitem``); ``states`` the field's choices.

    ``audience(record)`` names the users told of a transition (kind ``notify_kind``)."""

    model: str
    label: Any
    states: tuple[tuple[str, Any], ...]
    initial: str
    transitions: tuple[Transition, ...]
    field: str = "status"
    description: Any = ""
    notify_kind: str = ""
    audience: Callable[[models.Model], Iterable[Any]] | None = None

    @property
    def name(self) -> str:
        return self.model

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def state_label(self, value: str) -> str:
        return str(dict(self.states).get(value, value))

    def transition(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise ValidationError({"transition": _("There is no step %(name)s here.") % {"name": name}})

    def leaving(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def check(self) -> None:
        """The table is consistent: every state named exists, every transition name is unique."""
        known = {value for value, _label in self.states}
        names = [t.name for t in self.transitions]
        problems = [f"duplicate transition {n}" for n in set(names) if names.count(n) > 1]
        if self.initial not in known:
            problems.append(f"initial state {self.initial} is not a state")
        for t in self.transitions:
            problems += [
                f"{t.name}: unknown state {s}" for s in (*t.sources, t.target) if s not in known
            ]
            if not t.roles:
                problems.append(f"{t.name}: names no role")
            problems += [
                f"{t.name}: requires {name}, which it does not accept"
                for name in t.requires
                if name not in t.accepts
            ]
        if problems:
            raise ValueError(f"workflow {self.model}: " + "; ".join(problems))


@functools.cache
def workflows() -> dict[str, Workflow]:
    """Every module's ``workflows.WORKFLOWS``, by model label: checked and gathered once (every
    list page asks whether its model has a workflow). The same dict each call: read it only."""
    found: dict[str, Workflow] = {}
    for _config, part in module_parts("workflows"):
        for workflow in getattr(part, "WORKFLOWS", ()):
            workflow.check()
            found[workflow.model] = workflow
    return found


def workflow_for(record_or_model: models.Model | type[models.Model]) -> Workflow | None:
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    return workflows().get(model._meta.label_lower)


def check_transition(
    user, workflow: Workflow, transition: Transition, record: models.Model
) -> None:
    """Raise unless ``user`` may take ``transition`` on ``record`` now."""
    current = getattr(record, workflow.field)
    if current not in transition.sources:
        raise ValidationError(
            _("“%(step)s” cannot be done while it is %(state)s.")
            % {"step": transition.label, "state": workflow.state_label(current)}
        )
    if not permits(user, transition.action, record):
        raise PermissionDenied(_("You may not do that here."))
    path = getattr(record, getattr(record, "scope_path_field", "place_path"), "")
    if not holds_role_at(user, transition.roles, path):
        raise PermissionDenied(_("Your role here may not take this step."))
    if transition.condition is not None and not transition.condition(record, user):
        raise PermissionDenied(str(transition.condition_label) or _("Not possible now."))


def available_transitions(record: models.Model, user) -> list[Transition]:
    """The steps ``user`` may take on ``record`` now: the buttons its page offers."""
    workflow = workflow_for(record)
    if workflow is None:
        return []
    allowed = []
    for transition in workflow.leaving(getattr(record, workflow.field)):
        try:
            check_transition(user, workflow, transition, record)
        except (PermissionDenied, ValidationError):
            continue
        allowed.append(transition)
    return allowed


@transaction.atomic
def do_transition(
    record: models.Model,
    name: str,
    *,
    acting_user,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> models.Model:
    """Take the step ``name`` on ``record`` as ``acting_user``; returns the saved record.

    ``changes`` sets the fields the step accepts (an answer's kind and text), validated with
    the record's own rules and saved with the new state."""
    workflow = workflow_for(record)
    if workflow is None:
        raise ValidationError(_("This record has no workflow."))
    transition = workflow.transition(name)
    # Lock the row: two people taking steps at once see each other's result, not a stale state.
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    check_transition(acting_user, workflow, transition, locked)
    note = note.strip()
    if transition.needs_note and not note:
        raise ValidationError({"note": _("Say why: this step needs a note.")})
    before = getattr(locked, workflow.field)
    changed = _apply_changes(record, transition, changes or {})
    setattr(record, workflow.field, transition.target)
    if transition.effect is not None:
        changed += list(transition.effect(record, acting_user, note))
    update_fields = [workflow.field, *dict.fromkeys(changed)]
    if changed:
        record.full_clean()
    if any(f.name == "updated_at" for f in record._meta.concrete_fields):
        update_fields.append("updated_at")
    with set_actor(acting_user):
        record.save(update_fields=update_fields)
    ensure_in_scope(record, acting_user, transition.action)
    record_event(
        record,
        "transition",
        actor=acting_user,
        workflow=workflow.model,
        from_state=before,
        to_state=transition.target,
        note=note,
    )
    _notify(workflow, transition, record, acting_user, before, note)
    return record


def _apply_changes(
    record: models.Model, transition: Transition, changes: dict[str, Any]
) -> list[str]:
    """Set the fields the step accepts; refuse any other, and a required one left empty."""
    unknown = sorted(set(changes) - set(transition.accepts))
    if unknown:
        raise ValidationError(
            {
                field: _("“%(step)s” does not take this field.") % {"step": transition.label}
                for field in unknown
            }
        )
    for field, value in changes.items():
        setattr(record, field, value)
    missing = {
        field: _("This step needs it.")
        for field in transition.requires
        if getattr(record, field, None) in (None, "")
    }
    if missing:
        raise ValidationError(missing)
    return list(changes)


def _notify(
    workflow: Workflow,
    transition: Transition,
    record: models.Model,
    actor,
    before: str,
    note: str = "",
) -> None:
    if not workflow.notify_kind or workflow.audience is None:
        return
    from bridgework.notifications.actions import notify

    notify(
        workflow.notify_kind,
        record=record,
        recipients=list(workflow.audience(record)),
        actor=actor,
        # The note said with the step (an editor's comments, a reason) goes with it: each
        # module's message decides whether to show it.
        context={
            "transition": transition.name,
            "from": before,
            "to": transition.target,
            "note": note,
        },
    )
