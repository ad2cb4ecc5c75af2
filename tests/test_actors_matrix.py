"""Gaps at a glance: the places below a place (or a hub's places) × the sectors."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.choices import Sector
from bridgework.actors.selectors import OrgFilters, sector_matrix
from bridgework.core.tlp import TLP
from bridgework.places.actions import do_create_place
from bridgework.places.models import Hub, Network, Place
from bridgework.web.testing import covers
from tests.helpers import assert_seeks_index, working_organisation

pytestmark = pytest.mark.django_db

SECTORS = [value for value, _label in Sector.choices]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


works = working_organisation


@pytest.fixture
def orgs(tree):
    """Riverton: youth (twice, once through a ward) and police; Hillbury: health; an AMBER
    media group in Riverton that a partner may not read; a national body working nowhere below."""
    return [
        works("Riverton Youth Forum", Sector.YOUTH, tree.city, themes=["youth-engagement"]),
        works("Ward Youth Club", Sector.YOUTH, tree.ward),
        works("Riverton Police", Sector.POLICE, tree.city),
        works("Hillbury Clinic", Sector.HEALTH, tree.sibling, tree.ward),
        works("Riverton Media Watch", Sector.MEDIA, tree.city, tlp=TLP.AMBER),
        works("Xanadu Ministry", Sector.NATIONAL_GOVERNMENT, tree.country),
    ]


def cells(matrix) -> dict[str, dict[str, int]]:
    return {row.place.name: dict(row.cells) for row in matrix.rows}


def test_children_by_sector_count_organisations_working_in_each_subtree(tree, orgs):
    matrix = sector_matrix(tree.ancestor, OrgFilters(place=tree.region))
    got = cells(matrix)
    assert list(got) == ["Hillbury", "Riverton"]  # the region's children, by name
    assert got["Riverton"][Sector.YOUTH] == 2
    assert got["Riverton"][Sector.HEALTH] == 1  # the clinic works in Riverton's ward too
    assert got["Riverton"][Sector.MEDIA] == 1
    assert got["Hillbury"] == {**dict.fromkeys(SECTORS, 0), Sector.HEALTH: 1}
    riverton = matrix.rows[1]
    assert (riverton.total, riverton.missing) == (5, len(SECTORS) - 4)
    by_sector = dict(zip(SECTORS, matrix.places_without, strict=True))
    assert by_sector[Sector.HEALTH] == 0 and by_sector[Sector.YOUTH] == 1
    assert by_sector[Sector.NATIONAL_GOVERNMENT] == 2  # the ministry works above them


def test_two_levels_below_and_what_the_reader_may_see(tree, orgs):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)  # up to GREEN
    matrix = sector_matrix(partner, OrgFilters(place=tree.country), below=2)
    # The sibling city is out of the partner's sight; the AMBER group is above their ceiling.
    assert list(cells(matrix)) == ["Riverton"]
    assert cells(matrix)["Riverton"][Sector.MEDIA] == 0
    assert cells(matrix)["Riverton"][Sector.HEALTH] == 0  # the clinic is based in Hillbury


def test_one_aggregate_query_whatever_the_number_of_organisations(tree, orgs):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            sector_matrix(tree.ancestor, OrgFilters(place=tree.region))
        return len(captured)

    queries()  # the reader's access, read once per request
    before = queries()
    for n in range(20):
        works(f"Extra {n}", SECTORS[n % len(SECTORS)], tree.ward)
        do_create_place(Place(name=f"Block {n}", parent=tree.region))
    assert queries() == before


def test_the_aggregation_seeks_the_path_index(tree, orgs):
    from django.db.models import Count
    from django.db.models.functions import Substr

    from bridgework.actors.selectors import _areas
    from bridgework.core.paths import prefix_length

    grouped = (
        _areas(tree.ancestor, OrgFilters(place=tree.region))
        .annotate(row=Substr("place_path", 1, prefix_length(3)))
        .values_list("row", "organisation__sector")
        .annotate(n=Count("organisation", distinct=True))
        .order_by()
    )
    assert_seeks_index(grouped, "actors_organisationarea", "place_path")


@covers("actors:sector_matrix")
def test_the_page_names_rows_by_level_links_cells_and_exports(tree, orgs):
    from bridgework.places.models import PlaceLevel

    PlaceLevel.objects.create(country_code=tree.region.country_code, depth=3, name="Town")
    client = client_for(tree.ancestor)
    url = reverse("actors:sector_matrix")
    response = client.get(url, {"place": "XA-N"})
    assert response.status_code == 200
    assert response.context["row_name"] == "Town"
    page = response.content.decode()
    assert 'class="gap"' in page
    assert "/organisations/?works_in=Riverton&amp;sector=youth" in page
    assert "?place=Hillbury" in page  # a row leads to the matrix of the places below it
    assert "Sectors by place — Northern Region" in page
    old = client.get(url, {"place": tree.region.pk})
    assert old.status_code == 302 and old["Location"] == url + "?place=XA-N"

    export = client.get(url, {"place": "XA-N", "below": "1", "format": "csv"})
    assert export["Content-Disposition"] == 'attachment; filename="sectors-by-place-XA-N-1.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Town", "Code", "National government"]
    assert rows[0][-2:] == ["Organisations", "Sectors missing"]
    riverton = next(row for row in rows if row[0] == "Riverton")
    assert riverton[2 + SECTORS.index(Sector.YOUTH)] == "2"
    book = client.get(url, {"place": "XA-N", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.getvalue())).active
    assert [c.value for c in sheet[1]][:2] == ["Town", "Code"]

    filtered = client.get(url, {"place": "XA-N", "theme": "youth-engagement"})
    assert cells(filtered.context["matrix"])["Riverton"][Sector.YOUTH] == 1
    assert "works_in=Riverton&amp;sector=youth&amp;theme=youth-engagement" in (
        filtered.content.decode()
    )


def test_unknown_place_is_an_error_and_exports_need_the_right(tree, orgs):
    client = client_for(tree.ancestor)
    url = reverse("actors:sector_matrix")
    bad = client.get(url, {"place": "Nowhere"})
    assert bad.status_code == 400 and bad.context["form"].errors["place"]
    resident = UserFactory(label="resident")
    RoleAssignmentFactory(user=resident, role="resident", place=tree.city)
    assert client_for(resident).get(url, {"place": "Riverton"}).status_code == 200
    assert client_for(resident).get(url, {"place": "Riverton", "format": "csv"}).status_code == 403
    assert client_for(tree.in_scope).get(url, {"place": "Hillbury"}).status_code == 400
    assert client_for(tree.no_role).get(url).status_code == 403


def test_a_hubs_matrix_has_the_hubs_places_as_rows(tree, orgs):
    network = Network.objects.create(name="Net", slug="net")
    hub = Hub.objects.create(network=network, name="Both", slug="both")
    hub.places.set([tree.country, tree.other_country])
    works("Bordurian Youth", Sector.YOUTH, tree.other_country)
    officer = UserFactory(label="hub")
    RoleAssignmentFactory(user=officer, role="hub_officer", place=tree.world, hub=hub)
    response = client_for(officer).get(reverse("actors:sector_matrix"))
    matrix = response.context["matrix"]
    assert matrix.filters.hub == hub
    got = cells(matrix)
    assert list(got) == ["Borduria", "Xanadu"]
    assert got["Borduria"][Sector.YOUTH] == 1 and got["Xanadu"][Sector.YOUTH] == 2
    assert response.context["row_name"] == "The hub's places"
    below = client_for(officer).get(reverse("actors:sector_matrix"), {"hub": "both", "below": 2})
    assert list(cells(below.context["matrix"])) == ["Northern Region"]
