"""The 3W view, its HXL/XLSX exports, Popolo JSON and the organisation form's areas."""

import csv
import io
import json
import tempfile

import hxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.actions import do_save_organisation, do_save_person, do_save_post
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, OrganisationArea, Person, Post, Theme
from bridgework.actors.selectors import HXL_COLUMNS
from bridgework.places.models import Place
from bridgework.web.testing import covers


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def org(tree, name, sector, place, themes=(), areas=(), **fields):
    organisation = Organisation(
        name=name, sector=sector, level=OrgLevel.LOCAL, place=place, **fields
    )
    do_save_organisation(
        organisation,
        acting_user=tree.ancestor,
        areas=list(areas),
        save_related=lambda: organisation.themes.set(Theme.objects.filter(slug__in=themes)),
    )
    return organisation


@pytest.fixture
def map_(tree):
    """Two youth organisations working in the ward (an overlap), police at the city, and an
    organisation in the sibling city the in-scope user must not see."""
    tree.ward.pcode = "XA0101"
    tree.ward.save()
    youth = org(
        tree,
        "Riverton Youth Forum",
        Sector.YOUTH,
        tree.city,
        ["youth-engagement"],
        [tree.ward],
        short_name="RYF",
    )
    schools = org(
        tree,
        "Riverton Schools Network",
        Sector.EDUCATION,
        tree.ward,
        ["youth-engagement", "schools-education"],
    )
    police = org(tree, "Riverton Police Liaison", Sector.POLICE, tree.city, ["community-policing"])
    hidden = org(tree, "Hillbury Youth Forum", Sector.HEALTH, tree.sibling, ["youth-engagement"])
    return {"youth": youth, "schools": schools, "police": police, "hidden": hidden}


def test_home_place_is_always_an_area(tree, map_):
    areas = set(
        OrganisationArea.objects.filter(organisation=map_["youth"]).values_list(
            "place_id", flat=True
        )
    )
    assert areas == {tree.city.pk, tree.ward.pk}


@covers("actors:three_w", "api-1.0.0:three_w")
def test_three_w_counts_gaps_and_overlaps(tree, map_):
    response = client_for(tree.in_scope).get(reverse("actors:three_w") + f"?place={tree.city.pk}")
    assert response.status_code == 200
    report = response.context["report"]
    assert report.total == 3  # the sibling's organisation is out of sight
    gaps = {value for value, _label in report.gaps}
    assert Sector.HEALTH in gaps and Sector.YOUTH not in gaps and Sector.POLICE not in gaps
    assert [(o["place"], o["theme"], o["count"]) for o in report.overlaps] == [
        ("Riverton Ward 1", "Youth engagement", 2)
    ]
    matrix = {
        sector: dict(zip([t.slug for t in report.themes], counts, strict=True))
        for sector, _label, counts, _none in report.matrix
    }
    assert matrix[Sector.YOUTH]["youth-engagement"] == 1
    assert matrix[Sector.EDUCATION]["schools-education"] == 1

    filtered = (
        client_for(tree.in_scope)
        .get(reverse("actors:three_w") + f"?place={tree.city.pk}&sector=police")
        .context["report"]
    )
    assert filtered.total == 1 and Sector.YOUTH not in {v for v, _l in filtered.gaps}

    api = client_for(tree.in_scope).get(reverse("api-1.0.0:three_w") + f"?place={tree.city.pk}")
    assert api.status_code == 200
    body = api.json()
    assert body["organisations"] == 3 and "health" in body["gaps"]
    assert body["overlaps"][0]["organisations"] == 2
    # A place outside the user's reach is 404, like everything else.
    assert (
        client_for(tree.in_scope)
        .get(reverse("actors:three_w") + f"?place={tree.sibling.pk}")
        .status_code
        == 404
    )
    assert (
        client_for(tree.in_scope)
        .get(reverse("api-1.0.0:three_w") + f"?place={tree.sibling.pk}")
        .status_code
        == 404
    )


def test_three_w_queries_do_not_grow_with_organisations(tree, map_):
    client = client_for(tree.in_scope)
    url = reverse("actors:three_w") + f"?place={tree.city.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        org(tree, f"Extra {n}", Sector.HEALTH, tree.ward, ["victim-support", "youth-engagement"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["report"].total == 33
    assert len(many) == len(few)


def _read_hxl(text: str):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        source = hxl.data(handle.name, hxl.InputOptions(allow_local=True))
        return [c.display_tag for c in source.columns], [list(r.values) for r in source]


@covers("actors:three_w_export")
def test_hxl_export_reads_back_with_libhxl(tree, map_):
    response = client_for(tree.in_scope).get(
        reverse("actors:three_w_export") + f"?place={tree.city.pk}&format=csv"
    )
    assert response.status_code == 200
    text = response.getvalue().decode("utf-8-sig")  # exports stream, with a BOM for Excel
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [label for label, _tag in HXL_COLUMNS]
    assert rows[1] == [tag for _label, tag in HXL_COLUMNS]
    tags, values = _read_hxl(text)
    assert tags == rows[1]
    assert values == rows[2:]
    # org × activity × place: youth (city, ward), schools (ward × 2 themes), police (city)
    assert len(values) == 5
    by_tag = [dict(zip(tags, row, strict=True)) for row in values]
    ward_rows = [r for r in by_tag if r["#loc+name"] == "Riverton Ward 1"]
    assert {r["#org+name"] for r in ward_rows} == {
        "Riverton Youth Forum",
        "Riverton Schools Network",
    }
    assert all(
        r["#country+code"] == "XA"
        and r["#adm1+code"] == "XA-N"
        and r["#adm1+name"] == "Northern Region"
        and r["#adm2+name"] == "Riverton"
        and r["#adm3+code"] == "XA0101"
        for r in ward_rows
    )
    assert "Hillbury Youth Forum" not in text

    xlsx = client_for(tree.in_scope).get(
        reverse("actors:three_w_export") + f"?place={tree.city.pk}&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(xlsx.getvalue())).active
    cells = [
        ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == rows


def test_exports_need_the_export_action(tree, map_):
    resident = UserFactory(label="resident")
    RoleAssignmentFactory(user=resident, role="resident", place=tree.city)
    client = client_for(resident)
    assert client.get(reverse("actors:three_w") + f"?place={tree.city.pk}").status_code == 200
    for name in ("actors:three_w_export", "actors:popolo"):
        assert client.get(reverse(name) + f"?place={tree.city.pk}").status_code == 403


@covers("actors:popolo", "api-1.0.0:popolo")
def test_popolo_shape_and_contacts(tree, map_):
    person = do_save_person(
        Person(full_name="Mira Example", email="mira@example.org", place=tree.city),
        acting_user=tree.ancestor,
    )
    post = do_save_post(
        Post(person=person, organisation=map_["youth"], title="Chair"), acting_user=tree.ancestor
    )
    response = client_for(tree.in_scope).get(reverse("actors:popolo") + f"?place={tree.city.pk}")
    data = json.loads(response.content)
    assert set(data) == {"organizations", "persons", "posts", "memberships"}
    organisation = next(o for o in data["organizations"] if o["name"] == "Riverton Youth Forum")
    assert organisation["id"] == f"org-{map_['youth'].pk}"
    assert organisation["classification"] == "youth"
    assert {"id", "name", "classification", "parent_id", "other_names"} <= set(organisation)
    assert data["persons"] == [
        {"id": f"person-{person.pk}", "name": "Mira Example", "email": "mira@example.org"}
    ]
    assert data["posts"] == [
        {
            "id": f"post-{post.pk}",
            "label": "Chair",
            "organization_id": f"org-{map_['youth'].pk}",
            "start_date": None,
            "end_date": None,
        }
    ]
    membership = data["memberships"][0]
    assert (membership["person_id"], membership["organization_id"], membership["post_id"]) == (
        f"person-{person.pk}",
        f"org-{map_['youth'].pk}",
        f"post-{post.pk}",
    )
    assert "Hillbury Youth Forum" not in response.content.decode()
    # A hub officer may export but not see contacts: no email in the persons.
    hub = UserFactory(label="hub")
    RoleAssignmentFactory(user=hub, role="hub_officer", place=tree.city)
    api = client_for(hub).get(reverse("api-1.0.0:popolo") + f"?place={tree.city.pk}").json()
    assert api["persons"] == [{"id": f"person-{person.pk}", "name": "Mira Example"}]


def test_organisation_form_areas_are_scoped(tree):
    tree.ward.pcode = "XA0101"
    tree.ward.save()
    client = client_for(tree.in_scope)
    data = {
        "name": "Ward Watch",
        "sector": Sector.CIVIL_SOCIETY,
        "level": OrgLevel.COMMUNITY,
        "place": tree.city.pk,
        "tlp": 1,
        "areas_text": "xa0101",
    }
    assert client.post(reverse("actors:organisation_add"), data).status_code == 302
    created = Organisation.objects.get(name="Ward Watch")
    assert set(created.areas.values_list("place_id", flat=True)) == {tree.city.pk, tree.ward.pk}
    edit = client.get(reverse("actors:organisation_edit", args=[created.pk]))
    assert edit.context["form"].initial["areas_text"] == "XA0101"

    outside = {**data, "name": "Overreach", "areas_text": f"XA0101, {tree.sibling.pk}, XB"}
    response = client.post(reverse("actors:organisation_add"), outside)
    assert response.status_code == 400
    assert str(tree.sibling.pk) in str(response.context["form"].errors["areas_text"])
    assert not Organisation.objects.filter(name="Overreach").exists()


def test_directory_filters(tree, map_):
    client = client_for(tree.in_scope)
    listed = client.get(reverse("actors:organisation_list") + "?sector=youth").context["rows"]
    assert [obj.name for obj, _cells in listed] == ["Riverton Youth Forum"]
    listed = client.get(reverse("actors:organisation_list") + "?theme=youth-engagement")
    assert {obj.name for obj, _c in listed.context["rows"]} == {
        "Riverton Youth Forum",
        "Riverton Schools Network",
    }
    api = client.get(
        reverse("api-1.0.0:list_organisations") + f"?place={tree.ward.pk}&theme=schools-education"
    ).json()
    assert [o["name"] for o in api["items"]] == ["Riverton Schools Network"]
    assert api["items"][0]["themes"] == ["schools-education", "youth-engagement"]
    assert Place.objects.filter(pk__in=api["items"][0]["area_ids"]).count() == 1


def test_three_w_counts_only_organisations_the_user_may_read(tree, map_):
    """An organisation based in the sibling city that also works here, and one labelled above
    the reader's ceiling, are neither counted nor listed."""
    from bridgework.actors.models import OrganisationArea
    from bridgework.actors.selectors import OrgFilters, three_w
    from bridgework.core.tlp import TLP

    OrganisationArea.objects.create(organisation=map_["hidden"], place=tree.ward)
    red = Organisation.objects.create(
        name="Riverton Red Cell",
        sector=Sector.MEDIA,
        level=OrgLevel.LOCAL,
        place=tree.city,
        tlp=TLP.RED,
    )
    OrganisationArea.objects.create(organisation=red, place=tree.ward)
    report = three_w(tree.in_scope, OrgFilters(place=tree.city))
    assert report.total == 3
    assert Sector.HEALTH in {value for value, _label in report.gaps}
    assert Sector.MEDIA in {value for value, _label in report.gaps}
    assert [(o["place"], o["count"]) for o in report.overlaps] == [("Riverton Ward 1", 2)]
