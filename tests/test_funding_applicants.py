"""Applicants see and change only their own organisations' applications: a partner of a
competing organisation at the same place reaches none of them (pages, API, lists, counts,
exports), nor the grants and reports that follow them; co-applicants do; local coordinators
keep seeing every application at their place."""

from __future__ import annotations

import datetime

from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import permits
from bridgework.actors.factories import OrganisationFactory
from bridgework.core.actions import do_create_record
from bridgework.funding.factories import post_for
from bridgework.funding.models import Application, Grant, Report

from .test_funding_api import _api, _post
from .test_funding_rules import _award, _client, _submitted, ca  # noqa: F401 (fixture)


def _competitor(ca):  # noqa: F811
    """A partner at the same place, working for another Mississauga organisation."""
    rival = OrganisationFactory(name="Malton Bridges (demo)", place=ca.mississauga)
    user = UserFactory(label="partner")
    RoleAssignmentFactory(user=user, role="partner", place=ca.mississauga)
    post_for(user, rival)
    return user, rival


def test_a_competitor_reaches_none_of_the_applications_of_others(ca):  # noqa: F811
    application = _submitted(ca, title="Youth dialogue circles")
    competitor, _rival = _competitor(ca)
    assert not Application.objects.visible_to(competitor).exists()
    assert not permits(competitor, "view", application)
    assert not permits(competitor, "change", application)
    page = _client(competitor)
    assert page.get(application.get_absolute_url()).status_code == 404
    assert page.get(reverse("funding:application_edit", args=[application.pk])).status_code == 404
    listed = page.get(reverse("funding:application_list")).content.decode()
    assert "Youth dialogue circles" not in listed
    mine = page.get(reverse("funding:mine")).content.decode()
    assert "Youth dialogue circles" not in mine
    api = _api(competitor)
    assert api.get(reverse("api-1.0.0:get_application", args=[application.pk])).status_code == 404
    rows = api.get(reverse("api-1.0.0:list_applications")).json()
    assert rows["items"] == []
    # Partners export nothing at all (the policy gives them no export).
    export = page.get(reverse("funding:application_list"), {"format": "csv"})
    assert export.status_code == 403
    # The applicant's own partner still reaches it.
    assert _client(ca.partner).get(application.get_absolute_url()).status_code == 200


def test_a_competitor_reaches_none_of_the_grants_and_reports_that_follow(ca):  # noqa: F811
    grant = _award(ca)
    report = Report.objects.create(
        grant=grant,
        period_start=grant.starts_on,
        period_end=grant.starts_on.replace(month=12, day=31),
        text="Sessions held",
    )
    competitor, _rival = _competitor(ca)
    assert not Grant.objects.visible_to(competitor).exists()
    assert not Report.objects.visible_to(competitor).exists()
    page = _client(competitor)
    assert page.get(grant.get_absolute_url()).status_code == 404
    assert page.get(report.get_absolute_url()).status_code == 404
    api = _api(competitor)
    assert api.get(reverse("api-1.0.0:list_grants")).json()["items"] == []
    assert api.get(reverse("api-1.0.0:list_grant_reports")).json()["items"] == []
    assert _client(ca.partner).get(report.get_absolute_url()).status_code == 200


def test_a_competitor_cannot_apply_in_another_organisations_name(ca):  # noqa: F811
    competitor, _rival = _competitor(ca)
    refused = _post(
        _api(competitor),
        "create_application",
        {
            "call": ca.call.pk,
            "organisation": ca.organisation.pk,
            "title": "Not ours",
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "budget": "2027: 30000\n2028: 30000\n2029: 30000",
            "tlp": 1,
        },
    )
    assert refused.status_code in {403, 404, 422}
    assert not Application.objects.filter(title="Not ours").exists()


def test_a_co_applicant_sees_and_changes_the_application(ca):  # noqa: F811
    competitor, rival = _competitor(ca)
    draft = do_create_record(ca.application(), acting_user=ca.partner)
    assert not permits(competitor, "view", draft)
    draft.co_applicants.add(rival)
    assert permits(competitor, "view", draft)
    assert permits(competitor, "change", draft)
    assert list(Application.objects.visible_to(competitor)) == [draft]  # once, not per join


def test_a_past_post_gives_no_reach(ca):  # noqa: F811
    application = _submitted(ca)
    former = UserFactory(label="partner")
    RoleAssignmentFactory(user=former, role="partner", place=ca.mississauga)
    post = post_for(former, ca.organisation)
    post.starts_on, post.ends_on = datetime.date(2019, 1, 1), datetime.date(2020, 12, 31)
    post.save()
    assert not permits(former, "view", application)


def test_local_coordinators_keep_seeing_every_application_at_their_place(ca):  # noqa: F811
    application = _submitted(ca)
    coordinator = UserFactory(label="local")
    RoleAssignmentFactory(user=coordinator, role="local_coordinator", place=ca.mississauga)
    assert list(Application.objects.visible_to(coordinator)) == [application]
    assert _client(coordinator).get(application.get_absolute_url()).status_code == 200
