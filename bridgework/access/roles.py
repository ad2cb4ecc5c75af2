"""The vocabulary of the policy: actions, the default roles and the rule bundles modules use.

This module imports no model, so models, the policy and every module's ``policy.py`` can all
import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bridgework.core.tlp import TLP

__all__ = [
    "ACTIONS",
    "ADD",
    "CHANGE",
    "DEFAULT_ROLES",
    "DELETE",
    "EVERY_ACTION",
    "EVERY_MODEL",
    "EXPORT",
    "HISTORY",
    "READ",
    "READS_UPWARD",
    "VIEW",
    "WRITE",
    "RoleSpec",
    "default_role_name",
    "each",
]

VIEW, ADD, CHANGE, DELETE, EXPORT, HISTORY = "view", "add", "change", "delete", "export", "history"
# The actions every scoped model has. Modules declare their own beyond these (policy.ACTIONS).
ACTIONS = (VIEW, ADD, CHANGE, DELETE, EXPORT, HISTORY)
# Reads reach the shareable records of the places above one's own; writes never do.
READS_UPWARD = frozenset({VIEW, HISTORY, EXPORT})
EVERY_MODEL = "*"
# In a rule table: every action there is, including those modules declare.
EVERY_ACTION = ("__every_action__",)

READ = (VIEW, HISTORY)
WRITE = (VIEW, ADD, CHANGE, DELETE, EXPORT, HISTORY)


def each(labels: tuple[str, ...], actions: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The same actions on several models: ``{label: actions for label in labels}``."""
    return {label: actions for label in labels}


@dataclass(frozen=True)
class RoleSpec:
    slug: str
    name: Any
    rank: int
    tlp_ceiling: int
    description: Any = ""


DEFAULT_ROLES = (
    RoleSpec(
        "network_admin",
        _("Network administrator"),
        100,
        TLP.AMBER_STRICT,
        _("Runs the platform for the whole network"),
    ),
    RoleSpec(
        "hub_officer",
        _("Regional hub officer"),
        80,
        TLP.AMBER,
        _("Supports the members of one regional hub across countries"),
    ),
    RoleSpec(
        "national_coordinator",
        _("National coordinator"),
        70,
        TLP.AMBER_STRICT,
        _("Coordinates prevention for a country or a province"),
    ),
    RoleSpec(
        "local_coordinator",
        _("Local coordinator"),
        50,
        TLP.AMBER,
        _("Coordinates prevention for a city or district"),
    ),
    RoleSpec(
        "partner",
        _("Partner"),
        30,
        TLP.GREEN,
        _("Police, health, schools, civil society, faith and community partners"),
    ),
    RoleSpec("reviewer", _("Reviewer"), 20, TLP.GREEN, _("Reviews fund applications")),
    RoleSpec("resident", _("Resident"), 10, TLP.CLEAR, _("Takes part in town halls and proposals")),
)
ROLE_SLUGS = frozenset(spec.slug for spec in DEFAULT_ROLES)


def default_role_name(slug: str, stored_name: str) -> str:
    """A default role's name in the reader's language, unless an admin renamed it."""
    spec = next((spec for spec in DEFAULT_ROLES if spec.slug == slug), None)
    if spec is not None:
        with translation.override("en"):
            english = str(spec.name)
        if stored_name == english:
            return str(spec.name)
    return stored_name
