"""The alignment views answer their questions on the demo: for a place, the national
objectives with no local action, local actions serving none, its open needs and their age;
for a country, coverage of each objective, unanswered needs by category and level, places
without a current plan; the places × objectives matrix and its export. Revising a strategy
keeps old links counting."""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bridgework.access.models import User
from bridgework.activity.workflows import do_transition
from bridgework.places.models import Place
from bridgework.plans import selectors
from bridgework.plans.actions import do_revise_strategy
from bridgework.plans.choices import StrategyStatus
from bridgework.plans.models import LocalPlan, Objective, PlanAction, Strategy


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (and removed after it)."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def user(email: str) -> User:
    return User.objects.get(email=f"{email}@demo.bridgework.test")


def place(spec: str) -> Place:
    return Place.objects.filter(code=spec).first() or Place.objects.get(name=spec, is_demo=True)


@pytest.mark.django_db
def test_a_place_sees_its_gaps_unaligned_actions_and_open_needs(demo):
    result = selectors.place_alignment(place("Lilongwe City"), user("local.lilongwe"))
    assert [p.title for p in result.plans] == ["Lilongwe City cohesion plan (demo)"]
    assert [o.code for o in result.objectives_without_action] == ["3.1", "4.1"]
    assert [a.title for a in result.actions_without_objective] == [
        "Street lighting at the bus depot"
    ]
    needs = {need.title: need.age_on(result.day) for need in result.open_needs}
    assert needs == {
        "Funding for youth dialogue clubs (demo)": 75,
        "Ward-level data on hate incidents (demo)": 12,
    }


@pytest.mark.django_db
def test_the_national_coordinator_sees_coverage_unanswered_needs_and_places_without_plans(demo):
    malawi = place("MW")
    result = selectors.national_alignment(malawi, user("national.mw"), depth=3)
    coverage = {o.code: n for o, n in result.coverage}
    assert coverage == {"1.1": 2, "2.1": 1, "2.2": 1, "3.1": 1, "4.1": 0}
    table = {str(label): counts for label, counts, _total in result.needs_by_category}
    depths = [d for d, _name in result.levels]
    assert table["Funding"][depths.index(1)] == 1  # before the nation
    assert table["Data and evidence"][depths.index(3)] == 1  # before Lilongwe district
    without = {p.name for p in result.places_without_plan}
    assert "Blantyre" in without and "Lilongwe" not in without
    assert result.places_at_depth == 28


@pytest.mark.django_db
def test_links_to_an_old_version_count_for_the_revision(demo):
    albania = place("AL")
    result = selectors.national_alignment(albania, user("national.al"), depth=4)
    assert result.strategy.version == 2 and result.strategy.status == StrategyStatus.CURRENT
    coverage = {o.code: n for o, n in result.coverage}
    # Tirana's adopted plan links version 1's objectives; Kamëz's plan is only a draft.
    assert coverage["1.1"] == 1 and coverage["2.1"] == 1 and coverage["1.2"] == 1
    assert coverage["1.3"] == 0  # new in version 2: nobody acts on it yet
    tirana = selectors.place_alignment(place("Tirana"), user("local.tirana"))
    assert {o.code for o in tirana.objectives_without_action} == {"2.2", "3.1", "4.1", "1.3"}


@pytest.mark.django_db
def test_the_matrix_reads_at_a_glance_and_exports(demo):
    matrix = selectors.alignment_matrix(place("MW"), user("national.mw"))
    rows = {p.name: counts for p, counts, _has in matrix.rows}
    codes = [o.code for o in matrix.objectives]
    assert rows["Lilongwe City"][codes.index("2.1")] == 1
    assert rows["Lilongwe"][codes.index("3.1")] == 1
    client = Client()
    client.force_login(user("national.mw"))
    page = client.get(reverse("plans:matrix"), {"place": "MW"})
    assert page.status_code == 200 and "Lilongwe City" in page.content.decode()
    export = client.get(reverse("plans:matrix"), {"place": "MW", "format": "csv"})
    assert export.status_code == 200
    assert "alignment-MW.csv" in export["Content-Disposition"]
    content = b"".join(export.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    assert table[0][:2] == ["Place", "Current plan"]
    assert table[[r[0] for r in table].index("Lilongwe City")][:2] == ["Lilongwe City", "yes"]
    xlsx = client.get(
        reverse("plans:matrix"), {"place": "MW", "format": "xlsx", "with_empty": "1", "depth": "3"}
    )
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).worksheets[0]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "Blantyre" in names and "Lilongwe" in names


@pytest.mark.django_db
def test_the_alignment_pages_as_each_coordinator_sees_them(demo):
    client = Client()
    client.force_login(user("national.mw"))
    page = client.get(reverse("plans:alignment"))
    assert page.status_code == 200
    assert page.context["place"].code == "MW" and page.context["national"] is not None
    assert "Funding for youth dialogue clubs (demo)" in page.content.decode()  # before the nation
    client.force_login(user("local.lilongwe"))
    page = client.get(reverse("plans:alignment"))
    assert page.context["place"].name == "Lilongwe City" and "national" not in page.context
    assert client.get(reverse("plans:alignment"), {"place": "MW-BL"}).status_code == 404
    client.force_login(user("resident.lilongwe"))
    assert client.get(reverse("plans:alignment")).status_code in {200, 403}
    client.force_login(user("partner.peel"))
    page = client.get(reverse("plans:alignment"))
    assert page.status_code == 200 and "Peel" in page.content.decode()


@pytest.mark.django_db
def test_api_alignment_of_a_place(demo):
    client = Client()
    client.force_login(user("local.lilongwe"))
    response = client.get(reverse("api-1.0.0:alignment"), {"place": place("Lilongwe City").pk})
    assert response.status_code == 200
    body = response.json()
    assert [o["code"] for o in body["objectives_without_action"]] == ["3.1", "4.1"]
    assert len(body["open_need_ids"]) == 2
    hidden = client.get(reverse("api-1.0.0:alignment"), {"place": place("Blantyre City").pk})
    assert hidden.status_code == 404


@pytest.mark.django_db
def test_revising_a_strategy_copies_it_and_putting_it_in_force_retires_the_old(demo):
    national = user("national.mw")
    first = Strategy.objects.get(title="National Peace and Social Cohesion Strategy (demo)")
    client = Client()
    client.force_login(national)
    response = client.post(reverse("plans:strategy_revise", args=[first.pk]))
    assert response.status_code == 302
    revision = Strategy.objects.get(previous=first)
    assert revision.version == 2 and revision.status == StrategyStatus.DRAFT
    old = set(Objective.objects.filter(strategy=first).values_list("code", "title"))
    new = set(Objective.objects.filter(strategy=revision).values_list("code", "title"))
    assert old == new
    for objective in Objective.objects.filter(strategy=revision):
        assert objective.lineage.strategy == first
    assert revision.indicators.count() == first.indicators.count()
    # A local coordinator may read but not revise it.
    client.force_login(user("local.lilongwe"))
    assert client.post(reverse("plans:strategy_revise", args=[revision.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        do_revise_strategy(revision, acting_user=user("local.lilongwe"))
    do_transition(revision, "publish", acting_user=national)
    first.refresh_from_db()
    assert first.status == StrategyStatus.SUPERSEDED
    coverage = {o.code: n for o, n in selectors.national_alignment(place("MW"), national).coverage}
    assert coverage["1.1"] == 2  # the plans still link version 1
    # A second revision of the same version is refused.
    client.force_login(national)
    again = client.post(reverse("plans:strategy_revise", args=[first.pk]), follow=True)
    assert "revised already" in again.content.decode()


@pytest.mark.django_db
def test_a_plan_action_serves_only_objectives_of_strategies_in_force(demo):
    from bridgework.plans.forms import PlanActionForm

    form = PlanActionForm(user=user("national.al"), action="add")
    shown = {o.strategy.version for o in form.fields["objectives"].queryset}
    assert shown == {2}
    action = PlanAction.objects.filter(plan__title__startswith="Tirana").first()
    form = PlanActionForm(instance=action, user=user("national.al"), action="change")
    # The version-1 objectives it already serves stay offered (and ticked).
    assert {o.strategy.version for o in form.fields["objectives"].queryset} == {1, 2}
    assert LocalPlan.objects.filter(place=place("Tirana")).exists()
