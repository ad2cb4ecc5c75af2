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

from dataclasses import dataclass

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import User
from bridgework.access.policy import sync_default_policy
from bridgework.places.factories import PlaceFactory, root_place
from bridgework.places.models import Place

__all__ = ["StandardTree", "build_tree"]


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
    world = root_place()
    country = PlaceFactory.create(name="Xanadu", parent=world, code="XA")
    region = PlaceFactory.create(name="Northern Region", parent=country, code="XA-N")
    city = PlaceFactory.create(name="Riverton", parent=region)
    ward = PlaceFactory.create(name="Riverton Ward 1", parent=city)
    sibling = PlaceFactory.create(name="Hillbury", parent=region)
    other_country = PlaceFactory.create(name="Borduria", parent=world, code="XB")
    tree = StandardTree(
        world,
        country,
        region,
        city,
        ward,
        sibling,
        other_country,
        in_scope=UserFactory.create(label="own"),
        ancestor=UserFactory.create(label="ancestor"),
        sibling_user=UserFactory.create(label="sibling"),
        no_role=UserFactory.create(label="norole"),
        role=role,
    )
    RoleAssignmentFactory.create(user=tree.in_scope, role=role, place=city)
    RoleAssignmentFactory.create(user=tree.ancestor, role=role, place=country)
    RoleAssignmentFactory.create(user=tree.sibling_user, role=role, place=sibling)
    return tree
