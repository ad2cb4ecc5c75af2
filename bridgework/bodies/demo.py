"""Demo coordination bodies from the report's examples, all fictional and marked "(demo)".

Albania's two interconnected national bodies, a Malawi District Peace Committee (Lilongwe
district) with a Community Policing Forum (Lilongwe City) under it, and Peel's community
leaders' table with 25 seats across communities; each with past and upcoming meetings and
open actions, some overdue. Run after the demo places, users and organisations; organisations
it needs but does not find are created (``is_demo``), so it also runs on its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from bridgework.access.models import User
from bridgework.actors.choices import OrgLevel as L
from bridgework.actors.choices import Sector as S
from bridgework.actors.demo import PEEL_LEADERS
from bridgework.actors.models import Organisation, Person, Post
from bridgework.bodies.choices import ActionStatus, BodyKind, MeetingStatus, SeatRole
from bridgework.bodies.models import ActionItem, Attendance, Body, Decision, Meeting, Seat
from bridgework.core.tlp import TLP
from bridgework.places.models import Place

__all__ = ["PEEL_COMMUNITIES", "load", "load_bodies"]

SINCE = datetime.date(2023, 1, 15)


@dataclass(frozen=True)
class OrgSpec:
    name: str
    sector: str
    level: str
    place: str  # an ISO code or the name of a demo place


ANPCC = OrgSpec(
    "Albanian National Prevention Coordination Centre (demo)",
    S.NATIONAL_GOVERNMENT,
    L.NATIONAL,
    "AL",
)
TIRANA_TEAM = OrgSpec(
    "Tirana Municipal Prevention Team (demo)", S.LOCAL_GOVERNMENT, L.LOCAL, "Tirana"
)
TIRANA_POLICE = OrgSpec("Tirana Neighbourhood Police Liaison (demo)", S.POLICE, L.LOCAL, "Tirana")
TIRANA_SCHOOLS = OrgSpec(
    "Tirana Schools Resilience Programme (demo)", S.EDUCATION, L.LOCAL, "Tirana"
)
DURRES_FAITH = OrgSpec("Durrës Interfaith Circle (demo)", S.FAITH_BASED, L.COMMUNITY, "Durrës")
MW_DESK = OrgSpec(
    "Malawi National Peace and Unity Desk (demo)", S.NATIONAL_GOVERNMENT, L.NATIONAL, "MW"
)
LL_COUNCIL = OrgSpec(
    "Lilongwe City Council Cohesion Office (demo)", S.LOCAL_GOVERNMENT, L.LOCAL, "Lilongwe City"
)
LL_YOUTH = OrgSpec("Lilongwe Youth Peace Forum (demo)", S.YOUTH, L.LOCAL, "Lilongwe City")
LL_CPF = OrgSpec(
    "Lilongwe Community Policing Forum Secretariat (demo)", S.POLICE, L.LOCAL, "Lilongwe City"
)
LL_WOMEN = OrgSpec(
    "Chilinde Women for Peace Circle (demo)", S.WOMENS_GROUPS, L.COMMUNITY, "Chilinde"
)
LL_FAITH = OrgSpec("Kawale Interfaith Council (demo)", S.FAITH_BASED, L.COMMUNITY, "Kawale")
PEEL_POLICE = OrgSpec(
    "Peel Community Policing Liaison (demo)", S.POLICE, L.SUBNATIONAL, "Peel Region"
)
PEEL_PARTNERS = OrgSpec(
    "Peel Community Safety Partners (demo)", S.LOCAL_GOVERNMENT, L.SUBNATIONAL, "Peel Region"
)

# The communities of Peel's leaders' table: one fictional leader per seat, and the sector each
# community's seat speaks for (faith communities, youth, women; the others, civil society).
PEEL_COMMUNITIES = [
    ("South Asian", S.CIVIL_SOCIETY),
    ("Black", S.CIVIL_SOCIETY),
    ("Muslim", S.FAITH_BASED),
    ("Sikh", S.FAITH_BASED),
    ("Jewish", S.FAITH_BASED),
    ("Hindu", S.FAITH_BASED),
    ("Christian", S.FAITH_BASED),
    ("Caribbean", S.CIVIL_SOCIETY),
    ("Filipino", S.CIVIL_SOCIETY),
    ("Newcomers and refugees", S.CIVIL_SOCIETY),
    ("Youth", S.YOUTH),
    ("Women", S.WOMENS_GROUPS),
    ("Somali", S.CIVIL_SOCIETY),
    ("Tamil", S.CIVIL_SOCIETY),
    ("Chinese", S.CIVIL_SOCIETY),
    ("Indigenous", S.CIVIL_SOCIETY),
    ("Arab", S.CIVIL_SOCIETY),
    ("Portuguese", S.CIVIL_SOCIETY),
    ("Polish", S.CIVIL_SOCIETY),
    ("Vietnamese", S.CIVIL_SOCIETY),
    ("Korean", S.CIVIL_SOCIETY),
    ("Latin American", S.CIVIL_SOCIETY),
    ("Ukrainian", S.CIVIL_SOCIETY),
    ("LGBTQ+", S.CIVIL_SOCIETY),
    ("Seniors", S.CIVIL_SOCIETY),
]

# demo user email -> (person's name, organisation): so "My actions" has something to show.
LINKED_USERS = {
    # The national coordinators work for the national bodies, so actions owed by them reach
    # their My actions and their inbox.
    "national.mw@demo.bridgework.test": ("Chisomo Placeholder (demo)", MW_DESK),
    "national.al@demo.bridgework.test": ("Arta Placeholder (demo)", ANPCC),
    "local.lilongwe@demo.bridgework.test": ("Thoko Sample (demo)", LL_COUNCIL),
    "local.tirana@demo.bridgework.test": ("Ilir Placeholder (demo)", TIRANA_TEAM),
    "partner.peel@demo.bridgework.test": ("Casey Placeholder (demo)", PEEL_POLICE),
}


# --- lookups that create what is missing -------------------------------------------------------


def _place(spec: str) -> Place:
    return Place.objects.filter(code=spec).first() or Place.objects.get(name=spec, is_demo=True)


def _org(spec: OrgSpec) -> Organisation:
    org = Organisation.objects.filter(name=spec.name).first()
    if org is None:
        org = Organisation.objects.create(
            name=spec.name,
            sector=spec.sector,
            level=spec.level,
            place=_place(spec.place),
            is_demo=True,
            description="A fictional organisation for the demo.",
        )
    return org


def _person(name: str, org: Organisation, title: str) -> Person:
    person = Person.objects.filter(full_name=name).first()
    if person is None:
        local = name.replace(" (demo)", "").lower().replace(" ", ".")
        person = Person.objects.create(
            full_name=name, place=org.place, is_demo=True, email=f"{local}@example.org"
        )
    Post.objects.get_or_create(
        person=person, organisation=org, defaults={"title": title, "starts_on": SINCE}
    )
    return person


def _leader(name: str, place: Place) -> Person:
    """A community leader sits in their own name: no post is needed (or invented)."""
    person = Person.objects.filter(full_name=name).first()
    if person is None:
        local = name.replace(" (demo)", "").lower().replace(" ", ".")
        person = Person.objects.create(
            full_name=name, place=place, is_demo=True, email=f"{local}@peel-leaders.example.org"
        )
    return person


def _link_demo_users() -> None:
    """Give the demo users who work for a demo organisation a person with a post there,
    unless they already have one."""
    for email, (name, spec) in LINKED_USERS.items():
        user = User.objects.filter(email=email).first()
        if user is None or Person.objects.filter(user=user).exists():
            continue
        person = _person(name, _org(spec), "Officer")
        if person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])


# --- bodies, seats, meetings, actions ------------------------------------------------------------


def _body(
    name: str,
    kind: str,
    level: str,
    place: str,
    mandate: str,
    parent: Body | None = None,
    tlp: int = TLP.GREEN,
) -> Body:
    body, _created = Body.objects.get_or_create(
        name=name,
        defaults={
            "kind": kind,
            "level": level,
            "place": _place(place),
            "mandate": mandate,
            "parent": parent,
            "is_demo": True,
            "tlp": tlp,
        },
    )
    return body


def _seat(
    body: Body,
    *,
    role: str = SeatRole.MEMBER,
    org: Organisation | None = None,
    person: Person | None = None,
    constituency: str = "",
    sector: str = "",
) -> Seat:
    seat, created = Seat.objects.get_or_create(
        body=body,
        organisation=org,
        person=person,
        defaults={
            "role": role,
            "constituency": constituency,
            "sector": sector,
            "starts_on": SINCE,
        },
    )
    if not created and sector and not seat.sector:  # a demo loaded before seats had sectors
        seat.sector = sector
        seat.save(update_fields=["sector"])
    return seat


def _meeting(
    body: Body,
    title: str,
    days_from_today: int,
    *,
    present: int = 0,
    minutes: str = "",
    decisions: tuple[str, ...] = (),
) -> Meeting:
    """A meeting ``days_from_today`` away (negative: held); the first ``present`` seats came."""
    existing = Meeting.objects.filter(body=body, title=title).first()
    if existing is not None:
        return existing
    starts = timezone.now().replace(hour=9, minute=30, second=0, microsecond=0)
    starts += datetime.timedelta(days=days_from_today)
    held = days_from_today < 0
    meeting = Meeting.objects.create(
        body=body,
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location=f"{body.place.name}, council chamber",
        is_demo=True,
        agenda="1. Situation update\n2. Reports from members\n3. Actions and next steps",
        minutes=minutes if held else "",
        status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
    )
    for seat in list(body.seats.order_by("pk"))[:present]:
        Attendance.objects.create(meeting=meeting, seat=seat)
    for number, text in enumerate(decisions, start=1):
        Decision.objects.create(meeting=meeting, number=number, text=text)
    return meeting


def _action(
    body: Body,
    title: str,
    owner: Organisation,
    due_in_days: int,
    *,
    meeting: Meeting | None = None,
    status: str = ActionStatus.OPEN,
) -> ActionItem:
    item, _created = ActionItem.objects.get_or_create(
        raised_by=body,
        title=title,
        defaults={
            "owner_organisation": owner,
            "meeting": meeting,
            "status": status,
            "due_on": timezone.localdate() + datetime.timedelta(days=due_in_days),
            "description": "A fictional action for the demo.",
            "is_demo": True,
        },
    )
    return item


def _albania() -> None:
    centre, team = _org(ANPCC), _org(TIRANA_TEAM)
    board = _body(
        "National CVE Coordination Board (demo)",
        BodyKind.NATIONAL_CENTRE,
        L.NATIONAL,
        "AL",
        "Steers the national strategy against violent extremism and coordinates ministries, "
        "municipalities and civil society.",
    )
    group = _body(
        "Inter-institutional Technical Group (demo)",
        BodyKind.INTER_MINISTERIAL,
        L.NATIONAL,
        "AL",
        "Turns the board's decisions into work plans with line ministries and the "
        "municipalities; reports to the board every quarter.",
        parent=board,
    )
    _seat(board, role=SeatRole.CHAIR, org=centre)
    _seat(board, org=team)
    _seat(board, org=_org(DURRES_FAITH), role=SeatRole.OBSERVER)
    _seat(group, role=SeatRole.SECRETARY, org=centre)
    _seat(group, org=_org(TIRANA_POLICE))
    _seat(group, org=_org(TIRANA_SCHOOLS))
    _seat(group, org=team)
    held = _meeting(
        board,
        "Quarterly board meeting",
        -40,
        present=3,
        minutes="The board reviewed municipal prevention plans.",
        decisions=("Municipal plans are due within three months.",),
    )
    _meeting(board, "Half-year review", 25)
    _meeting(
        group,
        "Technical group: school referrals",
        -12,
        present=2,
        minutes="Referral pathways between schools and police were mapped.",
    )
    _meeting(group, "Technical group: work plan", 9)
    _action(board, "Submit Tirana's updated prevention plan", team, -10, meeting=held)
    _action(group, "Share the school referral protocol with municipalities", centre, 14)


def _malawi() -> None:
    desk, council, cpf = _org(MW_DESK), _org(LL_COUNCIL), _org(LL_CPF)
    committee = _body(
        "Lilongwe District Peace Committee (demo)",
        BodyKind.DISTRICT_PEACE_COMMITTEE,
        L.SUBNATIONAL,
        "MW-LI",
        "Prevents and resolves conflict in Lilongwe district; "
        "trains community mediators and escalates tensions to the national desk.",
    )
    forum = _body(
        "Lilongwe City Community Policing Forum (demo)",
        BodyKind.COMMUNITY_POLICING_FORUM,
        L.LOCAL,
        "Lilongwe City",
        "Brings police and residents together on safety and tensions in the city's wards.",
        parent=committee,
        tlp=TLP.CLEAR,  # open to the residents it brings together
    )
    _seat(committee, role=SeatRole.CHAIR, org=council)
    _seat(committee, role=SeatRole.OBSERVER, org=desk)
    _seat(committee, org=cpf)
    _seat(committee, org=_org(LL_YOUTH))
    _seat(committee, org=_org(LL_WOMEN))
    _seat(committee, org=_org(LL_FAITH))
    _seat(forum, role=SeatRole.CHAIR, org=cpf)
    _seat(forum, org=_org(LL_YOUTH))
    _seat(forum, org=_org(LL_WOMEN))
    first = _meeting(
        committee,
        "Peace committee: market tensions",
        -55,
        present=5,
        decisions=("Form a mediation team for Mtandire market.",),
    )
    _meeting(
        committee,
        "Peace committee: election preparedness",
        -20,
        present=4,  # of six seats: more than half, so the quorum the minutes speak of was met
        minutes="Quorum was met; the youth forum reported on rumours online.",
    )
    _meeting(committee, "Peace committee: quarterly meeting", 16)
    _meeting(forum, "Forum: ward safety walk debrief", -8, present=2)
    _meeting(forum, "Forum: monthly meeting", 6)
    # A ministry owes a district an answer, and a city office owes the committee a report.
    _action(committee, "Respond on funding for community mediators", desk, -7, meeting=first)
    _action(committee, "Report on the Mtandire mediation team", council, 10)
    _action(forum, "Publish the ward safety walk findings", cpf, -2)


def _peel() -> None:
    police, partners = _org(PEEL_POLICE), _org(PEEL_PARTNERS)
    table = _body(
        "Peel Community Leaders' Table (demo)",
        BodyKind.COMMUNITY_LEADERS_TABLE,
        L.SUBNATIONAL,
        "Peel Region",
        "Convened by the police: leaders of Peel's ethnic, religious and "
        "cultural communities meet to share concerns and respond together to tensions.",
    )
    _seat(table, role=SeatRole.CHAIR, org=police)
    _seat(table, role=SeatRole.SECRETARY, org=partners)
    # The same fictional leaders the actors demo gave posts in Peel's community organisations.
    for (name, _organisation), (community, sector) in zip(
        PEEL_LEADERS, PEEL_COMMUNITIES, strict=False
    ):
        leader = _leader(name, partners.place)
        _seat(table, person=leader, constituency=f"{community} community", sector=sector)
    first = _meeting(
        table,
        "Leaders' table: after the vandalism at places of worship",
        -70,
        present=21,
        minutes="Leaders shared how tensions were felt in their communities.",
        decisions=("Hold a joint vigil.", "Set up a rumour-control line."),
    )
    # Named for what they do, never for a season or a month: the demo's dates follow today.
    _meeting(table, "Leaders' table: community gathering", -15, present=12)
    _meeting(table, "Leaders' table: planning meeting", 20)
    _action(table, "Set up the rumour-control line", police, -30, meeting=first)
    _action(table, "Map youth programmes across communities", partners, 21)


@transaction.atomic
def load_bodies() -> list[Body]:
    """Idempotent: running it again changes nothing."""
    _albania()
    _malawi()
    _peel()
    _link_demo_users()
    return list(Body.objects.filter(is_demo=True).order_by("name"))


def load() -> None:
    load_bodies()
