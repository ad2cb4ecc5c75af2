"""Place boundaries: checking geometries, the GeoJSON import (page and command), and the maps
of the place, 3W and body pages, which show only what the reader may see, compactly."""

import json
import math
import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.activity.models import Event
from bridgework.actors.choices import Sector
from bridgework.bodies.factories import BodyFactory
from bridgework.core.tlp import TLP
from bridgework.places.actions import do_set_place_shape
from bridgework.places.boundaries import BoundaryFileError, import_boundaries, read_features
from bridgework.places.factories import PlaceFactory
from bridgework.places.geometry import (
    MAX_STORED_POSITIONS,
    count_positions,
    prepare_geometry,
    validate_geometry,
)
from bridgework.places.models import PlaceShape
from bridgework.settings import _tile_origin
from tests.helpers import working_organisation


def square(west, south, size=0.1):
    east, north = west + size, south + size
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def circle(longitude, latitude, radius=0.2, points=4000):
    ring = [
        [
            longitude + radius * math.cos(2 * math.pi * i / points),
            latitude + radius * math.sin(2 * math.pi * i / points),
        ]
        for i in range(points)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def feature(geometry, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def map_data(response, dom_id):
    """The features a page hands its map (its json_script), or None without a map."""
    match = re.search(
        rf'<script id="{dom_id}-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1)) if match else None


# --- checking geometries --------------------------------------------------------------------


@pytest.mark.parametrize(
    "geometry, words",
    [
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "Point, Polygon or Multi"),
        ({"type": "Point", "coordinates": [12.0, 95.0]}, "outside longitude"),
        ({"type": "Point", "coordinates": [True, 1]}, "pair of numbers"),
        ({"type": "Point", "coordinates": [float("nan"), 1]}, "pair of numbers"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "end where"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "four positions"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "not a valid polygon",
        ),
        ({"type": "MultiPolygon", "coordinates": []}, "at least one polygon"),
        (["not", "an", "object"], "GeoJSON object"),
    ],
)
def test_a_stored_geometry_is_checked(geometry, words):
    with pytest.raises(ValidationError) as refused:
        validate_geometry(geometry)
    assert words in " ".join(refused.value.messages)


def test_a_stored_geometry_has_a_size_cap():
    validate_geometry(circle(10, 10, points=MAX_STORED_POSITIONS - 1))
    with pytest.raises(ValidationError, match="more than"):
        validate_geometry(circle(10, 10, points=MAX_STORED_POSITIONS + 1))


def test_a_given_boundary_is_simplified_rounded_and_repaired():
    detailed = prepare_geometry(circle(33.78, -13.97, points=20_000))
    assert detailed["type"] == "Polygon"
    assert 8 < count_positions(detailed["coordinates"]) < 400
    numbers = [n for position in detailed["coordinates"][0] for n in position]
    assert all(round(n, 4) == n for n in numbers)
    # A bow-tie touching itself becomes the two triangles it draws, not an error.
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert prepare_geometry(bowtie)["type"] == "MultiPolygon"
    assert prepare_geometry({"type": "Point", "coordinates": [33.123456, -13.98767]}) == {
        "type": "Point",
        "coordinates": [33.1235, -13.9877],
    }


# --- the import -----------------------------------------------------------------------------


@pytest.fixture
def coded(tree):
    tree.city.pcode = "XA0101"
    tree.city.save()
    tree.ward.pcode = "XA010101"
    tree.ward.save()
    tree.sibling.pcode = "XA0102"
    tree.sibling.save()
    return tree


def test_the_import_sets_what_the_importer_may_change_and_reports_the_rest(coded):
    tree = coded
    coordinator = UserFactory(label="lilongwe")
    RoleAssignmentFactory(user=coordinator, role="local_coordinator", place=tree.city)
    data = collection(
        feature(square(33.7, -14.0), ADM3_PCODE="XA0101", name="Riverton"),
        feature({"type": "Point", "coordinates": [33.75, -13.95]}, pcode="xa010101"),
        feature(square(34.0, -14.0), ADM3_PCODE="XA0102"),  # the sibling: not theirs to see
        feature(square(33.0, -14.0), code="XA"),  # the country: seen, not theirs to change
        feature(square(33.0, -14.0), ADM3_PCODE="ZZ9999"),
        feature({"type": "Point", "coordinates": [200, 0]}, pcode="XA010101"),
        feature(square(33.0, -14.0), name="no code at all"),
    )
    result = import_boundaries(data, acting_user=coordinator, source="riverton.geojson")
    assert [o.status for o in result.outcomes] == [
        "set",
        "set",
        "unknown",
        "refused",
        "unknown",
        "invalid",
        "invalid",
    ]
    assert result.counts == {"set": 2, "unchanged": 0, "unknown": 2, "refused": 1, "invalid": 2}
    assert "already gave" in result.outcomes[5].message
    assert "naming the place's code" in result.outcomes[6].message
    assert result.outcomes[2].place is None  # nothing said about a place they cannot see
    assert set(PlaceShape.objects.values_list("place", flat=True)) == {tree.city.pk, tree.ward.pk}
    shape = PlaceShape.objects.get(place=tree.city)
    assert shape.source == "riverton.geojson" and shape.geometry["type"] == "Polygon"

    # Audited as the importer, the coordinates kept out of the log; on the place's timeline.
    entry = LogEntry.objects.get_for_object(shape).get()
    assert entry.actor == coordinator
    assert entry.changes_dict["geometry"][1] == "[geometry]"
    assert Event.objects.filter(verb="boundary_set", actor=coordinator).count() == 2

    again = import_boundaries(data, acting_user=coordinator)
    assert again.counts["set"] == 0 and again.counts["unchanged"] == 2


def test_the_property_can_be_named_and_a_dry_run_saves_nothing(coded):
    data = collection(
        feature(square(33.7, -14.0), ADM3_PCODE="XA0102", pcode="XA0101"),
    )
    checked = import_boundaries(data, code_property="ADM3_PCODE", dry_run=True)
    assert checked.counts["set"] == 1 and checked.outcomes[0].place == coded.sibling
    assert not PlaceShape.objects.exists()
    import_boundaries(data, code_property="ADM3_PCODE")
    assert PlaceShape.objects.get().place == coded.sibling
    missing = import_boundaries(data, code_property="ADM9_PCODE")
    assert missing.outcomes[0].message == "No property ADM9_PCODE."


@pytest.mark.parametrize(
    "data, words",
    [
        (b"not json", "not JSON"),
        (b"[" * 100_000, "not JSON"),  # nested deeper than the parser goes
        (json.dumps({"type": "Polygon", "coordinates": []}), "not a GeoJSON FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "no features"),
        (collection(*[feature(square(0, 0), code="XA")] * 5001), "more than 5000 features"),
    ],
)
def test_a_file_that_is_not_features_is_refused_whole(data, words):
    with pytest.raises(BoundaryFileError, match=words):
        read_features(data)


def test_the_import_page(coded):
    url = reverse("places:boundary_import")
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=coded.city)
    assert client_for(partner).get(url).status_code == 403

    client = client_for(coded.in_scope)
    page = client.get(url)
    assert page.status_code == 200 and b"ADM2_PCODE" in page.content
    browse = client.get(reverse("places:browse"))
    assert url.encode() in browse.content

    upload = SimpleUploadedFile(
        "riverton.geojson",
        collection(
            feature(square(33.7, -14.0), pcode="XA0101"), feature(None, pcode="XA0102")
        ).encode(),
    )
    done = client.post(url, {"file": upload})
    assert done.status_code == 200
    assert b"Imported from riverton.geojson" in done.content
    assert b"no such place" in done.content  # the sibling is out of this coordinator's reach
    assert PlaceShape.objects.get().place == coded.city
    city_page = client.get(coded.city.get_absolute_url())
    assert b"set its boundary on the map" in city_page.content  # on the place's activity

    bad = client.post(url, {"file": SimpleUploadedFile("x.geojson", b"{]")})
    assert bad.status_code == 400 and b"nothing was saved" in bad.content
    wrong = client.post(url, {"file": SimpleUploadedFile("x.csv", b"a,b")})
    assert wrong.status_code == 400 and b".geojson" in wrong.content
    assert PlaceShape.objects.count() == 1


def test_the_import_command(coded, tmp_path, capsys):
    path = tmp_path / "xa.geojson"
    path.write_text(
        collection(feature(square(33.7, -14.0), pcode="XA0102"), feature(square(0, 0), pcode="Q"))
    )
    call_command("import_boundaries", str(path), "--dry-run")
    assert not PlaceShape.objects.exists()
    call_command("import_boundaries", str(path))
    assert PlaceShape.objects.get().place == coded.sibling
    out = capsys.readouterr()
    assert "1 set" in out.out and "no such place" in out.err
    path.write_text("[]")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_boundaries", str(path))


# --- maps on pages --------------------------------------------------------------------------


def shaped(tree):
    for place, geometry in [
        (tree.country, square(30, -16, 6)),
        (tree.region, square(32, -15, 3)),
        (tree.city, square(33.5, -14.2, 0.5)),
        (tree.ward, {"type": "Point", "coordinates": [33.7, -14.0]}),
        (tree.sibling, square(34.2, -14.2, 0.5)),
    ]:
        do_set_place_shape(place, prepare_geometry(geometry))


def test_a_place_page_maps_itself_and_the_places_below_that_the_reader_sees(tree):
    shaped(tree)
    region = client_for(tree.in_scope).get(tree.region.get_absolute_url())
    features = map_data(region, "place-map")["features"]
    # The city's coordinator sees the region (above them) and their city, not the sibling.
    assert [(f["properties"]["label"], f["properties"].get("focus")) for f in features] == [
        ("Northern Region", True),
        ("Riverton", None),
    ]
    assert features[1]["properties"]["url"] == tree.city.get_absolute_url()
    assert b"Hillbury" not in region.content
    assert b'aria-label="Map of Northern Region and the places below it"' in region.content
    assert b"vendor/leaflet/leaflet.js" in region.content and b"js/map.js" in region.content

    whole = map_data(client_for(tree.ancestor).get(tree.region.get_absolute_url()), "place-map")
    assert {f["properties"]["label"] for f in whole["features"]} == {
        "Northern Region",
        "Riverton",
        "Hillbury",
    }
    # No boundary anywhere: no map at all, the list as before.
    lakeside = PlaceFactory(name="Lakeside", parent=tree.region)
    plain = client_for(tree.ancestor).get(lakeside.get_absolute_url())
    assert plain.status_code == 200 and b"place-map" not in plain.content


def test_a_map_of_many_detailed_places_stays_small(tree):
    for n in range(60):
        place = PlaceFactory(name=f"District {n}", parent=tree.region)
        geometry = prepare_geometry(circle(30 + (n % 10) * 0.5, -10 - (n // 10) * 0.5))
        do_set_place_shape(place, geometry)
    stored = sum(count_positions(s.geometry["coordinates"]) for s in PlaceShape.objects.all())
    page = client_for(tree.ancestor).get(tree.region.get_absolute_url())
    features = map_data(page, "place-map")["features"]
    assert len(features) == 60
    drawn = sum(count_positions(f["geometry"]["coordinates"]) for f in features)
    assert drawn < stored * 0.75  # simplified again, to the scale of this map
    match = re.search(rb'<script id="place-map-data".*?</script>', page.content, re.S)
    assert len(match.group(0)) < 60_000


def test_the_3w_map_counts_only_organisations_the_reader_sees(tree):
    url = reverse("actors:three_w") + "?place=XA-N"
    no_shapes = client_for(tree.ancestor).get(url)
    assert no_shapes.status_code == 200 and map_data(no_shapes, "three-w-map") is None
    shaped(tree)
    working_organisation("Riverton Youth Forum", Sector.YOUTH, tree.city)
    working_organisation("Riverton Interfaith Circle", Sector.FAITH_BASED, tree.city)
    working_organisation("Hillbury Watch", Sector.CIVIL_SOCIETY, tree.sibling)
    working_organisation("Quiet Helpers", Sector.YOUTH, tree.city, tlp=TLP.RED)

    own = map_data(client_for(tree.in_scope).get(url), "three-w-map")["features"]
    assert [f["properties"] for f in own] == [
        {"label": "Northern Region", "url": "", "focus": True},
        {
            "label": "Riverton: 2 organisations",
            "url": reverse("actors:three_w") + "?place=Riverton",
            "count": 2,
        },
    ]
    whole = map_data(client_for(tree.ancestor).get(url), "three-w-map")["features"]
    assert {f["properties"]["label"] for f in whole} == {
        "Northern Region",
        "Riverton: 2 organisations",
        "Hillbury: 1 organisation",
    }


def test_a_body_page_maps_its_place_and_the_bodies_under_it(tree):
    shaped(tree)
    national = BodyFactory(name="Xanadu Prevention Council", place=tree.region)
    BodyFactory(name="Riverton Cohesion Forum", place=tree.city, parent=national)
    BodyFactory(name="Hillbury Cohesion Forum", place=tree.sibling, parent=national)
    own = client_for(tree.in_scope).get(national.get_absolute_url())
    assert own.status_code == 200
    labels = [f["properties"]["label"] for f in map_data(own, "body-map")["features"]]
    assert labels == ["Northern Region", "Riverton Cohesion Forum"]
    whole = client_for(tree.ancestor).get(national.get_absolute_url())
    labels = [f["properties"]["label"] for f in map_data(whole, "body-map")["features"]]
    assert labels == ["Northern Region", "Hillbury Cohesion Forum", "Riverton Cohesion Forum"]


def test_tiles_are_drawn_only_when_configured_and_the_policy_lets_them_in(tree):
    shaped(tree)
    page = client_for(tree.ancestor).get(tree.country.get_absolute_url())
    assert b"data-tile-url" not in page.content
    with override_settings(
        MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="Example tiles",
    ):
        page = client_for(tree.ancestor).get(tree.country.get_absolute_url())
    assert b'data-tile-attribution="Example tiles"' in page.content
    assert _tile_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == [
        "https://*.tiles.example.org"
    ]
    assert _tile_origin("/tiles/{z}/{x}/{y}.png") == []


# --- malformed input --------------------------------------------------------------------------


def _containers(inner):
    return st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=4), inner))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    _containers,
    max_leaves=40,
)
NUMBERS = st.floats(min_value=-200, max_value=200, allow_nan=False) | st.integers(-200, 200)
RINGS = st.lists(st.lists(NUMBERS, min_size=1, max_size=3), min_size=0, max_size=8)
GEOMETRIES = (
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "Polygon", "MultiPolygon", "LineString", 7]),
            "coordinates": JSON_VALUES
            | st.lists(RINGS, max_size=3)
            | st.lists(st.lists(RINGS, max_size=2), max_size=2)
            | st.lists(NUMBERS, max_size=3),
        }
    )
    | JSON_VALUES
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(geometry=GEOMETRIES)
def test_any_geometry_is_set_or_reported_never_an_error(coded, geometry):
    data = collection(feature(geometry, pcode="XA0101"))
    result = import_boundaries(data, acting_user=coded.in_scope)
    (outcome,) = result.outcomes
    assert outcome.status in ("set", "unchanged", "invalid")
    if outcome.status == "invalid":
        assert outcome.message
    else:
        validate_geometry(PlaceShape.objects.get(place=coded.city).geometry)
