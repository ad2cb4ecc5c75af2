"""Crises: tasks as the coordinating body's action items, a convening, the situation log and
public messages, and the after-action review whose corrective actions become action items."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.access.models import SensitiveRead
from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.models import ActionItem, Meeting
from bridgework.core.tlp import TLP
from bridgework.response.choices import CrisisStatus
from bridgework.response.factories import CrisisFactory, ReportFactory
from bridgework.response.models import CrisisUpdate

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_crisis_gives_tasks_convenes_logs_and_closes_with_corrective_actions(tree):
    crisis = CrisisFactory(place=tree.city)
    police = OrganisationFactory(place=tree.city, name="Riverton Police (demo)")
    client = _client(tree.in_scope)
    page = client.get(crisis.get_absolute_url())
    assert page.status_code == 200
    assert page.context["can_task"] and page.context["can_convene"]

    task_url = reverse("response:crisis_task", args=[crisis.pk])
    assert client.get(task_url).status_code == 200
    response = client.post(
        task_url,
        {
            "title": "Patrol near the mosque",
            "owner_organisation": police.pk,
            "due_on": "2026-10-12",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = crisis.tasks.get()
    assert (task.raised_by, task.owner_organisation) == (crisis.body, police)

    convene_url = reverse("response:crisis_convene", args=[crisis.pk])
    assert client.get(convene_url).status_code == 200
    response = client.post(
        convene_url,
        {"title": "Emergency table", "starts_at": "2026-10-09T18:00", "location": "City hall"},
    )
    assert response.status_code == 302
    crisis.refresh_from_db()
    assert crisis.convening == Meeting.objects.get(body=crisis.body)

    client.post(
        reverse("response:crisisupdate_add"),
        {"crisis": crisis.pk, "kind": "public", "text": "Stay calm; the vigil is at six."},
    )
    assert CrisisUpdate.objects.get(crisis=crisis).posted_by == tree.in_scope

    close_url = reverse("response:crisis_close", args=[crisis.pk])
    assert client.get(close_url).status_code == 200
    form = {
        "strengths": "Partners shared what they saw within the hour.",
        "improvements": "The public message came a day late.",
        "root_cause": "No agreed spokesperson.",
        "corrective-TOTAL_FORMS": "3",
        "corrective-INITIAL_FORMS": "0",
        "corrective-MIN_NUM_FORMS": "0",
        "corrective-MAX_NUM_FORMS": "10",
        "corrective-0-title": "Name a spokesperson",
        "corrective-0-owner_organisation": police.pk,
        "corrective-0-due_on": "2026-12-31",
        "corrective-1-title": "Template for public messages",
        "corrective-1-owner_organisation": police.pk,
    }
    response = client.post(close_url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.CLOSED and crisis.closed_on is not None
    titles = sorted(crisis.corrective_actions.values_list("title", flat=True))
    assert titles == ["Name a spokesperson", "Template for public messages"]
    assert ActionItem.objects.filter(raised_by=crisis.body).count() == 3
    page = client.get(crisis.get_absolute_url()).content.decode()
    assert "No agreed spokesperson." in page and "Name a spokesperson" in page


def test_closing_needs_the_whole_review(tree):
    crisis = CrisisFactory(place=tree.city)
    response = _client(tree.in_scope).post(
        reverse("response:crisis_close", args=[crisis.pk]),
        {
            "strengths": "Fast",
            "improvements": "",
            "root_cause": "",
            "corrective-TOTAL_FORMS": "0",
            "corrective-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.OPEN


def test_a_crisis_page_lists_only_the_reports_its_reader_may_read(tree):
    crisis = CrisisFactory(place=tree.city)
    shown = ReportFactory(place=tree.city, title="Seen by the coordinator")
    secret = ReportFactory(place=tree.city, title="Red source report", tlp=TLP.RED)
    crisis.reports.add(shown, secret)
    page = _client(tree.in_scope).get(crisis.get_absolute_url()).content.decode()
    assert shown.title in page
    assert secret.title not in page
    logged = SensitiveRead.objects.filter(user_id=tree.in_scope.pk, content_type__model="report")
    assert set(logged.values_list("object_id", flat=True)) == {str(shown.pk)}


def test_the_plain_step_button_cannot_close_a_crisis_without_its_review(tree):
    crisis = CrisisFactory(place=tree.city)
    client = _client(tree.in_scope)
    response = client.post(
        reverse("response:crisis_transition", args=[crisis.pk]), {"transition": "close"}
    )
    assert response.status_code == 302
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.OPEN


def test_the_api_closes_a_crisis_with_its_review(tree):
    crisis = CrisisFactory(place=tree.city)
    client = _client(tree.in_scope)
    url = reverse("api-1.0.0:transition_crisis", args=[crisis.pk])
    refused = client.post(url, {"transition": "close"}, content_type="application/json")
    assert refused.status_code in {400, 422}
    review = {
        "strengths": "Fast reporting",
        "improvements": "Late public message",
        "root_cause": "No spokesperson",
    }
    answer = client.post(
        url, {"transition": "close", "changes": review}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "closed" and answer.json()["root_cause"] == "No spokesperson"
