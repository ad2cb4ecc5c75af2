"""Generated page, API and workflow tests for every scoped model of the funding module."""

import datetime

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.factories import BodyFactory
from bridgework.funding.factories import (
    ApplicationFactory,
    CallFactory,
    FundFactory,
    GrantFactory,
    GrantIndicatorFactory,
    ReportFactory,
    ResultFactory,
    ReviewFactory,
    TrancheFactory,
    indicator_at,
    post_for,
)
from bridgework.funding.models import (
    Application,
    Call,
    Fund,
    Grant,
    GrantIndicator,
    Report,
    Result,
    Review,
    Tranche,
)
from bridgework.funding.views import (
    ApplicationViewSet,
    CallViewSet,
    FundViewSet,
    GrantIndicatorViewSet,
    GrantViewSet,
    ReportViewSet,
    ResultViewSet,
    ReviewViewSet,
    TrancheViewSet,
)
from bridgework.funding.workflows import APPLICATION, GRANT, REPORT, REVIEW, TRANCHE
from bridgework.web.testing import ScopedApiTests, ScopedViewTests, WorkflowTests


def _call(place, **fields):
    return CallFactory(fund=FundFactory(owner=BodyFactory(place=place)), **fields)


def _approved(place):
    return ApplicationFactory(place=place, status="approved")


def _grant(place, **fields):
    return GrantFactory(application=_approved(place), **fields)


# --- funds and calls -----------------------------------------------------------------------------


class FundRecords:
    model = Fund

    def make_record(self, place, **fields):
        return FundFactory(owner=BodyFactory(place=place), **fields)

    def form_data(self, place):
        return {
            "name": "Community Resilience Fund",
            "owner": BodyFactory(place=place).pk,
            "description": "Locally led prevention projects",
            "currency": "CAD",
            "time_zone": "America/Toronto",
            "budget": "2026: 2500000\n2027: 2500000",
            "sectors": ["civil_society", "youth"],
            "tlp": 1,
        }


class TestFundPages(FundRecords, ScopedViewTests):
    viewset = FundViewSet


class TestFundApi(FundRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_funds"
    detail_url_name = "api-1.0.0:get_fund"
    write_name = "fund"


class CallRecords:
    model = Call

    def make_record(self, place, **fields):
        return _call(place, **fields)

    def form_data(self, place):
        return {
            "fund": FundFactory(owner=BodyFactory(place=place)).pk,
            "title": "2026 call for projects",
            "description": "",
            "opens_at": "2026-01-05T09:00",
            "closes_at": "2026-03-31T17:00",
            "max_amount": "150000",
            "max_years": 5,
            "criteria": "40 Fit with local needs\n60 Feasibility",
            "questions": "Who takes part? *\nRisks",
        }


class TestCallPages(CallRecords, ScopedViewTests):
    viewset = CallViewSet


class TestCallApi(CallRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_calls"
    detail_url_name = "api-1.0.0:get_call"
    write_name = "call"


# --- applications and reviews --------------------------------------------------------------------


class ApplicationRecords:
    model = Application

    def make_record(self, place, **fields):
        return ApplicationFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "call": _call(place).pk,
            "organisation": OrganisationFactory(place=place).pk,
            "co_applicants": [],
            "title": "Youth dialogue circles",
            "summary": "Dialogue circles in three schools",
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "budget": "2027: 30000\n2028: 30000\n2029: 30000",
            "objectives": [],
            "needs": [],
            "tlp": 1,
        }


class TestApplicationPages(ApplicationRecords, ScopedViewTests):
    viewset = ApplicationViewSet


class TestApplicationApi(ApplicationRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_applications"
    detail_url_name = "api-1.0.0:get_application"
    write_name = "application"


class ReviewRecords:
    model = Review

    def make_record(self, place, **fields):
        return ReviewFactory(
            application=ApplicationFactory(place=place, status="submitted"), **fields
        )

    def form_data(self, place):
        reviewer = UserFactory(label="reviewer")
        RoleAssignmentFactory(user=reviewer, role="reviewer", place=place)
        return {
            "application": ApplicationFactory(place=place, status="submitted").pk,
            "reviewer": reviewer.pk,
        }


class TestReviewPages(ReviewRecords, ScopedViewTests):
    viewset = ReviewViewSet


class TestReviewApi(ReviewRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_reviews"
    detail_url_name = "api-1.0.0:get_review"
    write_name = "review"


# --- grants, tranches and reports ----------------------------------------------------------------


class GrantRecords:
    model = Grant

    def make_record(self, place, **fields):
        return _grant(place, **fields)

    def form_data(self, place):
        return {
            "application": _approved(place).pk,
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "report_every_months": 12,
            "schedule": "2027-01-15: 30000\n2028-01-15: 30000\n2029-01-15: 30000",
        }


class TestGrantPages(GrantRecords, ScopedViewTests):
    viewset = GrantViewSet


class TestGrantApi(GrantRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_grants"
    detail_url_name = "api-1.0.0:get_grant"
    write_name = "grant"


class TrancheRecords:
    model = Tranche

    def make_record(self, place, **fields):
        return TrancheFactory(grant=_grant(place), **fields)

    def form_data(self, place):
        return {
            "grant": _grant(place).pk,
            "number": 4,
            "due_on": "2029-06-15",
            "amount": "5000",
        }


class TestTranchePages(TrancheRecords, ScopedViewTests):
    viewset = TrancheViewSet


class TestTrancheApi(TrancheRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_tranches"
    detail_url_name = "api-1.0.0:get_tranche"
    write_name = "tranche"


class ReportRecords:
    model = Report

    def make_record(self, place, **fields):
        return ReportFactory(grant=_grant(place), **fields)

    def form_data(self, place):
        return {
            "grant": _grant(place).pk,
            "kind": "financial",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "text": "Spent on facilitators and venues",
            "spent": "28500.50",
        }


class TestReportPages(ReportRecords, ScopedViewTests):
    viewset = ReportViewSet


class TestReportApi(ReportRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_grant_reports"
    detail_url_name = "api-1.0.0:get_grant_report"
    write_name = "grant_report"


class GrantIndicatorRecords:
    model = GrantIndicator

    def make_record(self, place, **fields):
        return GrantIndicatorFactory(grant=_grant(place), **fields)

    def form_data(self, place):
        return {"grant": _grant(place).pk, "indicator": indicator_at(place).pk, "target": "250"}


class TestGrantIndicatorPages(GrantIndicatorRecords, ScopedViewTests):
    viewset = GrantIndicatorViewSet


class TestGrantIndicatorApi(GrantIndicatorRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_grant_indicators"
    detail_url_name = "api-1.0.0:get_grant_indicator"
    write_name = "grant_indicator"


class ResultRecords:
    model = Result

    def make_record(self, place, **fields):
        return ResultFactory(tracked=GrantIndicatorFactory(grant=_grant(place)), **fields)

    def form_data(self, place):
        tracked = GrantIndicatorFactory(grant=_grant(place))
        report = ReportFactory(grant=tracked.grant)
        return {"report": report.pk, "indicator": tracked.indicator_id, "value": "75", "note": ""}


class TestResultPages(ResultRecords, ScopedViewTests):
    viewset = ResultViewSet


class TestResultApi(ResultRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_grant_results"
    detail_url_name = "api-1.0.0:get_grant_result"
    write_name = "grant_result"


# --- workflows -----------------------------------------------------------------------------------


class ApplicantActs:
    """A partner acts only on their own organisation's applications: the record is made for
    the user the test is about to act as, who holds a post in the applying organisation."""

    def allowed_user(self, transition):
        self.acting = super().allowed_user(transition)  # type: ignore[misc]
        return self.acting

    def unnamed_role_user(self, transition):
        self.acting = super().unnamed_role_user(transition)  # type: ignore[misc]
        return self.acting

    def applied(self, application):
        if getattr(self, "acting", None) is not None:
            post_for(self.acting, application.organisation)
        return application


class TestApplicationWorkflow(ApplicantActs, WorkflowTests):
    workflow = APPLICATION

    def make_record(self, place, state):
        return self.applied(ApplicationFactory(place=place, status=state))


class TestReviewWorkflow(WorkflowTests):
    """A review's steps are the assigned reviewer's own: the record is made for the user the
    test is about to act as."""

    workflow = REVIEW

    def allowed_user(self, transition):
        self.acting = super().allowed_user(transition)
        return self.acting

    def unnamed_role_user(self, transition):
        self.acting = super().unnamed_role_user(transition)
        return self.acting

    def make_record(self, place, state):
        reviewer = getattr(self, "acting", None) or UserFactory(label="reviewer")
        return ReviewFactory(
            application=ApplicationFactory(place=place, status="submitted"),
            reviewer=reviewer,
            status=state,
        )

    def changes_for(self, transition):
        if transition.name == "score":
            return {"scores": {"fit-with-local-needs": 4, "feasibility": 3, "value-for-money": 5}}
        return {}


class TestGrantWorkflow(ApplicantActs, WorkflowTests):
    workflow = GRANT

    def make_record(self, place, state):
        return GrantFactory(application=self.applied(_approved(place)), status=state)


class TestReportWorkflow(ApplicantActs, WorkflowTests):
    workflow = REPORT

    def make_record(self, place, state):
        grant = GrantFactory(application=self.applied(_approved(place)))
        return ReportFactory(grant=grant, status=state)


class TestTrancheWorkflow(ApplicantActs, WorkflowTests):
    workflow = TRANCHE

    def make_record(self, place, state):
        grant = GrantFactory(application=self.applied(_approved(place)))
        return TrancheFactory(
            grant=grant, number=1, status=state, due_on=datetime.date(2027, 1, 15)
        )
