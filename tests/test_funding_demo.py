"""The funding demo: a Community Resilience Fund with a closed call and a dozen projects at
different stages, and a youth fund in Malawi; loading it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.access.models import User
from bridgework.funding.models import (
    Application,
    Fund,
    Grant,
    GrantIndicator,
    Result,
    Review,
    Tranche,
)

pytestmark = pytest.mark.django_db


def test_the_demo_funds_and_their_projects():
    call_command("load_demo")
    counts = (Application.objects.count(), Grant.objects.count(), Tranche.objects.count())
    call_command("load_demo")
    assert (Application.objects.count(), Grant.objects.count(), Tranche.objects.count()) == counts

    crf = Fund.objects.get(name="Community Resilience Fund (demo)")
    (call,) = crf.calls.all()
    assert not call.is_open() and call.max_years == 10
    projects = Application.objects.filter(call=call)
    assert projects.count() == 12
    assert set(projects.values_list("status", flat=True)) >= {
        "approved",
        "declined",
        "withdrawn",
        "under_review",
        "more_info",
    }
    assert set(Grant.objects.filter(application__call=call).values_list("status", flat=True)) == {
        "active",
        "closing",
        "closed",
    }
    assert Tranche.objects.filter(number=2, status="released").exists()
    assert Review.objects.filter(status="conflicted").exists()
    youth = Fund.objects.get(name="Youth Peace Empowerment Fund (demo)")
    assert youth.place.code == "MW" and youth.calls.get().is_open(timezone.now())


def test_the_demo_fund_staff_and_partner_see_their_pages():
    call_command("load_demo")
    staff = Client()
    staff.force_login(User.objects.get(email="funds.ca@demo.bridgework.test"))
    pipeline = staff.get(reverse("funding:pipeline")).content.decode()
    assert "2025 call for locally led projects (demo)" in pipeline
    partner = Client()
    partner.force_login(User.objects.get(email="partner.peel@demo.bridgework.test"))
    mine = partner.get(reverse("funding:mine")).content.decode()
    assert "Situation table for early referrals" in mine


def test_the_demo_shows_results_and_a_public_open_call():
    call_command("load_demo")
    assert GrantIndicator.objects.exists()
    assert Result.objects.filter(report__kind="progress").exists()
    rows = Client().get(reverse("api-1.0.0:public_calls")).json()["items"]
    assert [row["title"] for row in rows] == ["Youth-led projects in the cities (demo)"]
