"""The response demo: a season of reports and weekly returns in demo places, alert rules, one
closed crisis in Peel; loading twice changes nothing; a partner reads none of the AMBER
reports, Peel's coordinator reads Peel's and not Lilongwe's."""

import pytest
from django.core.management import call_command
from django.test import Client

from bridgework.access.models import User
from bridgework.response.choices import CrisisStatus
from bridgework.response.demo import PEEL_COORDINATOR
from bridgework.response.models import AlertRule, Crisis, Report, TensionAssessment

pytestmark = pytest.mark.django_db


def test_the_response_demo_loads_twice_to_the_same_state():
    call_command("load_demo")
    counts = (
        Report.objects.count(),
        TensionAssessment.objects.count(),
        AlertRule.objects.count(),
        Crisis.objects.count(),
    )
    call_command("load_demo")
    assert counts == (
        Report.objects.count(),
        TensionAssessment.objects.count(),
        AlertRule.objects.count(),
        Crisis.objects.count(),
    )
    assert counts[0] >= 15 and counts[1] == 60 and counts[2] == 2
    crisis = Crisis.objects.get()
    assert crisis.status == CrisisStatus.CLOSED
    assert crisis.corrective_actions.count() == 2 and crisis.reports.exists()
    assert all("(demo)" in report.title for report in Report.objects.all())


def test_demo_readers_see_only_their_places_reports():
    call_command("load_demo")
    partner = User.objects.get(email="partner.peel@demo.bridgework.test")
    peel = User.objects.get(email=PEEL_COORDINATOR)
    assert not Report.objects.visible_to(partner).exists()  # AMBER, above a partner's GREEN
    seen = set(Report.objects.visible_to(peel).values_list("place__name", flat=True))
    assert seen == {"Mississauga", "Brampton", "Peel Region"}
    client = Client()
    client.force_login(peel)
    assert client.get(Crisis.objects.get().get_absolute_url()).status_code == 200
