"""The plans pages take workflow steps as every record page does (the Next steps form)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.bodies.factories import BodyFactory
from bridgework.plans.choices import PlanActionStatus, StrategyStatus
from bridgework.plans.factories import (
    LocalPlanFactory,
    PlanActionFactory,
    PlanPriorityFactory,
    StrategyFactory,
)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_national_coordinator_puts_a_strategy_in_force_from_its_page(tree):
    strategy = StrategyFactory(owner=BodyFactory(place=tree.country))
    client = _client(tree.ancestor)
    page = client.get(strategy.get_absolute_url())
    assert [step.name for step in page.context["plain_steps"]] == ["publish"]
    response = client.post(
        reverse("plans:strategy_transition", args=[strategy.pk]), {"transition": "publish"}
    )
    assert response.status_code == 302
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.CURRENT


def test_a_local_coordinator_starts_a_plan_action_but_may_not_publish_a_strategy(tree):
    local = UserFactory(label="local")
    RoleAssignmentFactory(user=local, role="local_coordinator", place=tree.city)
    action = PlanActionFactory(priority=PlanPriorityFactory(plan=LocalPlanFactory(place=tree.city)))
    client = _client(local)
    response = client.post(
        reverse("plans:planaction_transition", args=[action.pk]), {"transition": "start"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == PlanActionStatus.UNDER_WAY
    strategy = StrategyFactory(owner=BodyFactory(place=tree.country))
    response = client.post(
        reverse("plans:strategy_transition", args=[strategy.pk]), {"transition": "publish"}
    )
    assert response.status_code in {403, 404}
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.DRAFT
