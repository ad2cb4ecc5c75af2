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
from bridgework.actors.reach import refresh_reach
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
    response = client_for(tree.in_scope).get(reverse("actors:three_w") + "?place=Riverton")
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
        .get(reverse("actors:three_w") + "?place=Riverton&sector=police")
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
    url = reverse("actors:three_w") + "?place=Riverton"
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
    assert client.get(reverse("actors:three_w") + "?place=Riverton").status_code == 200
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
    refresh_reach([map_["hidden"].pk, red.pk])  # their rows are there, and must stay unseen
    report = three_w(tree.in_scope, OrgFilters(place=tree.city))
    assert report.total == 3
    assert Sector.HEALTH in {value for value, _label in report.gaps}
    assert Sector.MEDIA in {value for value, _label in report.gaps}
    assert [(o["place"], o["count"]) for o in report.overlaps] == [("Riverton Ward 1", 2)]


# --- places named as people name them ------------------------------------------------------------


def test_three_w_names_its_place_by_code_or_name_never_by_number(tree, map_):
    client = client_for(tree.in_scope)
    old_link = client.get(reverse("actors:three_w"), {"place": tree.city.pk, "sector": ""})
    assert old_link.status_code == 302
    assert old_link["Location"] == reverse("actors:three_w") + "?sector=&place=Riverton"
    response = client.get(old_link["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["query"] == "sector=&place=Riverton"
    assert "3w/export/?sector=&amp;place=Riverton&amp;format=csv" in page
    assert "popolo.json?sector=&amp;place=Riverton" in page
    assert f"place={tree.city.pk}" not in page and f"place={tree.ward.pk}" not in page
    assert "?place=XA0101" in page  # the overlap's ward, by its P-code
    popolo = client.get(reverse("actors:popolo"), {"place": "Riverton"})
    assert popolo["Content-Disposition"] == 'attachment; filename="popolo-riverton.json"'
    ward = client.get(reverse("actors:three_w_export"), {"place": "xa0101"})
    assert ward["Content-Disposition"] == 'attachment; filename="3w-XA0101.csv"'


def test_the_place_typed_by_name_is_the_one_shown_and_chosen(tree, map_):
    client = client_for(tree.in_scope)
    response = client.get(reverse("actors:three_w"), {"place": "Riverton Ward 1"}, follow=True)
    assert response.redirect_chain == [(reverse("actors:three_w") + "?place=XA0101", 302)]
    assert response.context["report"].place == tree.ward
    picker = str(response.context["form"]["place"])
    assert 'value="XA0101" checked' in picker and "Riverton Ward 1" in picker
    # Without JavaScript the current place stays checked while a new one is typed: the text
    # wins, or typing "Riverton" would silently keep the ward.
    typed = client.get(reverse("actors:three_w"), {"place": "XA0101", "place__search": "Riverton"})
    assert typed["Location"].endswith("?place=Riverton")
    # A radio button chosen among the matches of what was typed (they come marked) wins.
    picked = client.get(
        reverse("actors:three_w"),
        {"place": "XA0101", "place__search": "River", "place__picked": "1"},
    )
    assert picked["Location"].endswith("?place=XA0101")


def test_an_unknown_place_is_an_error_not_another_place(tree, map_):
    response = client_for(tree.in_scope).get(reverse("actors:three_w"), {"place": "Nowhere"})
    assert response.status_code == 400
    assert response.context["report"] is None
    assert response.context["form"].errors["place"]
    page = response.content.decode()
    assert "Riverton Youth Forum" not in page and "Missing sectors" not in page
    assert 'role="alert"' in page
    export = client_for(tree.in_scope).get(reverse("actors:three_w_export"), {"place": "Nowhere"})
    assert export.status_code == 400
    api = client_for(tree.in_scope).get(reverse("api-1.0.0:three_w"), {"place": "Nowhere"})
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "place"


def test_hxl_location_code_is_the_places_code_never_its_number(tree, map_):
    response = client_for(tree.in_scope).get(
        reverse("actors:three_w_export"), {"place": "Riverton", "format": "csv"}
    )
    tags, values = _read_hxl(response.getvalue().decode("utf-8-sig"))
    assert "#loc+id" not in tags
    by_place = {}
    for row in values:
        record = dict(zip(tags, row, strict=True))
        by_place[record["#loc+name"]] = record
    assert by_place["Riverton Ward 1"]["#loc+code"] == "XA0101"
    # The city has no code (the demo's cities have none either): the name is all there is.
    assert by_place["Riverton"]["#loc+code"] == ""
    assert by_place["Riverton"]["#adm2+name"] == "Riverton"
    assert by_place["Riverton Ward 1"]["#adm3+code"] == "XA0101"
    assert str(tree.city.pk) not in {r["#loc+code"] for r in by_place.values()}


# --- a regional hub's 3W -------------------------------------------------------------------------


@pytest.fixture
def hub_officer(tree, map_):
    """A hub of both countries, and its officer; an organisation in the other country."""
    from bridgework.places.models import Hub, Network

    network = Network.objects.create(name="Test Network", slug="test-network")
    hub = Hub.objects.create(network=network, name="Both Countries Hub", slug="both-countries")
    hub.places.set([tree.country, tree.other_country])
    officer = UserFactory(label="hub")
    RoleAssignmentFactory(user=officer, role="hub_officer", place=tree.world, hub=hub)
    other = Organisation.objects.create(
        name="Bordurian Women's Network",
        sector=Sector.WOMENS_GROUPS,
        level=OrgLevel.LOCAL,
        place=tree.other_country,
    )
    OrganisationArea.objects.create(organisation=other, place=tree.other_country)
    refresh_reach([other.pk])  # written past the actions: the stored 3W roll-up follows here
    return officer, hub, other


@covers("actors:three_w", "api-1.0.0:three_w")
def test_a_hub_officer_sees_the_whole_hub_by_default(tree, hub_officer):
    officer, hub, _other = hub_officer
    client = client_for(officer)
    response = client.get(reverse("actors:three_w"))
    report = response.context["report"]
    assert report.hub == hub and report.place is None
    assert report.total == 5  # both countries' organisations, the sibling city's too
    assert Sector.WOMENS_GROUPS not in {value for value, _label in report.gaps}
    assert response.context["query"] == "hub=both-countries"
    assert "Who does what where — Both Countries Hub" in response.content.decode()
    export = client.get(reverse("actors:three_w_export"), {"hub": "both-countries"})
    assert export["Content-Disposition"] == 'attachment; filename="3w-both-countries.csv"'
    api = client.get(reverse("api-1.0.0:three_w")).json()
    assert (api["hub"], api["place_id"], api["organisations"]) == ("both-countries", None, 5)
    # A place of the hub narrows it; a place outside it is an error.
    narrowed = client.get(reverse("actors:three_w"), {"hub": "both-countries", "place": "XB"})
    assert narrowed["Location"].endswith("?place=XB")  # the place is the area looked at
    narrowed = client.get(narrowed["Location"])
    assert narrowed.context["report"].place == tree.other_country
    assert narrowed.context["report"].total == 1


def test_a_place_outside_the_hub_chosen_beside_it_is_an_error(tree, hub_officer):
    from bridgework.places.models import Hub

    Hub.objects.create(network=hub_officer[1].network, name="Only Borduria", slug="only-xb")
    Hub.objects.get(slug="only-xb").places.set([tree.other_country])
    response = client_for(tree.ancestor).get(  # sees Xanadu only: one hub is theirs
        reverse("actors:three_w"), {"hub": "both-countries", "place": "XA-N"}
    )
    assert response.status_code == 302  # to the place, which lies in the hub
    response = client_for(hub_officer[0]).get(
        reverse("actors:three_w"), {"hub": "only-xb", "place": "XA-N"}
    )
    assert response.status_code == 400
    assert "not in the hub" in str(response.context["form"].errors["place"])
    # A hub that is none of the reader's is not a choice: an error too, never another hub.
    outsider = client_for(tree.in_scope).get(reverse("actors:three_w"), {"hub": "only-xb"})
    assert outsider.status_code == 400 and outsider.context["form"].errors["hub"]


def test_whether_a_reader_sees_a_hub_is_the_hub_querys_answer(tree, hub_officer):
    """``sees_any_hub`` (decided in Python from the hubs' place paths) answers as
    ``hubs_for(user).exists()`` for every reader, as hubs gain and lose places."""
    from bridgework.places.models import Hub
    from bridgework.places.selectors import hubs_for, sees_any_hub

    readers = [
        hub_officer[0],
        tree.ancestor,
        tree.in_scope,
        UserFactory(label="nobody"),
        *(user for user in vars(tree).values() if isinstance(user, type(tree.in_scope))),
    ]
    network = hub_officer[1].network
    only_city = Hub.objects.create(network=network, name="City Hub", slug="city-hub")
    states = []
    for places in ([], [tree.city], [tree.other_country], [tree.world]):
        only_city.places.set(places)
        hub_officer[1].places.set([])  # only ``only_city`` holds places
        for reader in readers:
            answer = sees_any_hub(reader)
            assert answer == hubs_for(reader).exists(), (reader, places)
            states.append(answer)
    assert True in states and False in states


def test_others_start_at_their_highest_place(tree, map_):
    response = client_for(tree.in_scope).get(reverse("actors:three_w"))
    assert response.context["report"].place == tree.city
    assert "hub" not in response.context["form"].fields  # no hub of theirs to offer
