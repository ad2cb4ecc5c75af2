"""Generated tests for a declared workflow: every transition, from every state it leaves,
taken by a role it names (it moves, and leaves an event saying who, from and to), refused to a
role it does not name and to one that may not see the record, refused from a state it does not
leave, and refused without its note when it needs one."""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import PolicyRule, Role
from bridgework.activity.models import Event
from bridgework.activity.workflows import Transition, Workflow, do_transition
from bridgework.core.tlp import TLP
from bridgework.places.models import Place

from .registry import TESTED_WORKFLOWS
from .tree import StandardTree, build_tree

__all__ = ["WorkflowTests"]


class WorkflowTests:
    """Subclass with ``workflow`` and ``make_record(place, state)``."""

    workflow: ClassVar[Workflow]
    tree: StandardTree

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "workflow", None) is not None:
            TESTED_WORKFLOWS.add(cls.workflow.model)

    @pytest.fixture(autouse=True)
    def _standard_tree(self, db):
        self.tree = build_tree()

    def make_record(self, place: Place, state: str) -> Model:
        raise NotImplementedError

    def changes_for(self, transition: Transition) -> dict:
        """What a step that takes more than a note is given (``Transition.accepts``)."""
        return {}

    # --- who --------------------------------------------------------------------------------

    def allowed_user(self, transition: Transition):
        """Someone holding, at the city, a role the transition names and whose rules grant its
        action on the model."""
        granting = set(
            PolicyRule.objects.filter(
                role__slug__in=transition.roles,
                action=transition.action,
                model_label__in=[self.workflow.model, "*"],
            ).values_list("role__slug", flat=True)
        )
        slug = next((slug for slug in transition.roles if slug in granting), None)
        assert slug is not None, f"{transition.name}: no role it names may {transition.action}"
        user = UserFactory.create(label=slug)
        RoleAssignmentFactory.create(user=user, role=slug, place=self.tree.city)
        return user

    def unnamed_role_user(self, transition: Transition):
        """Someone whose role may see and ``action`` the record but is not named by the
        transition: the workflow, not the policy, must refuse them."""
        role = Role.objects.create(
            slug=f"not-{transition.name}",
            name=f"Not named by {transition.name}",
            rank=1,
            tlp_ceiling=TLP.RED,
        )
        for action in {"view", transition.action}:
            PolicyRule.objects.create(role=role, action=action, model_label=self.workflow.model)
        user = UserFactory.create(label="unnamed")
        RoleAssignmentFactory.create(user=user, role=role, place=self.tree.city)
        return user

    def _state(self, record: Model) -> str:
        record.refresh_from_db()
        return getattr(record, self.workflow.field)

    def _events(self, record: Model):
        return Event.objects.about(record).filter(verb="transition")

    # --- the tests --------------------------------------------------------------------------

    def test_the_table_is_consistent(self):
        self.workflow.check()
        states = {value for value, _label in self.workflow.states}
        assert self.workflow.initial in states
        assert self.workflow.transitions

    def test_each_transition_is_taken_by_a_role_it_names(self):
        for transition in self.workflow.transitions:
            user = self.allowed_user(transition)
            for source in transition.sources:
                record = self.make_record(self.tree.city, source)
                do_transition(
                    record,
                    transition.name,
                    acting_user=user,
                    note="Checked with all",
                    changes=self.changes_for(transition),
                )
                assert self._state(record) == transition.target, (transition.name, source)
                event = self._events(record).get()
                assert (event.from_state, event.to_state) == (source, transition.target)
                assert event.actor_id == user.pk and event.workflow == self.workflow.model

    def test_each_transition_refuses_a_role_it_does_not_name(self):
        for transition in self.workflow.transitions:
            user = self.unnamed_role_user(transition)
            record = self.make_record(self.tree.city, transition.sources[0])
            with pytest.raises(PermissionDenied):
                do_transition(record, transition.name, acting_user=user, note="Trying")
            assert self._state(record) == transition.sources[0], transition.name
            assert not self._events(record).exists()

    def test_each_transition_refuses_someone_who_cannot_reach_the_record(self):
        for transition in self.workflow.transitions:
            record = self.make_record(self.tree.sibling, transition.sources[0])
            with pytest.raises(PermissionDenied):
                do_transition(record, transition.name, acting_user=self.tree.in_scope, note="x")
            assert self._state(record) == transition.sources[0]

    def test_each_transition_refuses_a_state_it_does_not_leave(self):
        states = [value for value, _label in self.workflow.states]
        for transition in self.workflow.transitions:
            elsewhere = [s for s in states if s not in transition.sources]
            if not elsewhere:
                continue
            user = self.allowed_user(transition)
            record = self.make_record(self.tree.city, elsewhere[0])
            with pytest.raises(ValidationError):
                do_transition(record, transition.name, acting_user=user, note="x")
            assert self._state(record) == elsewhere[0]

    def test_a_transition_that_needs_a_note_refuses_none(self):
        for transition in (t for t in self.workflow.transitions if t.needs_note):
            user = self.allowed_user(transition)
            record = self.make_record(self.tree.city, transition.sources[0])
            with pytest.raises(ValidationError):
                do_transition(record, transition.name, acting_user=user, note="  ")
            assert self._state(record) == transition.sources[0]
