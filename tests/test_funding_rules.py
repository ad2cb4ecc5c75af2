"""The funding module's rules: what an application must be to be saved and submitted, who
sees reviewers' scores, the ranking, revisions, awards and their tranches, the role pages and
the 360Giving export."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import permits
from bridgework.activity.workflows import do_transition
from bridgework.actors.factories import OrganisationFactory, PostFactory
from bridgework.bodies.factories import BodyFactory
from bridgework.core.actions import do_create_record
from bridgework.funding.actions import do_award_grant, do_edit_application, do_update_grant
from bridgework.funding.budgets import parse_schedule
from bridgework.funding.factories import CallFactory, FundFactory, post_for
from bridgework.funding.models import Application, Grant, Report, Review, Tranche
from bridgework.places.factories import PlaceFactory, root_place
from bridgework.plans.factories import LocalNeedFactory


class Canada:
    """Canada > Ontario > Peel Region > Mississauga and Brampton; Malawi beside it. A fund of
    the national centre for Peel Region; its staff, two reviewers and a Mississauga partner."""

    def __init__(self):
        world = root_place()
        self.country = PlaceFactory(name="Canada", code="CA", parent=world)
        self.province = PlaceFactory(name="Ontario", code="CA-ON", parent=self.country)
        self.peel = PlaceFactory(name="Peel Region", parent=self.province)
        self.mississauga = PlaceFactory(name="Mississauga", parent=self.peel)
        self.brampton = PlaceFactory(name="Brampton", parent=self.peel)
        self.ottawa = PlaceFactory(name="Ottawa", parent=self.province)
        self.malawi = PlaceFactory(name="Malawi", code="MW", parent=world)
        self.fund = FundFactory(owner=BodyFactory(place=self.country), time_zone="America/Toronto")
        self.fund.eligible_places.set([self.peel])
        self.call = CallFactory(fund=self.fund)
        self.staff = self._user("national_coordinator", self.country)
        self.first_reviewer = self._user("reviewer", self.country)
        self.second_reviewer = self._user("reviewer", self.country)
        self.partner = self._user("partner", self.mississauga)
        self.brampton_user = self._user("local_coordinator", self.brampton)
        self.organisation = OrganisationFactory(
            name="Peel Youth Circle (demo)", place=self.mississauga
        )
        # The partner works for the applying organisation: their person holds a post in it.
        PostFactory(organisation=self.organisation, person__user=self.partner)

    @staticmethod
    def _user(role, place):
        user = UserFactory(label=role.split("_")[0])
        RoleAssignmentFactory(user=user, role=role, place=place)
        return user

    def application(self, **fields):
        values = {
            "call": self.call,
            "organisation": self.organisation,
            "title": "Youth dialogue circles",
            "amount": Decimal("90000"),
            "starts_on": datetime.date(2027, 1, 1),
            "years": 3,
            "budget": {"2027": "30000", "2028": "30000", "2029": "30000"},
            "answers": {"who-takes-part": "Young people from three schools"},
        }
        values.update(fields)
        return Application(**values)


@pytest.fixture
def ca(db):
    from bridgework.access.policy import sync_default_policy

    sync_default_policy()
    return Canada()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submitted(ca, **fields) -> Application:
    application = do_create_record(ca.application(**fields), acting_user=ca.partner)
    return do_transition(application, "submit", acting_user=ca.partner)


# --- what an application must be ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"amount": Decimal("200000"), "budget": {"2027": "200000"}}, "amount", "at most"),
        ({"years": 4, "budget": {"2027": "90000"}}, "years", "at most 3 years"),
        ({"budget": {"2027": "30000", "2028": "30000"}}, "budget", "add up to 60000"),
        ({"budget": {"2026": "90000"}}, "budget", "outside the project"),
    ],
)
def test_an_application_that_breaks_the_call_is_refused_and_not_saved(ca, fields, field, words):
    with pytest.raises(ValidationError) as refused:
        do_create_record(ca.application(**fields), acting_user=ca.partner)
    assert any(words in message for message in refused.value.message_dict[field])
    assert not Application.objects.exists()


def test_an_organisation_outside_the_eligible_places_is_refused(ca):
    ottawa_org = OrganisationFactory(place=ca.ottawa)
    with pytest.raises(ValidationError) as refused:
        do_create_record(ca.application(organisation=ottawa_org), acting_user=ca.staff)
    assert "Ottawa is not among the places" in refused.value.message_dict["organisation"][0]
    assert not Application.objects.exists()


def test_a_second_submission_to_the_same_call_is_refused(ca):
    _submitted(ca)
    second = do_create_record(ca.application(title="Again"), acting_user=ca.partner)
    with pytest.raises(ValidationError) as refused:
        do_transition(second, "submit", acting_user=ca.partner)
    assert "already submitted an application to this call" in str(refused.value)
    second.refresh_from_db()
    assert second.status == "draft" and second.submitted_at is None


def test_submission_closes_at_the_deadline_on_the_funds_clock(ca):
    application = do_create_record(ca.application(), acting_user=ca.partner)
    ca.call.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    ca.call.save()
    with pytest.raises(ValidationError) as refused:
        do_transition(application, "submit", acting_user=ca.partner)
    assert "America/Toronto" in str(refused.value) and "takes no more" in str(refused.value)
    application.refresh_from_db()
    assert application.status == "draft"


def test_submission_needs_the_required_answers(ca):
    application = do_create_record(ca.application(answers={}), acting_user=ca.partner)
    with pytest.raises(ValidationError) as refused:
        do_transition(application, "submit", acting_user=ca.partner)
    assert "Who takes part?" in str(refused.value)


def test_call_dates_are_typed_on_the_funds_clock(ca):
    response = _client(ca.staff).post(
        reverse("funding:call_add"),
        {
            "fund": ca.fund.pk,
            "title": "Spring round",
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-04-30T17:00",
            "max_amount": "50000",
            "max_years": 2,
            "criteria": "50 Need\n50 Feasibility",
            "questions": "Plan *",
        },
    )
    assert response.status_code == 302, response.content
    call = ca.fund.calls.get(title="Spring round")
    # 17:00 in Toronto (EDT, UTC-4) is 21:00 UTC.
    assert call.closes_at == datetime.datetime(2026, 4, 30, 21, 0, tzinfo=datetime.UTC)
    assert call.criteria[0] == {"key": "need", "name": "Need", "weight": 50}
    assert call.questions == [{"key": "plan", "label": "Plan", "required": True}]


def test_a_call_runs_at_most_ten_years(ca):
    response = _client(ca.staff).post(
        reverse("funding:call_add"),
        {
            "fund": ca.fund.pk,
            "title": "Long",
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-04-30T17:00",
            "max_amount": "50000",
            "max_years": 11,
        },
    )
    assert response.status_code == 400
    assert not ca.fund.calls.filter(title="Long").exists()


def test_the_application_form_asks_the_calls_questions_and_keeps_the_answers(ca):
    client = _client(ca.partner)
    page = client.get(reverse("funding:application_add") + f"?call={ca.call.pk}")
    assert "Who takes part?" in page.content.decode()
    response = client.post(
        reverse("funding:application_add"),
        {
            "call": ca.call.pk,
            "organisation": ca.organisation.pk,
            "title": "Circles",
            "amount": "60000",
            "starts_on": "2027-01-01",
            "years": 2,
            "budget": "2027: 30000\n2028: 30000",
            "answer_who-takes-part": "Two schools",
            "tlp": 1,
        },
    )
    assert response.status_code == 302, response.content
    assert Application.objects.get().answers["who-takes-part"] == "Two schools"


def test_a_budget_that_does_not_add_up_is_shown_on_the_form(ca):
    response = _client(ca.partner).post(
        reverse("funding:application_add"),
        {
            "call": ca.call.pk,
            "organisation": ca.organisation.pk,
            "title": "Circles",
            "amount": "60000",
            "starts_on": "2027-01-01",
            "years": 2,
            "budget": "2027: 30000\n2028: 20000",
            "tlp": 1,
        },
    )
    assert response.status_code == 400
    assert "add up to 50000.00, not the 60000" in response.content.decode()
    assert not Application.objects.exists()


# --- more information, revisions -----------------------------------------------------------------


def test_more_information_lets_the_applicant_edit_and_resubmit_keeping_each_version(ca):
    application = _submitted(ca)
    with pytest.raises(ValidationError):  # submitted: no edits
        do_edit_application(application, acting_user=ca.partner)
    do_transition(application, "start_review", acting_user=ca.staff)
    do_transition(application, "request_info", acting_user=ca.staff, note="Who runs it?")
    application.refresh_from_db()
    application.title = "Youth dialogue circles, run with the school board"
    do_edit_application(application, acting_user=ca.partner)
    do_transition(application, "resubmit", acting_user=ca.partner)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert [v["title"] for v in application.revisions] == [
        "Youth dialogue circles",
        "Youth dialogue circles, run with the school board",
    ]
    page = _client(ca.partner).get(application.get_absolute_url())
    assert "Versions sent" in page.content.decode()


def test_the_applicant_may_not_take_staff_steps(ca):
    application = _submitted(ca)
    with pytest.raises(PermissionDenied):
        do_transition(application, "start_review", acting_user=ca.partner)


def test_applications_are_not_seen_by_neighbours(ca):
    application = _submitted(ca)
    assert _client(ca.brampton_user).get(application.get_absolute_url()).status_code == 404
    assert _client(ca.staff).get(application.get_absolute_url()).status_code == 200


# --- reviews -------------------------------------------------------------------------------------


def _reviews(ca):
    application = _submitted(ca)
    do_transition(application, "start_review", acting_user=ca.staff)
    first = do_create_record(
        Review(application=application, reviewer=ca.first_reviewer), acting_user=ca.staff
    )
    second = do_create_record(
        Review(application=application, reviewer=ca.second_reviewer), acting_user=ca.staff
    )
    return application, first, second


SCORES = {"fit-with-local-needs": 5, "feasibility": 4, "value-for-money": 3}


def test_a_reviewer_scores_each_criterion_and_the_score_is_weighted(ca):
    application, first, _second = _reviews(ca)
    client = _client(ca.first_reviewer)
    url = reverse("funding:review_score", args=[first.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "score_fit-with-local-needs": 5,
            "score_feasibility": 4,
            "score_value-for-money": 3,
            "comment": "Strong local partners",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "submitted" and first.scores == SCORES
    # (5×40 + 4×30 + 3×30) / 100
    assert first.score == Decimal("4.10")


def test_a_score_outside_the_scale_is_refused(ca):
    _application, first, _second = _reviews(ca)
    response = _client(ca.first_reviewer).post(
        reverse("funding:review_score", args=[first.pk]),
        {
            "score_fit-with-local-needs": 9,
            "score_feasibility": 4,
            "score_value-for-money": 3,
            "comment": "x",
        },
    )
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.status == "assigned"


def shows_score(page: str, score: str) -> bool:
    """Whether the page shows ``score`` as a number (not inside a timestamp's digits)."""
    return re.search(rf"(?<![\d.]){re.escape(score)}(?!\d)", page) is not None


def test_only_the_assigned_reviewer_scores(ca):
    _application, first, _second = _reviews(ca)
    with pytest.raises(PermissionDenied):
        do_transition(
            first, "score", acting_user=ca.second_reviewer, note="x", changes={"scores": SCORES}
        )


def test_a_conflicted_reviewer_neither_scores_nor_sees_the_others_scores(ca):
    application, first, second = _reviews(ca)
    do_transition(
        first, "score", acting_user=ca.first_reviewer, note="Good", changes={"scores": SCORES}
    )
    do_transition(
        second, "declare_conflict", acting_user=ca.second_reviewer, note="I chair its board"
    )
    with pytest.raises(ValidationError):
        do_transition(
            second, "score", acting_user=ca.second_reviewer, note="x", changes={"scores": SCORES}
        )
    conflicted = _client(ca.second_reviewer)
    page = conflicted.get(application.get_absolute_url()).content.decode()
    assert not shows_score(page, "4.10")
    assert "Strong" not in conflicted.get(first.get_absolute_url()).content.decode()
    api = conflicted.get(reverse("api-1.0.0:get_review", args=[first.pk])).json()
    assert api["scores"] is None and api["score"] is None
    # The staff and the reviewer who scored see the scores.
    assert "4.10" in _client(ca.staff).get(application.get_absolute_url()).content.decode()
    assert "4.10" in _client(ca.first_reviewer).get(first.get_absolute_url()).content.decode()


def test_a_reviewer_who_has_not_scored_does_not_see_the_others_scores(ca):
    application, first, _second = _reviews(ca)
    do_transition(
        first, "score", acting_user=ca.first_reviewer, note="Good", changes={"scores": SCORES}
    )
    page = _client(ca.second_reviewer).get(application.get_absolute_url()).content.decode()
    assert not shows_score(page, "4.10") and "Hidden until you have scored" in page


def test_the_call_ranks_applications_by_weighted_score(ca):
    application, first, _second = _reviews(ca)
    do_transition(
        first, "score", acting_user=ca.first_reviewer, note="Good", changes={"scores": SCORES}
    )
    other_org = OrganisationFactory(place=ca.brampton)
    weaker = do_create_record(
        ca.application(organisation=other_org, title="Weaker"), acting_user=ca.staff
    )
    weaker.status = "under_review"
    weaker.save()
    review = do_create_record(
        Review(application=weaker, reviewer=ca.second_reviewer), acting_user=ca.staff
    )
    do_transition(
        review,
        "score",
        acting_user=ca.second_reviewer,
        note="Thin",
        changes={"scores": {"fit-with-local-needs": 1, "feasibility": 1, "value-for-money": 1}},
    )
    ranking = _client(ca.staff).get(reverse("api-1.0.0:call_ranking", args=[ca.call.pk])).json()
    assert [(r["title"], r["score"]) for r in ranking] == [
        ("Youth dialogue circles", "4.10"),
        ("Weaker", "1.00"),
    ]
    assert "Weaker" in _client(ca.staff).get(ca.call.get_absolute_url()).content.decode()


def test_reviewers_see_their_queue_and_staff_the_workload(ca):
    _reviews(ca)
    queue = _client(ca.first_reviewer).get(reverse("funding:queue"))
    assert "Youth dialogue circles" in queue.content.decode()
    workload = _client(ca.staff).get(reverse("funding:workload"))
    assert ca.first_reviewer.full_name in workload.content.decode()
    assert _client(ca.partner).get(reverse("funding:workload")).status_code == 403


def test_a_reviewer_who_cannot_read_the_application_is_not_assigned(ca):
    malawian = UserFactory(label="reviewer")
    RoleAssignmentFactory(user=malawian, role="reviewer", place=ca.malawi)
    application = _submitted(ca)
    response = _client(ca.staff).post(
        reverse("funding:review_add"), {"application": application.pk, "reviewer": malawian.pk}
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


# --- decisions, awards, tranches -----------------------------------------------------------------


def _approved(ca) -> Application:
    application = _submitted(ca)
    do_transition(application, "start_review", acting_user=ca.staff)
    return do_transition(application, "approve", acting_user=ca.staff)


def test_decline_needs_a_reason_that_the_applicant_reads(ca):
    application = _submitted(ca)
    with pytest.raises(ValidationError):
        do_transition(application, "decline", acting_user=ca.staff, note="")
    do_transition(application, "decline", acting_user=ca.staff, note="Outside the fund's themes")
    page = _client(ca.partner).get(application.get_absolute_url()).content.decode()
    assert "Outside the fund" in page


SCHEDULE = "2027-01-15: 30000\n2028-01-15: 30000\n2029-01-15: 30000"


def _award(ca) -> Grant:
    application = _approved(ca)
    grant = Grant(
        application=application,
        amount=Decimal("90000"),
        starts_on=datetime.date(2027, 1, 1),
        years=3,
        report_every_months=12,
    )
    return do_award_grant(grant, schedule=parse_schedule(SCHEDULE), acting_user=ca.staff)


def test_an_award_over_three_years_pays_its_first_tranche(ca):
    grant = _award(ca)
    tranches = list(grant.tranches.order_by("number"))
    assert [(t.number, t.amount, t.status) for t in tranches] == [
        (1, Decimal("30000.00"), "released"),
        (2, Decimal("30000.00"), "planned"),
        (3, Decimal("30000.00"), "planned"),
    ]


def test_a_schedule_that_does_not_add_up_is_refused_with_nothing_saved(ca):
    application = _approved(ca)
    response = _client(ca.staff).post(
        reverse("funding:grant_add"),
        {
            "application": application.pk,
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "report_every_months": 12,
            "schedule": "2027-01-15: 30000\n2031-01-15: 30000",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "within the grant" in body
    assert not Grant.objects.exists() and not Tranche.objects.exists()


def test_only_an_approved_application_is_awarded(ca):
    application = _submitted(ca)
    grant = Grant(
        application=application,
        amount=Decimal("90000"),
        starts_on=datetime.date(2027, 1, 1),
        years=3,
    )
    with pytest.raises(ValidationError):
        do_award_grant(grant, schedule=parse_schedule(SCHEDULE), acting_user=ca.staff)
    assert not Grant.objects.exists()


def test_a_tranche_is_released_only_after_its_report_is_accepted(ca):
    grant = _award(ca)
    second = grant.tranches.get(number=2)
    with pytest.raises(PermissionDenied) as refused:
        do_transition(second, "release", acting_user=ca.staff)
    assert "report it depends on" in str(refused.value)
    report = do_create_record(
        Report(
            grant=grant,
            period_start=datetime.date(2027, 1, 1),
            period_end=datetime.date(2027, 12, 31),
            text="Circles held",
            unlocks=second,
        ),
        acting_user=ca.partner,
    )
    with pytest.raises(PermissionDenied):  # still only submitted
        do_transition(second, "release", acting_user=ca.staff)
    with pytest.raises(PermissionDenied):  # the grantee does not accept its own report
        do_transition(report, "accept", acting_user=ca.partner)
    do_transition(report, "accept", acting_user=ca.staff)
    do_transition(second, "release", acting_user=ca.staff)
    second.refresh_from_db()
    assert second.status == "released" and second.released_on == timezone.localdate()


def test_a_financial_report_says_what_was_spent(ca):
    grant = _award(ca)
    with pytest.raises(ValidationError) as refused:
        do_create_record(
            Report(
                grant=grant,
                kind="financial",
                period_start=datetime.date(2027, 1, 1),
                period_end=datetime.date(2027, 12, 31),
                text="Spent",
            ),
            acting_user=ca.partner,
        )
    assert "spent" in refused.value.message_dict


# --- role views and exports ----------------------------------------------------------------------


def test_the_applicant_sees_their_applications_and_what_is_due(ca):
    grant = _award(ca)
    grant.starts_on = datetime.date(2024, 1, 1)
    do_update_grant(grant, acting_user=ca.staff)
    page = _client(ca.partner).get(reverse("funding:mine")).content.decode()
    assert "Youth dialogue circles" in page
    assert "2024-01-01 – 2024-12-31" in page and "overdue" in page


def test_staff_see_the_pipeline_overdue_reports_and_disbursement_schedule(ca):
    grant = _award(ca)
    grant.starts_on = datetime.date(2024, 1, 1)
    do_update_grant(grant, acting_user=ca.staff)
    page = _client(ca.staff).get(reverse("funding:pipeline")).content.decode()
    assert ca.call.title in page
    assert "2024-01-01 – 2024-12-31" in page  # overdue
    assert "2028-01-15" in page  # the next tranche
    assert _client(ca.partner).get(reverse("funding:pipeline")).status_code == 403


def test_money_by_place_objective_and_need_and_places_left_unfunded(ca):
    grant = _award(ca)
    LocalNeedFactory(place=ca.brampton, title="Mediators")
    need = LocalNeedFactory(place=ca.mississauga, category="funding")
    grant.application.needs.add(need)
    page = _client(ca.staff).get(reverse("funding:money") + f"?place={ca.peel.pk}").content.decode()
    assert "Mississauga" in page and "90,000.00" in page
    assert "Brampton" in page  # a need, no grant
    assert "Funding" in page


def test_grants_export_in_the_360giving_shape(ca):
    grant = _award(ca)
    client = _client(ca.staff)
    data = json.loads(client.get(reverse("funding:grants_360", args=["json"])).content)
    (row,) = data["grants"]
    assert row["id"] == f"360G-bridgework-{grant.pk}"
    assert row["amountAwarded"] == 90000.0 and row["currency"] == "CAD"
    assert row["recipientOrganization"][0]["name"] == "Peel Youth Circle (demo)"
    assert row["plannedDates"][0] == {
        "startDate": "2027-01-01",
        "endDate": "2029-12-31",
        "duration": 36,
    }
    csv = b"".join(
        client.get(reverse("funding:grants_360", args=["csv"])).streaming_content
    ).decode()
    assert "Amount Awarded" in csv and "Peel Youth Circle (demo)" in csv
    api = client.get(reverse("api-1.0.0:grants_360giving")).json()
    assert api["grants"][0]["id"] == row["id"]
    assert _client(ca.brampton_user).get(reverse("funding:grants_360", args=["json"])).json() == {
        "grants": []
    }


def test_overdue_reports_are_reminded_at_most_once_a_week(ca, django_capture_on_commit_callbacks):
    from bridgework.funding.actions import do_remind_overdue_reports
    from bridgework.notifications.models import Notification
    from bridgework.notifications.testing import immediate_tasks

    grant = _award(ca)
    grant.starts_on = datetime.date(2024, 1, 1)
    do_update_grant(grant, acting_user=ca.staff)
    today = datetime.date(2026, 12, 4)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        assert do_remind_overdue_reports(today=today) == [grant.pk]
        assert do_remind_overdue_reports(today=today + datetime.timedelta(days=3)) == []
        assert do_remind_overdue_reports(today=today + datetime.timedelta(days=7)) == [grant.pk]
    told = Notification.objects.filter(kind="funding.report_overdue")
    assert set(told.values_list("recipient_id", flat=True)) == {ca.partner.pk, ca.staff.pk}


def test_the_workflow_tables_are_on_the_help_pages(ca):
    client = _client(ca.staff)
    page = client.get(
        reverse("activity:workflow_detail", args=["funding.application"])
    ).content.decode()
    assert "Ask for more information" in page and "Partner" in page
    assert "National coordinator" in page
    tranche = client.get(
        reverse("activity:workflow_detail", args=["funding.tranche"])
    ).content.decode()
    assert "only after the report it depends on is accepted" in tranche


def test_a_grant_names_the_local_plan_actions_it_funds(ca):
    from bridgework.plans.factories import LocalPlanFactory, PlanActionFactory, PlanPriorityFactory

    grant = _award(ca)
    action = PlanActionFactory(
        priority=PlanPriorityFactory(plan=LocalPlanFactory(place=ca.mississauga)),
        title="Dialogue circles in schools",
    )
    grant.plan_actions.add(action)
    client = _client(ca.staff)
    assert "Dialogue circles in schools" in client.get(grant.get_absolute_url()).content.decode()
    api = client.get(reverse("api-1.0.0:get_grant", args=[grant.pk])).json()
    assert api["plan_action_ids"] == [action.pk]


# --- what reviewers see (issue 9) ----------------------------------------------------------------


def test_a_reviewer_sees_only_the_applications_assigned_to_them_and_never_a_draft(ca):
    assigned, _first, _second = _reviews(ca)
    other_organisation = OrganisationFactory(name="Malton Bridges (demo)", place=ca.mississauga)
    post_for(ca.partner, other_organisation)  # a partner applies for their own organisations
    unassigned = _submitted(ca, organisation=other_organisation, title="Unassigned project")
    draft = do_create_record(ca.application(title="Draft project"), acting_user=ca.partner)
    reviewer = ca.first_reviewer
    rows = Application.objects.visible_to(reviewer)
    assert list(rows) == [assigned]
    assert permits(reviewer, "view", assigned)
    assert not permits(reviewer, "view", unassigned)
    assert not permits(reviewer, "view", draft)
    client = _client(reviewer)
    assert client.get(unassigned.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
    page = client.get(reverse("funding:application_list")).content.decode()
    assert assigned.title in page and "Unassigned project" not in page
    api = client.get(reverse("api-1.0.0:list_applications")).json()
    titles = [row["title"] for row in api.get("items", api if isinstance(api, list) else [])]
    assert titles == [assigned.title]
    # Staff still see every application of their scope, the draft included.
    assert set(Application.objects.visible_to(ca.staff)) == {assigned, unassigned, draft}


def test_a_draft_is_never_given_to_a_reviewer(ca):
    draft = do_create_record(ca.application(), acting_user=ca.partner)
    response = _client(ca.staff).post(
        reverse("funding:review_add"), {"application": draft.pk, "reviewer": ca.first_reviewer.pk}
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_the_fund_page_names_only_the_eligible_places_the_reader_sees(ca):
    ca.fund.eligible_places.set([ca.mississauga, ca.brampton, ca.ottawa])
    url = ca.fund.get_absolute_url()
    staff_page = _client(ca.staff).get(url).content.decode()
    assert all(name in staff_page for name in ("Mississauga", "Brampton", "Ottawa"))
    partner_page = _client(ca.partner).get(url).content.decode()
    assert "Mississauga" in partner_page
    assert "Brampton" not in partner_page and "Ottawa" not in partner_page
    assert "2 places you cannot see" in partner_page


def test_a_calls_dates_are_shown_on_the_funds_clock(ca):
    from zoneinfo import ZoneInfo

    toronto = ZoneInfo("America/Toronto")
    ca.call.closes_at = datetime.datetime(2030, 3, 1, 17, 0, tzinfo=toronto)  # 22:00 UTC
    ca.call.save()
    page = _client(ca.staff).get(ca.call.get_absolute_url()).content.decode()
    assert "2030-03-01 17:00 (America/Toronto)" in page
    assert "2030-03-01 22:00" not in page
    mine = _client(ca.partner).get(reverse("funding:mine")).content.decode()
    assert "2030-03-01 17:00 (America/Toronto)" in mine


# --- money as people read it ------------------------------------------------------------------


def test_money_is_a_number_that_pages_write_with_its_currency():
    from django.utils import translation

    from bridgework.core.money import Money

    amount = Money(Decimal("64000"), "CAD")
    assert amount == Decimal("64000") and amount + 1 == Decimal("64001")
    assert amount.shown() == "64,000.00 CAD"
    with translation.override("fr"):
        assert Money(Decimal("1234.5"), "MWK").shown() == "1\N{NO-BREAK SPACE}234,50 MWK"


def test_the_staff_lists_show_each_amount_in_its_fund_s_currency_and_export_the_number(ca):
    import csv

    grant = _award(ca)
    client = _client(ca.staff)

    def page(name: str) -> str:
        return client.get(reverse(f"funding:{name}")).content.decode()

    assert "<td>90,000.00 CAD</td>" in page("application_list")
    assert "<td>90,000.00 CAD</td>" in page("grant_list")
    assert "<td>30,000.00 CAD</td>" in page("tranche_list")
    tranche = grant.tranches.order_by("number").first()
    assert "30,000.00 CAD" in client.get(tranche.get_absolute_url()).content.decode()
    export = client.get(reverse("funding:application_list"), {"format": "csv"})
    rows = list(csv.DictReader(b"".join(export.streaming_content).decode().splitlines()))
    assert rows[0]["Amount asked"] == "90000.00"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_grouped_amounts_are_floatformat_s(language):
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from bridgework.core.money import grouped

    values = ["0", "0.005", "1.005", "-1234.565", "999.999", "1000", "64000", "18000000.00"]
    with translation.override(language):
        for text in [*values, "123456789012.34", "-0.004", "7.1"]:
            amount = Decimal(text)
            assert grouped(amount) == floatformat(amount, "2g"), text


def test_another_grouping_is_left_to_floatformat(monkeypatch):
    from django.template.defaultfilters import floatformat

    from bridgework.core import money

    monkeypatch.setattr(money, "_separators", lambda language: (".", (3, 2, 0), ","))
    assert money.grouped(Decimal("12345678.9")) == floatformat(Decimal("12345678.9"), "2g")
