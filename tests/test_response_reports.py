"""Incident reports: who may send them and read them back, the public form and its rate
limit, the second coder, sharing beyond the label, alerts, retention and erasure."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import permits
from bridgework.activity.workflows import do_transition
from bridgework.actors.actions import do_erase_person
from bridgework.actors.factories import PersonFactory
from bridgework.actors.selectors import personal_data
from bridgework.bodies.factories import BodyFactory, SeatFactory
from bridgework.core.periodic import jobs as periodic_jobs
from bridgework.core.tlp import TLP
from bridgework.notifications.models import Notification
from bridgework.notifications.testing import immediate_tasks
from bridgework.response.actions import (
    do_apply_retention,
    do_receive_report,
    do_review_severity,
    do_update_report,
    matching_rules,
)
from bridgework.response.choices import ReportKind, ReportSource, ReportStatus
from bridgework.response.factories import AlertRuleFactory, ReportFactory
from bridgework.response.models import BiasCategory, Report
from bridgework.web.testing.views import BrowserClient

pytestmark = pytest.mark.django_db


def _partner(tree):
    user = UserFactory(label="partner")
    RoleAssignmentFactory(user=user, role="partner", place=tree.city)
    return user


def _report(place, **fields):
    values = {
        "kind": ReportKind.HATE_CRIME,
        "title": "Assault outside the mosque",
        "place": place,
        "occurred_on": datetime.date(2026, 10, 9),
        "description": "A worshipper was pushed and insulted.",
        "severity": 4,
        "source": ReportSource.WITNESS,
        **fields,
    }
    return Report(**values)


def _client(user) -> Client:
    client = BrowserClient()
    client.force_login(user)
    return client


INTAKE = {
    "kind": "hate_incident",
    "title": "Flyers against newcomers on the bus shelter",
    "occurred_on": "2026-10-10",
    "description": "Printed flyers with slurs.",
    "severity": 2,
    "source": "partner",
    "reliability": "B",
    "evidence": "evidenced",
}


def test_a_partner_reports_an_amber_incident_they_cannot_read_back(
    tree, django_capture_on_commit_callbacks
):
    partner = _partner(tree)
    client = _client(partner)
    # The coordinators' add page sends a partner to the intake form.
    assert client.get(reverse("response:report_add"))["Location"] == reverse("response:intake")
    assert client.get(reverse("response:intake")).status_code == 200
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("response:intake"), {**INTAKE, "place": tree.ward.pk})
    assert response.status_code == 302 and response["Location"] == reverse("response:intake")
    report = Report.objects.get()
    assert (report.tlp, report.reported_by, report.status) == (
        TLP.AMBER,
        partner,
        ReportStatus.RECEIVED,
    )
    assert report.retain_until == report.occurred_on + datetime.timedelta(days=3 * 365)
    assert not permits(partner, "view", report)
    assert client.get(report.get_absolute_url()).status_code == 404
    # The coordinators of the ward and above hear of it; the sibling's do not.
    told = set(
        Notification.objects.filter(kind="response.report_received").values_list(
            "recipient", flat=True
        )
    )
    assert told == {tree.in_scope.pk, tree.ancestor.pk}
    subject = Notification.objects.filter(kind="response.report_received").first().subject
    assert subject.startswith("[TLP:AMBER]")


def test_a_partner_cannot_report_for_a_place_outside_their_own(tree):
    partner = _partner(tree)
    response = _client(partner).post(
        reverse("response:intake"), {**INTAKE, "place": tree.sibling.pk}
    )
    assert response.status_code == 400
    assert not Report.objects.exists()
    with pytest.raises(PermissionDenied):
        do_receive_report(_report(tree.sibling), acting_user=partner)


def test_someone_without_a_role_may_not_use_the_intake_form(tree):
    assert _client(tree.no_role).get(reverse("response:intake")).status_code == 403


PUBLIC = {
    "kind": "hate_incident",
    "title": "Shouted at in the market",
    "place_name": "Riverton Ward 1",
    "occurred_on": "2026-10-11",
    "description": "Two men shouted at me because of my headscarf.",
    "bias_categories": [],
    "reporter_contact": "",
}


def test_the_public_form_takes_an_anonymous_report(tree, settings):
    settings.RESPONSE_PUBLIC_REPORT_RATE = "100/m"
    anti_muslim = BiasCategory.objects.get(slug="anti-muslim")
    client = BrowserClient()
    page = client.get(reverse("response:public_report"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    response = client.post(
        reverse("response:public_report"),
        {**PUBLIC, "bias_categories": [anti_muslim.pk], "intent": "on"},
    )
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.reference in response.content.decode()
    assert (report.place, report.source, report.tlp, report.reported_by) == (
        tree.ward,
        ReportSource.PUBLIC,
        TLP.AMBER,
        None,
    )
    assert report.severity == 2  # one factor ticked: the suggestion, for the coders to check
    assert list(report.bias_categories.all()) == [anti_muslim]


def test_the_public_form_says_when_it_cannot_find_the_place(tree, settings):
    settings.RESPONSE_PUBLIC_REPORT_RATE = "100/m"
    response = BrowserClient().post(
        reverse("response:public_report"), {**PUBLIC, "place_name": "Atlantis"}
    )
    assert response.status_code == 400
    assert "We could not find" in response.content.decode()
    assert not Report.objects.exists()


def test_the_public_form_refuses_a_date_in_the_future(tree, settings):
    settings.RESPONSE_PUBLIC_REPORT_RATE = "100/m"
    response = BrowserClient().post(
        reverse("response:public_report"), {**PUBLIC, "occurred_on": "2099-01-01"}
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_the_public_form_is_rate_limited_per_address(tree, settings):
    settings.RESPONSE_PUBLIC_REPORT_RATE = "2/m"
    client = BrowserClient()
    codes = [client.post(reverse("response:public_report"), PUBLIC).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert Report.objects.count() == 2
    refused = client.post(reverse("response:public_report"), PUBLIC)
    assert int(refused["Retry-After"]) > 0


def test_a_second_coder_reviews_the_severity_but_not_the_reporter(tree):
    report = do_receive_report(_report(tree.city), acting_user=tree.in_scope)
    with pytest.raises(ValidationError):
        do_review_severity(report, severity=2, note="", acting_user=tree.in_scope)
    client = _client(tree.ancestor)
    url = reverse("response:report_review", args=[report.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"severity": 2, "note": "No physical contact"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.second_severity, report.second_coder) == (2, tree.ancestor)
    assert report.coders_disagree
    page = client.get(report.get_absolute_url()).content.decode()
    assert "the coders disagree" in page
    assert "no-store" in client.get(report.get_absolute_url())["Cache-Control"]


def test_a_partner_may_not_review(tree):
    report = ReportFactory(place=tree.city, tlp=TLP.GREEN)
    client = _client(_partner(tree))
    assert client.get(reverse("response:report_review", args=[report.pk])).status_code == 403


def test_lowering_the_label_needs_the_originators_permission(tree):
    report = do_receive_report(_report(tree.city), acting_user=tree.in_scope)
    report.tlp = TLP.GREEN
    with pytest.raises(ValidationError) as refused:
        do_update_report(report, acting_user=tree.in_scope)
    assert "sharing_permission" in refused.value.message_dict
    report.sharing_permission = "The reporter agreed by phone on 12 October"
    do_update_report(report, acting_user=tree.in_scope)
    report.refresh_from_db()
    assert report.tlp == TLP.GREEN


def test_the_triage_empties_personal_data_and_routes_to_the_bodys_members(
    tree, django_capture_on_commit_callbacks
):
    report = do_receive_report(
        _report(tree.city, reporter_name="Amina K.", reporter_contact="+1 555 0100"),
        acting_user=tree.in_scope,
    )
    body = BodyFactory(place=tree.city)
    member_user = UserFactory(label="member")
    RoleAssignmentFactory(user=member_user, role="local_coordinator", place=tree.city)
    SeatFactory(body=body, person=PersonFactory(place=tree.city, user=member_user))
    do_transition(report, "verify", acting_user=tree.in_scope, note="")
    do_transition(report, "anonymise", acting_user=tree.in_scope, note="")
    report.refresh_from_db()
    assert (report.reporter_name, report.reporter_contact) == ("", "")
    with pytest.raises(PermissionDenied):  # no responders chosen yet
        do_transition(report, "route", acting_user=tree.in_scope, note="")
    report.routed_to.add(body)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        do_transition(report, "route", acting_user=tree.in_scope, note="")
    alert = Notification.objects.get(kind="response.alert", recipient=member_user)
    assert alert.subject.startswith("[TLP:AMBER]")


def test_alert_rules_match_by_subtree_kind_and_severity(tree, django_capture_on_commit_callbacks):
    watcher = UserFactory(label="watcher")
    RoleAssignmentFactory(user=watcher, role="local_coordinator", place=tree.country)
    wide = AlertRuleFactory(place=tree.country, person=watcher, min_severity=3)
    AlertRuleFactory(place=tree.country, person=watcher, min_severity=5, name="Critical only")
    AlertRuleFactory(place=tree.country, person=watcher, kind="propaganda", name="Propaganda")
    AlertRuleFactory(place=tree.sibling, person=watcher, min_severity=1, name="Sibling")
    report = _report(tree.ward)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        do_receive_report(report, acting_user=tree.in_scope)
    assert list(matching_rules(report)) == [wide]
    alerts = Notification.objects.filter(kind="response.alert", recipient=watcher)
    assert alerts.count() == 1
    assert "[TLP:AMBER]" in alerts.get().subject
    # What happened stays behind the page and its second factor.
    assert report.title not in alerts.get().body and report.description not in alerts.get().body


def test_an_alert_never_reaches_someone_who_may_not_read_the_report(
    tree, django_capture_on_commit_callbacks
):
    partner = _partner(tree)  # GREEN ceiling: the AMBER report is not theirs to read
    AlertRuleFactory(place=tree.city, person=partner, min_severity=1)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        do_receive_report(_report(tree.city), acting_user=tree.in_scope)
    assert not Notification.objects.filter(recipient=partner).exists()


def test_retention_deletes_or_anonymises_reports_past_their_time(tree):
    old = do_receive_report(
        _report(tree.city, occurred_on=datetime.date(2019, 1, 5), reporter_name="Amina K."),
        acting_user=tree.in_scope,
    )
    propaganda = do_receive_report(
        _report(tree.city, kind=ReportKind.PROPAGANDA, occurred_on=datetime.date(2024, 1, 5)),
        acting_user=tree.in_scope,
    )
    recent = do_receive_report(
        _report(tree.city, reporter_name="Ben T."), acting_user=tree.in_scope
    )
    counts = do_apply_retention(today=datetime.date(2026, 12, 4))
    assert counts == {"deleted": 1, "anonymised": 1}
    assert not Report.objects.filter(pk=propaganda.pk).exists()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.reporter_name, old.description) == ("", "")
    assert old.anonymised_at is not None
    assert recent.reporter_name == "Ben T."
    assert "response.retention" in {job.name for job in periodic_jobs()}


def test_erasing_a_person_scrubs_the_reports_that_name_them(tree):
    person = PersonFactory(place=tree.city, full_name="Amina Khan", email="amina@example.org")
    report = do_receive_report(
        _report(tree.city, reporter_name="Amina Khan", reporter_contact="amina@example.org"),
        acting_user=tree.in_scope,
    )
    sections = personal_data(person, tree.in_scope)
    assert [row["id"] for row in sections["incident_reports"]] == [report.pk]
    admin = UserFactory(label="admin")
    RoleAssignmentFactory(user=admin, role="network_admin", place=tree.world)
    do_erase_person(person, acting_user=admin)
    report.refresh_from_db()
    assert (report.reporter_name, report.reporter_contact) == ("", "")


def test_the_audit_log_holds_no_reporter_contact(tree):
    from auditlog.models import LogEntry

    report = do_receive_report(
        _report(tree.city, reporter_contact="+1 555 0199"), acting_user=tree.in_scope
    )
    entries = LogEntry.objects.get_for_object(report)
    assert entries.exists()
    assert all("555 0199" not in str(entry.changes) for entry in entries)


def test_the_list_export_and_api_show_only_reports_the_reader_may_read(tree):
    mine = ReportFactory(place=tree.city, title="Mine AMBER")
    red = ReportFactory(place=tree.city, title="Too secret", tlp=TLP.RED)
    other = ReportFactory(place=tree.sibling, title="Next door")
    client = _client(tree.in_scope)
    for url in (
        reverse("response:report_list"),
        reverse("response:report_list") + "?format=csv",
        reverse("api-1.0.0:list_reports"),
    ):
        response = client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert mine.title in body, url
        assert red.title not in body and other.title not in body, url


def test_a_report_page_names_only_the_responders_its_reader_may_see(tree):
    from bridgework.bodies.factories import BodyFactory

    report = ReportFactory(place=tree.city)
    seen = BodyFactory(place=tree.city, name="Riverton Safety Table")
    hidden = BodyFactory(place=tree.sibling, name="Hillbury Secret Cell")
    report.routed_to.add(seen, hidden)
    page = _client(tree.in_scope).get(report.get_absolute_url()).content.decode()
    assert "Riverton Safety Table" in page
    assert "Hillbury Secret Cell" not in page


def test_a_partner_sends_a_report_through_the_api_and_gets_its_reference(tree):
    partner = _partner(tree)
    client = _client(partner)
    answer = client.post(
        reverse("api-1.0.0:intake_report"),
        {**INTAKE, "place": tree.ward.pk, "severity": 3},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    report = Report.objects.get()
    assert answer.json() == {
        "id": report.pk,
        "reference": report.reference,
        "place_id": tree.ward.pk,
        "status": "received",
        "tlp": TLP.AMBER,
    }
    refused = client.post(
        reverse("api-1.0.0:intake_report"),
        {**INTAKE, "place": tree.sibling.pk},
        content_type="application/json",
    )
    assert refused.status_code in {403, 422}
    assert Report.objects.count() == 1
    assert client.get(reverse("api-1.0.0:get_report", args=[report.pk])).status_code == 404


def test_the_api_takes_a_triage_step(tree):
    report = ReportFactory(place=tree.city)
    client = _client(tree.in_scope)
    answer = client.post(
        reverse("api-1.0.0:transition_report", args=[report.pk]),
        {"transition": "verify"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "verified"
    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED
