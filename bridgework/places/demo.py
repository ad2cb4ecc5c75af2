"""Demo places: real places and codes from ISO 3166-2, real cities the report names.

Cities, municipalities and wards below the ISO subdivisions carry no invented codes.
"""

from __future__ import annotations

from datetime import date

from bridgework.places.actions import do_create_place, do_set_place_shape
from bridgework.places.geometry import prepare_geometry
from bridgework.places.importers import import_iso3166
from bridgework.places.models import Hub, Network, NetworkMembership, Place, PlaceLevel

__all__ = ["DEMO_COUNTRIES", "load", "load_places"]

DEMO_COUNTRIES = ("AL", "CA", "MW", "ZA")

# country -> depth -> level name (depth 2 and 3 of Malawi come from ISO 3166-2 itself)
LEVEL_NAMES = {
    "AL": {2: "County", 3: "Municipality", 4: "Administrative unit"},
    "CA": {2: "Province / Territory", 3: "Region / municipality", 4: "Local municipality"},
    "MW": {2: "Region", 3: "District", 4: "City / town council", 5: "Ward"},
    "ZA": {2: "Province", 3: "Municipality", 4: "Ward"},
}

# (ISO code of the parent subdivision, place, [places below it])
CITIES = [
    (
        "AL-11",
        "Tirana",
        ["Administrative Unit 1", "Administrative Unit 2", "Kashar", "Dajt", "Farkë"],
    ),
    ("AL-11", "Kamëz", []),
    ("AL-02", "Durrës", []),
    ("MW-LI", "Lilongwe City", ["Chilinde", "Kawale", "Mtandire", "Chinsapo", "Mchesi"]),
    ("MW-BL", "Blantyre City", ["Ndirande", "Chilomoni"]),
    ("MW-MZ", "Mzuzu City", []),
    ("CA-ON", "Peel Region", ["Mississauga", "Brampton", "Caledon"]),
    ("CA-ON", "Toronto", []),
    ("ZA-WC", "City of Cape Town", []),
    ("ZA-GP", "City of Johannesburg", []),
]

HUBS = {
    "east-southern-africa": ("East and Southern Africa", ["MW", "ZA", "KE", "TZ", "UG", "ZM"]),
    "mena": ("Middle East and North Africa", ["JO", "LB", "TN", "MA", "IQ"]),
    "north-america": ("North America", ["CA", "US", "MX"]),
    "south-asia": ("South Asia", ["IN", "PK", "BD", "LK", "NP"]),
    "western-balkans": ("Western Balkans", ["AL", "BA", "ME", "MK", "RS"]),
}

MEMBERS = [
    ("Tirana", date(2019, 3, 1)),
    ("Kamëz", date(2022, 6, 15)),
    ("Lilongwe City", date(2021, 9, 20)),
    ("Peel Region", date(2020, 1, 10)),
    ("Mississauga", date(2023, 4, 3)),
    ("City of Cape Town", date(2018, 11, 5)),
]

NETWORK_NAME = "Demo Cities Network"


def _polygon(*points: tuple[float, float]) -> dict:
    return {"type": "Polygon", "coordinates": [[list(p) for p in (*points, points[0])]]}


def _point(longitude: float, latitude: float) -> dict:
    return {"type": "Point", "coordinates": [longitude, latitude]}


# Rough outlines drawn by hand for the demo's maps (a few dozen points, kilometres out), not
# surveyed boundaries: an installation imports real ones (README, "Maps"). Keyed by ISO code,
# or by the name of a demo place below the ISO subdivisions.
SHAPES = {
    "MW": _polygon(
        (32.9, -9.4),
        (33.9, -9.7),
        (34.3, -10.6),
        (34.6, -11.6),
        (34.5, -12.5),
        (35.0, -13.5),
        (35.9, -14.9),
        (35.8, -16.0),
        (35.3, -17.1),
        (34.6, -16.3),
        (34.3, -15.3),
        (33.3, -14.1),
        (32.7, -13.6),
        (33.0, -12.5),
        (33.4, -11.0),
        (33.2, -10.4),
    ),
    "MW-N": _polygon(
        (32.9, -9.4),
        (33.9, -9.7),
        (34.3, -10.6),
        (34.6, -11.6),
        (34.56, -12.0),
        (33.13, -12.0),
        (33.4, -11.0),
        (33.2, -10.4),
    ),
    "MW-C": _polygon(
        (33.13, -12.0),
        (34.56, -12.0),
        (34.5, -12.5),
        (35.0, -13.5),
        (35.58, -14.4),
        (33.55, -14.4),
        (33.3, -14.1),
        (32.7, -13.6),
        (33.0, -12.5),
    ),
    "MW-S": _polygon(
        (33.55, -14.4),
        (35.58, -14.4),
        (35.9, -14.9),
        (35.8, -16.0),
        (35.3, -17.1),
        (34.6, -16.3),
        (34.3, -15.3),
    ),
    "MW-MZ": _polygon((33.3, -11.3), (34.2, -11.2), (34.1, -11.95), (33.2, -11.95)),
    "MW-LI": _polygon((33.45, -13.55), (34.1, -13.6), (34.2, -14.0), (33.9, -14.3), (33.5, -14.2)),
    "MW-BL": _polygon((34.85, -15.55), (35.2, -15.6), (35.2, -15.95), (34.9, -15.95)),
    "Lilongwe City": _polygon((33.7, -13.88), (33.86, -13.9), (33.85, -14.05), (33.7, -14.04)),
    "Chilinde": _point(33.80, -13.93),
    "Kawale": _point(33.78, -13.99),
    "Mtandire": _point(33.73, -13.95),
    "Chinsapo": _point(33.73, -14.01),
    "Mchesi": _point(33.77, -13.96),
    "Blantyre City": _point(35.01, -15.79),
    "Mzuzu City": _point(34.02, -11.46),
    "Peel Region": _polygon(
        (-79.56, 43.58),
        (-79.63, 43.5),
        (-79.8, 43.66),
        (-80.05, 43.9),
        (-79.9, 44.0),
        (-79.7, 43.88),
    ),
    "Mississauga": _point(-79.65, 43.59),
    "Brampton": _point(-79.76, 43.73),
    "Caledon": _point(-79.87, 43.87),
    "Toronto": _point(-79.38, 43.65),
    "AL-11": _polygon((19.5, 41.55), (20.05, 41.55), (20.1, 41.15), (19.6, 41.1)),
    "Tirana": _point(19.82, 41.33),
    "Kamëz": _point(19.76, 41.38),
    "Durrës": _point(19.45, 41.32),
    "City of Cape Town": _point(18.42, -33.92),
    "City of Johannesburg": _point(28.05, -26.2),
}


def load_shapes(by_name: dict[str, Place]) -> None:
    """The demo places' rough outlines and points (idempotent)."""
    by_code = {place.code: place for place in Place.objects.filter(code__in=list(SHAPES))}
    for key, geometry in SHAPES.items():
        place = by_code.get(key) or by_name.get(key)
        if place is not None:
            do_set_place_shape(place, prepare_geometry(geometry), source="demo")


def _child(parent: Place, name: str) -> Place:
    existing = Place.objects.filter(parent=parent, name=name).first()
    if existing is not None:
        return existing
    return do_create_place(Place(name=name, parent=parent, is_demo=True))


def load_places() -> dict[str, Place]:
    """Idempotent: running it again changes nothing."""
    import_iso3166()  # every country and subdivision, so hubs and imports have their parents
    for country, levels in LEVEL_NAMES.items():
        for depth, name in levels.items():
            PlaceLevel.objects.update_or_create(
                country_code=country, depth=depth, defaults={"name": name}
            )
    by_name: dict[str, Place] = {}
    for parent_code, city, below in CITIES:
        parent = Place.objects.get(code=parent_code)
        place = _child(parent, city)
        by_name[city] = place
        for name in below:
            by_name[name] = _child(place, name)

    network, _ = Network.objects.get_or_create(
        slug="demo-cities",
        defaults={
            "name": NETWORK_NAME,
            "is_demo": True,
            "description": "A fictional network of cities with five regional hubs.",
        },
    )
    for slug, (name, countries) in HUBS.items():
        hub, _ = Hub.objects.get_or_create(slug=slug, defaults={"name": name, "network": network})
        hub.places.set(Place.objects.filter(code__in=countries))
    for city, joined in MEMBERS:
        NetworkMembership.objects.get_or_create(
            network=network,
            place=by_name[city],
            defaults={"joined_on": joined, "is_demo": True},
        )
    return by_name


def load() -> None:
    load_shapes(load_places())
