"""Organisations, their areas of work and themes, people and their posts, at a scale factor.

At scale 1 (national scale in QUALITY.md): 50,000 organisations and 100,000 people holding one
post each. Organisations are based mostly in cities and wards, some at district, region or
country level; each works in its home place (as ``do_save_organisation`` guarantees) and in 0-2
nearby places (a child or a sibling of its home), and has 1-3 of the themes the actors migration
seeds. A post lives at its organisation's place, as ``Post.save`` would put it.

Rows go in with ``bulk_create`` in chunks (``save()`` is skipped, so ``place_path`` is copied
here, and the stored 3W roll-up is rebuilt at the end); a fixed seed makes every run draw the
same data.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, OrganisationArea, Person, Post, Theme
from bridgework.actors.reach import rebuild_reach
from bridgework.core.tlp import TLP
from bridgework.places.models import Place

__all__ = ["ORGANISATIONS_AT_SF1", "PEOPLE_AT_SF1", "ActorCounts", "generate_actors"]

ORGANISATIONS_AT_SF1 = 50_000
PEOPLE_AT_SF1 = 100_000
SEED = 20_261_125
CHUNK = 5_000  # objects built in Python before each bulk_create, so memory stays flat
BATCH = 2_000  # rows per INSERT at most (the backend may send fewer)
EMAIL_DOMAIN = "bench.bridgework.test"  # reserved TLD: never a real mailbox

# Where organisations are based (depth: weight): mostly cities and wards.
DEPTH_WEIGHTS = {1: 3, 2: 7, 3: 15, 4: 37, 5: 38}
LEVEL_AT_DEPTH = {
    1: OrgLevel.NATIONAL,
    2: OrgLevel.SUBNATIONAL,
    3: OrgLevel.LOCAL,
    4: OrgLevel.LOCAL,
    5: OrgLevel.COMMUNITY,
}
SECTOR_WEIGHTS = {
    Sector.NATIONAL_GOVERNMENT: 3,
    Sector.LOCAL_GOVERNMENT: 8,
    Sector.POLICE: 6,
    Sector.HEALTH: 8,
    Sector.EDUCATION: 10,
    Sector.SOCIAL_SERVICES: 7,
    Sector.CIVIL_SOCIETY: 18,
    Sector.FAITH_BASED: 10,
    Sector.ACADEMIA: 3,
    Sector.PRIVATE_SECTOR: 4,
    Sector.YOUTH: 9,
    Sector.WOMENS_GROUPS: 7,
    Sector.MEDIA: 3,
    Sector.INTERNATIONAL: 2,
}
SECTOR_NOUNS = {
    Sector.NATIONAL_GOVERNMENT: "Ministry",
    Sector.LOCAL_GOVERNMENT: "Council",
    Sector.POLICE: "Police Service",
    Sector.HEALTH: "Health Centre",
    Sector.EDUCATION: "School",
    Sector.SOCIAL_SERVICES: "Social Services",
    Sector.CIVIL_SOCIETY: "Association",
    Sector.FAITH_BASED: "Faith Forum",
    Sector.ACADEMIA: "Institute",
    Sector.PRIVATE_SECTOR: "Enterprise",
    Sector.YOUTH: "Youth Network",
    Sector.WOMENS_GROUPS: "Women's Circle",
    Sector.MEDIA: "Radio",
    Sector.INTERNATIONAL: "Foundation",
}
TLP_WEIGHTS = {TLP.GREEN: 85, TLP.CLEAR: 10, TLP.AMBER: 5}
EXTRA_AREAS = (0, 1, 2)
THEMES_EACH = (1, 2, 3)
WORDS = (
    "Harmony", "Unity", "Bridges", "Horizon", "Common Ground", "Open Door", "New Dawn",
    "Together", "Solidarity", "Hope", "Compass", "Beacon",
)  # fmt: skip
FIRST_NAMES = (
    "Amina", "Ben", "Chloé", "Daniel", "Esi", "Farid", "Grace", "Hugo", "Ines", "Jamal",
    "Kofi", "Lena", "Moussa", "Nadia", "Omar", "Priya", "Rania", "Samuel", "Thandi", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Banda", "Costa", "Diallo", "Eriksen", "Fofana", "Gomez", "Haddad", "Ivanova",
    "Juma", "Kamau", "Lopez", "Mensah", "Nguyen", "Okafor", "Petit", "Rahman", "Silva",
)  # fmt: skip
TITLES = ("Director", "Coordinator", "Programme officer", "Chair", "Focal point", "Secretary")


@dataclass
class ActorCounts:
    organisations: int
    areas: int
    theme_links: int
    people: int
    posts: int
    organisations_by_tlp: dict[str, int]


class _Home(NamedTuple):
    """What a post needs of its organisation."""

    pk: int
    place_id: int
    place_path: str


def _sampler(rng: random.Random, weights: dict) -> Callable[[], object]:
    population, cumulative, total = list(weights), [], 0
    for weight in weights.values():
        total += weight
        cumulative.append(total)
    return lambda: rng.choices(population, cum_weights=cumulative)[0]


def _neighbours(levels: Sequence[Sequence[Place]]) -> dict[int, list[Place]]:
    """For each place below the World: its children, and its siblings unless it is a country
    (a national organisation works in its own regions, not in the next country)."""
    children: dict[int | None, list[Place]] = defaultdict(list)
    for places in levels[1:]:
        for place in places:
            children[place.parent_id].append(place)

    def siblings(place: Place) -> list[Place]:
        return [p for p in children[place.parent_id] if p.pk != place.pk] if place.depth > 1 else []

    return {
        place.pk: children[place.pk] + siblings(place) for places in levels[1:] for place in places
    }


class _OrganisationMaker:
    """Draws organisations and everything hanging off them, a chunk at a time."""

    def __init__(self, rng: random.Random, levels: Sequence[Sequence[Place]]) -> None:
        self.rng = rng
        self.levels = levels
        self.neighbours = _neighbours(levels)
        self.places = {place.pk: place for places in levels for place in places}
        self.themes = list(Theme.objects.order_by("pk"))
        if not self.themes:
            raise RuntimeError("no Theme rows: the actors migrations seed them")
        self.depth = _sampler(rng, DEPTH_WEIGHTS)
        self.sector = _sampler(rng, SECTOR_WEIGHTS)
        self.tlp = _sampler(rng, TLP_WEIGHTS)

    def organisation(self) -> Organisation:
        depth = self.depth()
        place = self.rng.choice(self.levels[depth])
        sector = self.sector()
        return Organisation(
            name=f"{self.rng.choice(WORDS)} {SECTOR_NOUNS[sector]} {place.name}",
            sector=sector,
            level=LEVEL_AT_DEPTH[depth],
            place_id=place.pk,  # ids, not instances: bulk_create then skips related checks
            place_path=place.path,
            tlp=self.tlp(),
        )

    def areas(self, org: Organisation) -> list[OrganisationArea]:
        """The home place, then 0-2 distinct nearby places."""
        nearby = self.neighbours[org.place_id]
        extra = self.rng.sample(nearby, min(len(nearby), self.rng.choice(EXTRA_AREAS)))
        return [
            OrganisationArea(organisation_id=org.pk, place_id=place.pk, place_path=place.path)
            for place in (self.places[org.place_id], *extra)
        ]

    def theme_links(self, org: Organisation) -> list:
        through = Organisation.themes.through
        chosen = self.rng.sample(self.themes, self.rng.choice(THEMES_EACH))
        return [through(organisation_id=org.pk, theme_id=theme.pk) for theme in chosen]


def _insert_organisations(
    maker: _OrganisationMaker, count: int
) -> tuple[list[_Home], int, int, Counter]:
    homes: list[_Home] = []
    areas = links = 0
    by_tlp: Counter = Counter()
    through = Organisation.themes.through
    for start in range(0, count, CHUNK):
        rows = [maker.organisation() for _ in range(min(CHUNK, count - start))]
        orgs = Organisation.objects.bulk_create(rows, batch_size=BATCH)
        area_rows = [area for org in orgs for area in maker.areas(org)]
        link_rows = [link for org in orgs for link in maker.theme_links(org)]
        areas += len(OrganisationArea.objects.bulk_create(area_rows, batch_size=BATCH))
        links += len(through.objects.bulk_create(link_rows, batch_size=BATCH))
        homes += [_Home(org.pk, org.place_id, org.place_path) for org in orgs]
        by_tlp.update(TLP(org.tlp).name for org in orgs)
    return homes, areas, links, by_tlp


def _person(rng: random.Random, number: int, home: _Home, tlp: int) -> Person:
    return Person(
        full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        email=f"person{number:06d}@{EMAIL_DOMAIN}",
        place_id=home.place_id,
        place_path=home.place_path,
        tlp=tlp,
    )


def _post(rng: random.Random, person: Person, home: _Home) -> Post:
    return Post(
        person_id=person.pk,
        organisation_id=home.pk,
        title=rng.choice(TITLES),
        starts_on=date(2015, 1, 1) + timedelta(days=rng.randrange(3_650)),
        place_id=home.place_id,
        place_path=home.place_path,
    )


def _insert_people(rng: random.Random, homes: list[_Home], count: int) -> tuple[int, int]:
    """``count`` people, each based where their one post's organisation is."""
    tlp = _sampler(rng, TLP_WEIGHTS)
    people = posts = 0
    for start in range(0, count, CHUNK):
        numbers = range(start, min(start + CHUNK, count))
        where = [rng.choice(homes) for _ in numbers]
        rows = [_person(rng, n, home, tlp()) for n, home in zip(numbers, where, strict=True)]
        created = Person.objects.bulk_create(rows, batch_size=BATCH)
        post_rows = [_post(rng, p, home) for p, home in zip(created, where, strict=True)]
        people += len(created)
        posts += len(Post.objects.bulk_create(post_rows, batch_size=BATCH))
    return people, posts


def generate_actors(levels: Sequence[Sequence[Place]], scale: float) -> ActorCounts:
    """Fill the actors tables over the place tree ``levels`` (World first, then each depth).
    Call inside the generator's transaction."""
    rng = random.Random(SEED)
    organisations = max(1, round(ORGANISATIONS_AT_SF1 * scale))
    homes, areas, links, by_tlp = _insert_organisations(
        _OrganisationMaker(rng, levels), organisations
    )
    people, posts = _insert_people(rng, homes, max(1, round(PEOPLE_AT_SF1 * scale)))
    # The bulk inserts bypass the actions that keep the stored 3W roll-up in step: build it.
    rebuild_reach()
    return ActorCounts(len(homes), areas, links, people, posts, dict(by_tlp))
