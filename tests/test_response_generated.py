"""Generated page, API and workflow tests for every scoped model of the response module."""

from bridgework.bodies.factories import BodyFactory
from bridgework.response.choices import ReportStatus
from bridgework.response.factories import (
    AlertRuleFactory,
    CrisisFactory,
    CrisisUpdateFactory,
    ReportFactory,
    TensionAssessmentFactory,
)
from bridgework.response.models import (
    AlertRule,
    Crisis,
    CrisisUpdate,
    Report,
    TensionAssessment,
    TensionLevel,
)
from bridgework.response.views import (
    AlertRuleViewSet,
    CrisisUpdateViewSet,
    CrisisViewSet,
    ReportViewSet,
    TensionAssessmentViewSet,
)
from bridgework.response.workflows import CRISIS, REPORT
from bridgework.web.testing import ScopedApiTests, ScopedViewTests, WorkflowTests


class ReportRecords:
    model = Report

    def make_record(self, place, **fields):
        return ReportFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "kind": "hate_crime",
            "title": "Assault outside a mosque after Friday prayers",
            "place": place.pk,
            "occurred_on": "2026-10-09",
            "description": "Two men shouted slurs and pushed a worshipper.",
            "severity": 4,
            "physical_contact": "on",
            "source": "witness",
            "reliability": "B",
            "evidence": "evidenced",
            "tlp": 2,
        }


class TestReportPages(ReportRecords, ScopedViewTests):
    viewset = ReportViewSet


class TestReportApi(ReportRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_reports"
    detail_url_name = "api-1.0.0:get_report"
    write_name = "report"


class TensionRecords:
    model = TensionAssessment

    def make_record(self, place, **fields):
        return TensionAssessmentFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "place": place.pk,
            "week_start": "2026-11-30",
            "level": TensionLevel.objects.get(value=3).pk,
            "title": "Rallies after the overseas attack",
            "evidence": "Three incidents reported, a rally planned.",
            "trigger_international": "on",
            "tlp": 2,
        }


class TestTensionPages(TensionRecords, ScopedViewTests):
    viewset = TensionAssessmentViewSet


class TestTensionApi(TensionRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_tension_assessments"
    detail_url_name = "api-1.0.0:get_tension_assessment"
    write_name = "tension_assessment"


class AlertRuleRecords:
    model = AlertRule

    def make_record(self, place, **fields):
        return AlertRuleFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "name": "Serious hate crimes",
            "place": place.pk,
            "kind": "hate_crime",
            "min_severity": 3,
            "person": self.tree.in_scope.pk,
            "active": "on",
            "tlp": 1,
        }


class TestAlertRulePages(AlertRuleRecords, ScopedViewTests):
    viewset = AlertRuleViewSet


class TestAlertRuleApi(AlertRuleRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_alert_rules"
    detail_url_name = "api-1.0.0:get_alert_rule"
    write_name = "alert_rule"


class TestReportWorkflow(WorkflowTests):
    workflow = REPORT

    def make_record(self, place, state):
        report = ReportFactory(place=place, status=state, reporter_name="A. Witness")
        if state == ReportStatus.ANONYMISED:
            report.routed_to.add(BodyFactory(place=place))
        return report


class CrisisRecords:
    model = Crisis

    def make_record(self, place, **fields):
        return CrisisFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "title": "Tension after the overseas attack",
            "place": place.pk,
            "body": BodyFactory(place=place).pk,
            "started_on": "2026-10-08",
            "trigger": "An attack abroad; rallies announced locally.",
            "tlp": 2,
        }


class TestCrisisPages(CrisisRecords, ScopedViewTests):
    viewset = CrisisViewSet


class TestCrisisApi(CrisisRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_crises"
    detail_url_name = "api-1.0.0:get_crisis"
    write_name = "crisis"


class CrisisUpdateRecords:
    model = CrisisUpdate

    def make_record(self, place, **fields):
        return CrisisUpdateFactory(crisis=CrisisFactory(place=place), **fields)

    def form_data(self, place):
        return {
            "crisis": CrisisFactory(place=place).pk,
            "kind": "situation",
            "text": "Police liaison at the vigil; calm so far.",
        }


class TestCrisisUpdatePages(CrisisUpdateRecords, ScopedViewTests):
    viewset = CrisisUpdateViewSet


class TestCrisisUpdateApi(CrisisUpdateRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_crisis_updates"
    detail_url_name = "api-1.0.0:get_crisis_update"
    write_name = "crisis_update"


class TestCrisisWorkflow(WorkflowTests):
    workflow = CRISIS

    def make_record(self, place, state):
        return CrisisFactory(place=place, status=state)

    def changes_for(self, transition):
        return {
            "strengths": "Partners shared information quickly.",
            "improvements": "Public messages came late.",
            "root_cause": "No agreed spokesperson.",
        }
