"""The whole funding path through the API (and each workflow's page step): application,
submission, review with a conflict, approval, award, report, tranche, closing."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from bridgework.access.actions import do_create_api_token
from bridgework.funding.models import Application, Grant, Review, Tranche

from .test_funding_rules import ca  # noqa: F401 (fixture)


def _api(user) -> Client:
    _token, secret = do_create_api_token(user=user, name="script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _post(client, name, data, *args):
    return client.post(
        reverse(f"api-1.0.0:{name}", args=args), data, content_type="application/json"
    )


def _step(client, name, pk, transition, note="", changes=None):
    response = _post(
        client,
        f"transition_{name}",
        {"transition": transition, "note": note, "changes": changes or {}},
        pk,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_whole_path_through_the_api(ca):  # noqa: F811
    partner, staff = _api(ca.partner), _api(ca.staff)
    first, second = _api(ca.first_reviewer), _api(ca.second_reviewer)

    refused = _post(
        partner,
        "create_application",
        {
            "call": ca.call.pk,
            "organisation": ca.organisation.pk,
            "title": "Circles",
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "budget": "2027: 30000\n2028: 30000",
            "tlp": 1,
        },
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "budget"
    assert not Application.objects.exists()

    created = _post(
        partner,
        "create_application",
        {
            "call": ca.call.pk,
            "organisation": ca.organisation.pk,
            "title": "Circles",
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "budget": "2027: 30000\n2028: 30000\n2029: 30000",
            "answers_json": '{"who-takes-part": "Three schools"}',
            "tlp": 1,
        },
    )
    assert created.status_code == 201, created.content
    application = created.json()
    assert application["answers"]["who-takes-part"] == "Three schools"
    pk = application["id"]
    assert _step(partner, "application", pk, "submit")["status"] == "submitted"
    assert _step(staff, "application", pk, "start_review")["status"] == "under_review"

    reviews = []
    for reviewer in (ca.first_reviewer, ca.second_reviewer):
        response = _post(staff, "create_review", {"application": pk, "reviewer": reviewer.pk})
        assert response.status_code == 201, response.content
        reviews.append(response.json()["id"])
    scores = {"fit-with-local-needs": 5, "feasibility": 5, "value-for-money": 4}
    scored = _step(first, "review", reviews[0], "score", "Strong", {"scores": json.dumps(scores)})
    assert scored["score"] == "4.70"
    _step(second, "review", reviews[1], "declare_conflict", "My sister runs it")
    hidden = second.get(reverse("api-1.0.0:get_review", args=[reviews[0]])).json()
    assert hidden["scores"] is None and hidden["comment"] is None

    assert _step(staff, "application", pk, "approve")["status"] == "approved"
    award = _post(
        staff,
        "create_grant",
        {
            "application": pk,
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "report_every_months": 12,
            "schedule": "2027-01-15: 30000\n2028-01-15: 30000\n2029-01-15: 30000",
        },
    )
    assert award.status_code == 201, award.content
    grant = Grant.objects.get(pk=award.json()["id"])
    second_tranche = grant.tranches.get(number=2)
    report = _post(
        partner,
        "create_grant_report",
        {
            "grant": grant.pk,
            "kind": "progress",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "text": "Circles held",
            "unlocks": second_tranche.pk,
        },
    )
    assert report.status_code == 201, report.content
    early = _post(
        staff, "transition_tranche", {"transition": "release", "note": ""}, second_tranche.pk
    )
    assert early.status_code == 403
    _step(staff, "grant_report", report.json()["id"], "accept")
    assert _step(staff, "tranche", second_tranche.pk, "release")["status"] == "released"
    assert (
        _step(staff, "grant", grant.pk, "start_closing", "Final report due")["status"] == "closing"
    )


def test_each_workflow_takes_its_steps_from_the_record_page(ca):  # noqa: F811
    from .test_funding_rules import _award

    grant = _award(ca)
    page = Client()
    page.force_login(ca.staff)
    response = page.post(
        reverse("funding:grant_transition", args=[grant.pk]),
        {"transition": "start_closing", "note": "Work ends"},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == "closing"
    third = grant.tranches.get(number=3)
    page.post(reverse("funding:tranche_transition", args=[third.pk]), {"transition": "release"})
    assert Tranche.objects.get(pk=third.pk).status == "planned"  # no accepted report yet
    review = Review.objects.create(application=grant.application, reviewer=ca.first_reviewer)
    reviewer = Client()
    reviewer.force_login(ca.first_reviewer)
    reviewer.post(
        reverse("funding:review_transition", args=[review.pk]),
        {"transition": "declare_conflict", "note": "Former employee"},
    )
    assert Review.objects.get(pk=review.pk).status == "conflicted"
