"""Demo places: real places and codes from ISO 3166-2, real cities the report names.

Cities, municipalities and wards below the ISO subdivisions carry no invented codes.
"""

from __future__ import annotations

from datetime import date

from bridgework.places.actions import do_create_place
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
    load_places()
