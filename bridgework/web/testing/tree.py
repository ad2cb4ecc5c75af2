"""The standard scope fixture every generated test uses.

    World
    ├── Country (XA)
    │   └── Region
    │       ├── City            ← "own" place
    │       │   └── Ward        ← descendant
    │       └── Sibling city    ← sibling
    └── Other country (XB)

Users: one holding the role under test at the city (in scope), at the country (ancestor),
at the sibling city (sibling), one with no role, and the anonymous visitor.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bridgework.access.models import Role, RoleAssignment, User
from bridgework.access.policy import sync_default_policy
from bridgework.places.actions import do_create_place
from bridgework.places.models import Place

__all__ = ["StandardTree", "build_tree", "make_user"]

_serial = itertools.count(1)


def make_user(label: str = "user", **fields) -> User:
    n = next(_serial)
    return User.objects.create_user(
        f"{label}{n}@example.test", "test-password-123", full_name=f"{label.title()} {n}", **fields
    )


def assign(user: User, role_slug: str, place: Place, **fields) -> RoleAssignment:
    return RoleAssignment.objects.create(
        user=user, role=Role.objects.get(slug=role_slug), place=place, **fields
    )


def _place(name: str, parent: Place | None, **fields) -> Place:
    return do_create_place(Place(name=name, parent=parent, **fields))


@dataclass
class StandardTree:
    world: Place
    country: Place
    region: Place
    city: Place
    ward: Place
    sibling: Place
    other_country: Place
    in_scope: User
    ancestor: User
    sibling_user: User
    no_role: User
    role: str

    def place(self, which: str) -> Place:
        return getattr(self, which)


def build_tree(role: str = "national_coordinator") -> StandardTree:
    sync_default_policy()
    world = Place.objects.filter(parent__isnull=True, depth=0).first() or _place("World", None)
    country = _place("Xanadu", world, code="XA")
    region = _place("Northern Region", country, code="XA-N")
    city = _place("Riverton", region)
    ward = _place("Riverton Ward 1", city)
    sibling = _place("Hillbury", region)
    other_country = _place("Borduria", world, code="XB")
    tree = StandardTree(
        world,
        country,
        region,
        city,
        ward,
        sibling,
        other_country,
        in_scope=make_user("own"),
        ancestor=make_user("ancestor"),
        sibling_user=make_user("sibling"),
        no_role=make_user("norole"),
        role=role,
    )
    assign(tree.in_scope, role, city)
    assign(tree.ancestor, role, country)
    assign(tree.sibling_user, role, sibling)
    return tree
