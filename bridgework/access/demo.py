"""One demo user per role. The people are fictional; their emails use a reserved domain."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from bridgework.access.models import Role, RoleAssignment, User
from bridgework.places.models import Hub, Place

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoUser", "load", "load_users", "summary"]

DEMO_PASSWORD = "bridgework-demo"  # noqa: S105  (demo only, printed by make run)


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    where: str  # a place name, an ISO code, or "hub:<slug>"
    description: str


DEMO_USERS = [
    DemoUser(
        "admin@demo.bridgework.test",
        "Ada Admin (demo)",
        "network_admin",
        "World",
        gettext_noop("network administrator, everything"),
    ),
    DemoUser(
        "hub.esa@demo.bridgework.test",
        "Hamza Hub (demo)",
        "hub_officer",
        "hub:east-southern-africa",
        gettext_noop("East and Southern Africa hub officer"),
    ),
    DemoUser(
        "national.mw@demo.bridgework.test",
        "Nandi National (demo)",
        "national_coordinator",
        "MW",
        gettext_noop("national coordinator, Malawi"),
    ),
    DemoUser(
        "national.al@demo.bridgework.test",
        "Besa National (demo)",
        "national_coordinator",
        "AL",
        gettext_noop("national coordinator, Albania"),
    ),
    DemoUser(
        "local.lilongwe@demo.bridgework.test",
        "Lule Local (demo)",
        "local_coordinator",
        "Lilongwe City",
        gettext_noop("local coordinator, Lilongwe City"),
    ),
    DemoUser(
        "district.lilongwe@demo.bridgework.test",
        "Dalitso District (demo)",
        "local_coordinator",
        "MW-LI",
        gettext_noop("local coordinator, Lilongwe District"),
    ),
    DemoUser(
        "local.tirana@demo.bridgework.test",
        "Tomi Local (demo)",
        "local_coordinator",
        "Tirana",
        gettext_noop("local coordinator, Tirana"),
    ),
    DemoUser(
        "partner.peel@demo.bridgework.test",
        "Pat Partner (demo)",
        "partner",
        "Peel Region",
        gettext_noop("partner, Peel Region"),
    ),
    DemoUser(
        "reviewer.ca@demo.bridgework.test",
        "Robin Reviewer (demo)",
        "reviewer",
        "CA",
        gettext_noop("fund reviewer, Canada"),
    ),
    DemoUser(
        "resident.lilongwe@demo.bridgework.test",
        "Rhoda Resident (demo)",
        "resident",
        "Chilinde",
        gettext_noop("resident, Chilinde ward, Lilongwe"),
    ),
]


def _where(spec: str) -> tuple[Place, Hub | None]:
    if spec.startswith("hub:"):
        return Place.objects.get(parent__isnull=True, depth=0), Hub.objects.get(slug=spec[4:])
    if spec == "World":
        return Place.objects.get(parent__isnull=True, depth=0), None
    place = Place.objects.filter(code=spec).first() or Place.objects.get(name=spec, is_demo=True)
    return place, None


def load_users() -> list[DemoUser]:
    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User.objects.create_user(
                demo.email, DEMO_PASSWORD, full_name=demo.name, is_demo=True
            )
        place, hub = _where(demo.where)
        RoleAssignment.objects.get_or_create(
            user=user,
            role=Role.objects.get(slug=demo.role),
            place=place,
            hub=hub,
        )
    return DEMO_USERS


def load() -> None:
    load_users()


def summary() -> list[str]:
    """The demo logins, printed by ``load_demo``."""
    lines = [f"Sign in with any of these (password: {DEMO_PASSWORD}):"]
    lines += [f"  {user.email:<42} {user.description}" for user in DEMO_USERS]
    return lines
