"""The benchmark dataset: a fictional place tree, users and role assignments at a scale factor.

At scale 1 (national scale in QUALITY.md): one World root, 20 countries, each with
10 regions > 5 districts > 3 cities > 2-3 wards (561 places a country, 11,221 in all),
5,000 users, and the organisations and people of :mod:`bench.generate_actors`. Rows go in
with ``bulk_create`` in batches; paths come from :func:`bridgework.core.paths.child_path`,
exactly as the app builds them.
"""

from __future__ import annotations

import secrets
import string
from collections import Counter
from dataclasses import dataclass
from itertools import cycle

from django.contrib.auth.hashers import make_password
from django.db import transaction

from bridgework.access.models import Role, RoleAssignment, User
from bridgework.core.paths import child_path
from bridgework.places.models import Place, PlaceLevel

from .generate_actors import ActorCounts, generate_actors

__all__ = ["COUNTRIES_AT_SF1", "USERS_AT_SF1", "Dataset", "generate"]

COUNTRIES_AT_SF1 = 20
USERS_AT_SF1 = 5_000
# (level name, children per parent); a tuple cycles across the parents of that level.
LEVELS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Region", (10,)),
    ("District", (5,)),
    ("City", (3,)),
    ("Ward", (2, 2, 3)),
)
BATCH = 2_000
EMAIL_DOMAIN = "bench.bridgework.test"  # reserved TLD: never a real mailbox


@dataclass
class Dataset:
    """What was generated, and the users the measurements act as."""

    places_by_depth: dict[int, int]
    users: int
    assignments_by_role: dict[str, int]
    admin: User  # network_admin at World
    coordinator: User  # national_coordinator of the first country
    actors: ActorCounts
    three_w_places: dict[str, Place]  # level name -> a place in the coordinator's country

    @property
    def places(self) -> int:
        return sum(self.places_by_depth.values())


def _country_code(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index // 26 % 26] + letters[index % 26]


def _insert_places(rows: list[Place]) -> list[Place]:
    # SQLite ≥ 3.35 and PostgreSQL return the new primary keys, so children can point at them.
    return Place.objects.bulk_create(rows, batch_size=BATCH)


def _build_tree(countries: int) -> list[list[Place]]:
    """Insert the tree level by level; return the places of each depth."""
    world = _insert_places([Place(name="World", path=child_path("/", 1), depth=0)])
    levels = [world]
    country_rows = []
    for number in range(1, countries + 1):
        code = _country_code(number - 1)
        place = Place(
            name=f"Country {number}",
            code=code,
            parent=world[0],
            path=child_path(world[0].path, number),
            depth=1,
            country_code=code,
        )
        place.bench_numbers = ()  # type: ignore[attr-defined]
        country_rows.append(place)
    levels.append(_insert_places(country_rows))
    for label, fanout in LEVELS:
        rows = []
        for parent, children in zip(levels[-1], cycle(fanout), strict=False):
            for number in range(1, children + 1):
                numbers = (*parent.bench_numbers, number)  # type: ignore[attr-defined]
                place = Place(
                    name=f"{parent.country_code} {label} {'.'.join(map(str, numbers))}",
                    pcode=parent.country_code + "".join(f"{n:02d}" for n in numbers),
                    parent=parent,
                    path=child_path(parent.path, number),
                    depth=parent.depth + 1,
                    country_code=parent.country_code,
                )
                place.bench_numbers = numbers  # type: ignore[attr-defined]
                rows.append(place)
        levels.append(_insert_places(rows))
    names = ("Country",) + tuple(label for label, _fanout in LEVELS)
    PlaceLevel.objects.bulk_create(
        [
            PlaceLevel(country_code=country.country_code, depth=depth, name=name)
            for country in levels[1]
            for depth, name in enumerate(names, start=1)
        ],
        batch_size=BATCH,
    )
    return levels


def _assign(users: list[User], levels: list[list[Place]]) -> list[RoleAssignment]:
    """One network admin, two national coordinators a country, then mostly local coordinators
    at cities, with partners at districts, reviewers at countries and residents at wards."""
    roles = {role.slug: role for role in Role.objects.all()}
    world, countries, _regions, districts, cities, wards = levels
    pairs: list[tuple[str, Place]] = [("network_admin", world[0])]
    pairs += [("national_coordinator", country) for country in countries for _ in range(2)]
    # Out of every 20 other users: 12 local coordinators, 3 partners, 1 reviewer, 4 residents.
    mix = ["local_coordinator"] * 12 + ["partner"] * 3 + ["reviewer"] + ["resident"] * 4
    where = {
        "local_coordinator": cycle(cities),
        "partner": cycle(districts),
        "reviewer": cycle(countries),
        "resident": cycle(wards),
    }
    slugs = cycle(mix)
    while len(pairs) < len(users):
        slug = next(slugs)
        pairs.append((slug, next(where[slug])))
    return [
        RoleAssignment(user=user, role=roles[slug], place=place, place_path=place.path)
        for user, (slug, place) in zip(users, pairs, strict=False)
    ]


def _three_w_places(levels: list[list[Place]], country: Place) -> dict[str, Place]:
    """The country, its first region and that region's first city."""
    _world, _countries, regions, districts, cities, _wards = levels
    region = next(p for p in regions if p.parent_id == country.pk)
    district = next(p for p in districts if p.parent_id == region.pk)
    city = next(p for p in cities if p.parent_id == district.pk)
    return {"country": country, "region": region, "city": city}


@transaction.atomic
def generate(scale: float) -> Dataset:
    """Fill an empty, migrated database (the default policy must already be synced)."""
    countries = max(1, round(COUNTRIES_AT_SF1 * scale))
    user_count = max(countries * 2 + 1, round(USERS_AT_SF1 * scale))
    levels = _build_tree(countries)

    password = make_password(secrets.token_urlsafe(24))  # hashed once; nobody signs in with it
    users = User.objects.bulk_create(
        [
            User(
                email=f"user{n:05d}@{EMAIL_DOMAIN}", full_name=f"Bench User {n}", password=password
            )
            for n in range(user_count)
        ],
        batch_size=BATCH,
    )
    assignments = RoleAssignment.objects.bulk_create(_assign(users, levels), batch_size=BATCH)

    actors = generate_actors(levels, scale)

    coordinator = next(a for a in assignments if a.role.slug == "national_coordinator")
    return Dataset(
        places_by_depth={depth: len(places) for depth, places in enumerate(levels)},
        users=len(users),
        assignments_by_role=dict(Counter(a.role.slug for a in assignments)),
        admin=users[0],
        coordinator=coordinator.user,
        actors=actors,
        three_w_places=_three_w_places(levels, coordinator.place),
    )
