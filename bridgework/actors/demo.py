"""Demo organisations and people: all fictional, all marked ``is_demo`` and "(demo)".

They sit in the real demo places (see :mod:`bridgework.demo.places`). Emails use the
reserved ``example.org`` domain. No real person's data, ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from bridgework.actors.choices import OrgLevel as L
from bridgework.actors.choices import Sector as S
from bridgework.actors.models import Organisation, OrganisationArea, Person, Post, Theme
from bridgework.actors.reach import refresh_reach
from bridgework.core.tlp import TLP
from bridgework.places.models import Place

__all__ = [
    "DEMO_ORGANISATIONS",
    "PEEL_COMMUNITY_ORGANISATIONS",
    "PEEL_LEADERS",
    "load",
    "load_actors",
]


@dataclass(frozen=True)
class DemoOrg:
    name: str
    short_name: str
    sector: str
    level: str
    place: str  # an ISO code, or the name of a demo place
    themes: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    parent: str = ""
    people: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (name, post title)
    public: bool = False  # TLP:CLEAR, open to residents (community groups they can join)


DEMO_ORGANISATIONS = [
    # Albania
    DemoOrg(
        "Albanian National Prevention Coordination Centre (demo)",
        "ANPCC",
        S.NATIONAL_GOVERNMENT,
        L.NATIONAL,
        "AL",
        ("research-evidence", "training-capacity", "early-warning", "reintegration"),
        ("Tirana", "Kamëz", "Durrës"),
        people=(("Elira Example (demo)", "Director"), ("Gent Sample (demo)", "Local liaison")),
    ),
    DemoOrg(
        "Tirana Municipal Prevention Team (demo)",
        "TMPT",
        S.LOCAL_GOVERNMENT,
        L.LOCAL,
        "Tirana",
        ("social-cohesion", "youth-engagement"),
        ("Kashar", "Dajt"),
        parent="Albanian National Prevention Coordination Centre (demo)",
        people=(("Ilir Placeholder (demo)", "Prevention officer"),),
    ),
    DemoOrg(
        "Tirana Neighbourhood Police Liaison (demo)",
        "",
        S.POLICE,
        L.LOCAL,
        "Tirana",
        ("community-policing", "early-warning"),
        ("Administrative Unit 1",),
        people=(("Arta Fictional (demo)", "Community liaison officer"),),
    ),
    DemoOrg(
        "Tirana Schools Resilience Programme (demo)",
        "",
        S.EDUCATION,
        L.LOCAL,
        "Tirana",
        ("schools-education", "youth-engagement"),
    ),
    DemoOrg(
        "Kamëz Youth Voices Network (demo)",
        "",
        S.YOUTH,
        L.COMMUNITY,
        "Kamëz",
        ("youth-engagement", "online-hate-disinformation"),
    ),
    DemoOrg(
        "Durrës Interfaith Circle (demo)",
        "",
        S.FAITH_BASED,
        L.COMMUNITY,
        "Durrës",
        ("interfaith-dialogue", "social-cohesion"),
    ),
    # Canada
    DemoOrg(
        "Canadian Centre for Community Resilience (demo)",
        "CCCR",
        S.NATIONAL_GOVERNMENT,
        L.NATIONAL,
        "CA",
        ("research-evidence", "training-capacity", "online-hate-disinformation"),
        ("Peel Region", "Toronto"),
        people=(("Morgan Example (demo)", "Programme manager"),),
    ),
    DemoOrg(
        "Peel Community Safety Partners (demo)",
        "PCSP",
        S.LOCAL_GOVERNMENT,
        L.SUBNATIONAL,
        "Peel Region",
        ("social-cohesion", "early-warning"),
        ("Mississauga", "Brampton", "Caledon"),
        people=(("Jordan Sample (demo)", "Coordinator"),),
    ),
    DemoOrg(
        "Peel Community Policing Liaison (demo)",
        "",
        S.POLICE,
        L.SUBNATIONAL,
        "Peel Region",
        ("community-policing", "social-cohesion"),
        ("Mississauga", "Brampton"),
        people=(("Casey Placeholder (demo)", "Community engagement lead"),),
    ),
    DemoOrg(
        "Mississauga Youth Peace Hub (demo)",
        "",
        S.YOUTH,
        L.COMMUNITY,
        "Mississauga",
        ("youth-engagement", "social-cohesion"),
    ),
    DemoOrg(
        "Brampton Family Wellbeing Clinic (demo)",
        "",
        S.HEALTH,
        L.LOCAL,
        "Brampton",
        ("psychosocial-support", "victim-support"),
    ),
    DemoOrg(
        "Toronto Online Harms Research Lab (demo)",
        "",
        S.ACADEMIA,
        L.LOCAL,
        "Toronto",
        ("research-evidence", "online-hate-disinformation"),
    ),
    # Malawi
    DemoOrg(
        "Malawi National Peace and Unity Desk (demo)",
        "NPUD",
        S.NATIONAL_GOVERNMENT,
        L.NATIONAL,
        "MW",
        ("social-cohesion", "early-warning", "training-capacity"),
        ("Lilongwe City", "Blantyre City", "Mzuzu City"),
        people=(("Chikondi Example (demo)", "National coordinator"),),
    ),
    DemoOrg(
        "Lilongwe City Council Cohesion Office (demo)",
        "",
        S.LOCAL_GOVERNMENT,
        L.LOCAL,
        "Lilongwe City",
        ("social-cohesion", "youth-engagement"),
        parent="Malawi National Peace and Unity Desk (demo)",
        people=(("Thoko Sample (demo)", "Cohesion officer"),),
    ),
    DemoOrg(
        "Lilongwe Youth Peace Forum (demo)",
        "LYPF",
        S.YOUTH,
        L.LOCAL,
        "Lilongwe City",
        ("youth-engagement", "social-cohesion"),
        ("Chilinde", "Kawale"),
        people=(("Kondwani Placeholder (demo)", "Chair"),),
        public=True,
    ),
    DemoOrg(
        "Lilongwe Community Policing Forum Secretariat (demo)",
        "",
        S.POLICE,
        L.LOCAL,
        "Lilongwe City",
        ("community-policing", "early-warning"),
        ("Mtandire", "Chinsapo"),
        people=(("Mphatso Fictional (demo)", "Secretary"),),
    ),
    DemoOrg(
        "Chilinde Women for Peace Circle (demo)",
        "",
        S.WOMENS_GROUPS,
        L.COMMUNITY,
        "Chilinde",
        ("social-cohesion", "victim-support", "womens-participation"),
        public=True,
    ),
    DemoOrg(
        "Kawale Interfaith Council (demo)",
        "",
        S.FAITH_BASED,
        L.COMMUNITY,
        "Kawale",
        ("interfaith-dialogue", "youth-engagement"),
    ),
    DemoOrg(
        "Blantyre District Health Outreach (demo)",
        "",
        S.HEALTH,
        L.SUBNATIONAL,
        "Blantyre City",
        ("psychosocial-support",),
        ("Ndirande", "Chilomoni"),
    ),
    DemoOrg(
        "Mzuzu Schools Peace Clubs (demo)",
        "",
        S.EDUCATION,
        L.LOCAL,
        "Mzuzu City",
        ("schools-education", "youth-engagement"),
    ),
    # South Africa
    DemoOrg(
        "South African Prevention Research Institute (demo)",
        "",
        S.ACADEMIA,
        L.NATIONAL,
        "ZA",
        ("research-evidence",),
        ("City of Cape Town", "City of Johannesburg"),
    ),
    DemoOrg(
        "Cape Town Social Cohesion Network (demo)",
        "",
        S.CIVIL_SOCIETY,
        L.LOCAL,
        "City of Cape Town",
        ("social-cohesion", "interfaith-dialogue"),
    ),
    DemoOrg(
        "Johannesburg Victim Support Collective (demo)",
        "",
        S.CIVIL_SOCIETY,
        L.LOCAL,
        "City of Johannesburg",
        ("victim-support", "psychosocial-support"),
    ),
]

# Peel's community leaders' table draws its 25 seats from these organisations (the bodies
# module seats them by these names).
PEEL_COMMUNITY_ORGANISATIONS = [
    ("Peel South Asian Community Council (demo)", S.CIVIL_SOCIETY),
    ("Peel Black Community Forum (demo)", S.CIVIL_SOCIETY),
    ("Peel Muslim Community Association (demo)", S.FAITH_BASED),
    ("Peel Sikh Community Council (demo)", S.FAITH_BASED),
    ("Peel Jewish Community Circle (demo)", S.FAITH_BASED),
    ("Peel Hindu Community Assembly (demo)", S.FAITH_BASED),
    ("Peel Christian Churches Fellowship (demo)", S.FAITH_BASED),
    ("Peel Caribbean Community Network (demo)", S.CIVIL_SOCIETY),
    ("Peel Filipino Community Association (demo)", S.CIVIL_SOCIETY),
    ("Peel Newcomers and Refugees Network (demo)", S.CIVIL_SOCIETY),
    ("Peel Youth Leaders Collective (demo)", S.YOUTH),
    ("Peel Women's Community Alliance (demo)", S.WOMENS_GROUPS),
]

_FIRST = [
    "Amrit",
    "Bisi",
    "Dalia",
    "Eitan",
    "Farah",
    "Gurpreet",
    "Hana",
    "Imani",
    "Jomo",
    "Kiran",
    "Lior",
    "Maya",
    "Nadia",
    "Omari",
    "Priya",
    "Rafael",
    "Sana",
    "Tariq",
    "Uma",
    "Vikram",
    "Wren",
    "Xin",
    "Yusuf",
    "Zara",
    "Noor",
]
_LAST = ["Example", "Sample", "Placeholder", "Fictional", "Demo"]
PEEL_LEADERS = [
    (
        f"{first} {_LAST[i % len(_LAST)]} (demo)",
        PEEL_COMMUNITY_ORGANISATIONS[i % len(PEEL_COMMUNITY_ORGANISATIONS)][0],
    )
    for i, first in enumerate(_FIRST)
]


def _place(spec: str) -> Place:
    by_code = Place.objects.filter(code=spec).first()
    return by_code or Place.objects.get(name=spec, is_demo=True)


def _email(name: str, domain: str = "example.org") -> str:
    local = name.replace(" (demo)", "").lower().replace(" ", ".")
    return f"{local}@{domain}"


def _organisation(spec: DemoOrg, themes: dict[str, Theme]) -> Organisation:
    place = _place(spec.place)
    org, _created = Organisation.objects.get_or_create(
        name=spec.name,
        place=place,
        defaults={
            "short_name": spec.short_name,
            "sector": spec.sector,
            "level": spec.level,
            "is_demo": True,
            "description": "A fictional organisation for the demo.",
            "tlp": TLP.CLEAR if spec.public else TLP.GREEN,
        },
    )
    if spec.parent:
        org.parent = Organisation.objects.get(name=spec.parent)
        org.save(update_fields=["parent"])
    org.themes.add(*[themes[slug] for slug in spec.themes])
    for area in (place, *[_place(name) for name in spec.areas]):
        OrganisationArea.objects.get_or_create(organisation=org, place=area)
    return org


def _person(
    name: str,
    org: Organisation,
    title: str,
    *,
    domain: str = "example.org",
    place: Place | None = None,
) -> Person:
    person, _created = Person.objects.get_or_create(
        full_name=name,
        place=place or org.place,
        defaults={"email": _email(name, domain), "phone": "+1 555 0100", "is_demo": True},
    )
    Post.objects.get_or_create(
        person=person, organisation=org, title=title, defaults={"starts_on": date(2023, 1, 15)}
    )
    return person


@transaction.atomic
def load_actors() -> dict[str, Organisation]:
    """Idempotent: running it again changes nothing. Needs the demo places."""
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    by_name: dict[str, Organisation] = {}
    for spec in DEMO_ORGANISATIONS:
        org = _organisation(spec, themes)
        by_name[org.name] = org
        for person_name, title in spec.people:
            _person(person_name, org, title)
    for name, sector in PEEL_COMMUNITY_ORGANISATIONS:
        spec = DemoOrg(
            name, "", sector, L.COMMUNITY, "Peel Region", ("social-cohesion", "interfaith-dialogue")
        )
        by_name[name] = _organisation(spec, themes)
    for person_name, org_name in PEEL_LEADERS:
        _person(
            person_name, by_name[org_name], "Community leader", domain="peel-leaders.example.org"
        )
    # Written straight to the tables above (not through the actions): the 3W roll-up is
    # brought in step here.
    refresh_reach(org.pk for org in by_name.values())
    return by_name


def load() -> None:
    load_actors()
