"""Two-factor for response records: whoever may read AMBER ones enrols an app and proves it
in each session before any response page or endpoint answers; partners (GREEN) and the public
form are not asked; the rest of the platform is not affected."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.response.factories import ReportFactory
from bridgework.response.testing import current_code, verify_client_session
from bridgework.web.testing.views import BrowserClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.RESPONSE_REQUIRE_OTP = True
    # django-otp slows down guessing (a wait after each wrong code); these tests give a wrong
    # code and then the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _client(user) -> Client:
    client = BrowserClient()
    client.force_login(user)
    return client


def test_a_coordinator_enrols_then_reads_reports(tree):
    report = ReportFactory(place=tree.city, title="Graffiti at the temple")
    client = _client(tree.in_scope)
    first = client.get(reverse("response:report_list"))
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("response:otp_enrol"))
    enrol = client.get(first["Location"])
    assert enrol.status_code == 200
    assert reverse("response:otp_qr") in enrol.content.decode()
    qr = client.get(reverse("response:otp_qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=tree.in_scope, confirmed=False)
    wrong = client.post(reverse("response:otp_enrol"), {"token": "000000"})
    assert wrong.status_code == 400
    done = client.post(
        reverse("response:otp_enrol") + "?next=" + reverse("response:report_list"),
        {"token": current_code(device), "next": reverse("response:report_list")},
    )
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    listed = client.get(reverse("response:report_list"))
    assert listed.status_code == 200 and report.title in listed.content.decode()
    assert client.get(reverse("api-1.0.0:list_reports")).status_code == 200


def test_each_new_session_asks_again_and_a_recovery_code_works_once(tree):
    client = _client(tree.in_scope)
    client.get(reverse("response:otp_enrol"))
    device = TOTPDevice.objects.get(user=tree.in_scope)
    codes = client.post(reverse("response:otp_enrol"), {"token": current_code(device)}).context[
        "codes"
    ]
    fresh = _client(tree.in_scope)
    asked = fresh.get(reverse("response:report_list"))
    assert asked["Location"].startswith(reverse("response:otp_verify"))
    assert fresh.get(asked["Location"]).status_code == 200
    assert fresh.post(reverse("response:otp_verify"), {"token": "12345678"}).status_code == 400
    answer = fresh.post(
        reverse("response:otp_verify"),
        {"token": codes[0], "next": reverse("response:tension_picture")},
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("response:tension_picture")
    assert fresh.get(reverse("response:report_list")).status_code == 200
    again = _client(tree.in_scope)
    assert again.post(reverse("response:otp_verify"), {"token": codes[0]}).status_code == 400


def test_the_api_refuses_response_data_until_the_session_is_verified(tree):
    client = _client(tree.in_scope)
    refused = client.get(reverse("api-1.0.0:list_reports"))
    assert refused.status_code == 403
    assert "second factor" in refused.json()["detail"]
    verify_client_session(client, tree.in_scope)
    assert client.get(reverse("api-1.0.0:list_reports")).status_code == 200


def _token_made_on_the_account_page(client) -> str:
    page = client.post(reverse("token_create"), {"name": "Nightly export", "purpose": "api"})
    assert page.status_code == 200
    return page.context["new_secret"]


def test_a_token_reads_incident_data_only_if_made_behind_a_second_factor(tree):
    ReportFactory(place=tree.city, title="Graffiti at the temple")
    client = _client(tree.in_scope)
    unguarded = _token_made_on_the_account_page(client)
    verify_client_session(client, tree.in_scope)
    guarded = _token_made_on_the_account_page(client)
    script = Client()  # no session: the token alone
    url = reverse("api-1.0.0:list_reports")
    refused = script.get(url, headers={"Authorization": f"Bearer {unguarded}"})
    assert refused.status_code == 403 and "token made after" in refused.json()["detail"]
    answered = script.get(url, headers={"Authorization": f"Bearer {guarded}"})
    assert answered.status_code == 200
    assert [r["title"] for r in answered.json()["items"]] == ["Graffiti at the temple"]
    # The rest of the API answers either token.
    me = script.get(reverse("api-1.0.0:me"), headers={"Authorization": f"Bearer {unguarded}"})
    assert me.status_code == 200


def test_partners_the_public_and_other_pages_are_not_asked(tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    assert _client(partner).get(reverse("response:intake")).status_code == 200
    assert BrowserClient().get(reverse("response:public_report")).status_code == 200
    # A coordinator who has not verified still uses the rest of the platform.
    assert _client(tree.in_scope).get(reverse("home")).status_code == 200


def test_a_places_activity_leaves_out_reports_until_the_session_is_verified(tree):
    from bridgework.response.actions import do_receive_report

    do_receive_report(
        ReportFactory.build(place=tree.city, title="Graffiti at the temple"),
        acting_user=tree.in_scope,
    )
    client = _client(tree.in_scope)
    page = client.get(tree.city.get_absolute_url())
    assert page.status_code == 200
    kinds = [entry.kind for entry in page.context["activity"]]
    assert "incident report" not in kinds
    assert "Graffiti at the temple" not in page.content.decode()
    verify_client_session(client, tree.in_scope)
    verified = client.get(tree.city.get_absolute_url())
    assert "incident report" in [entry.kind for entry in verified.context["activity"]]
    assert "Graffiti at the temple" in verified.content.decode()
