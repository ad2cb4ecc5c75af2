"""Who may do what where: the one place that decides.

The policy is a table of role × action × model (:class:`~bridgework.access.models.PolicyRule`).
A user's reach is the union of their active role assignments: each grants the role's actions on
the place subtree of the assignment (or of every place of a regional hub), at sensitivity
labels up to the role's read ceiling. :func:`decide_scope` turns that into a
:class:`~bridgework.core.scoping.Scope` that ``ScopedQuerySet.visible_to`` applies.

``DEFAULT_ROLES`` and ``DEFAULT_RULES`` seed the table after every migration (missing rows
only), so a fresh database is usable and a new module's rules arrive with its migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.core.paths import subtree_bounds
from bridgework.core.scoping import Grant, Scope
from bridgework.core.tlp import SENSITIVE_FROM, TLP

__all__ = [
    "ACTIONS",
    "DEFAULT_ROLES",
    "DEFAULT_RULES",
    "UserAccess",
    "access_for",
    "assignable_roles",
    "can",
    "decide_scope",
    "forget_access",
    "log_sensitive_reads",
    "model_label",
    "places_for",
    "sync_default_policy",
    "tlp_choices_for",
]

VIEW, ADD, CHANGE, DELETE, EXPORT, HISTORY = "view", "add", "change", "delete", "export", "history"
ACTIONS = (VIEW, ADD, CHANGE, DELETE, EXPORT, HISTORY)
READS_UPWARD = frozenset({VIEW, HISTORY, EXPORT})
EVERY_MODEL = "*"


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

_READ = (VIEW, HISTORY)
_WRITE = (VIEW, ADD, CHANGE, DELETE, EXPORT, HISTORY)

# role slug -> {model label -> actions}
# Beyond the CRUD actions: "view_contacts" (a person's contact details), "export_personal" and
# "erase" (data-protection requests on a person).
ACTORS = ("actors.organisation", "actors.person", "actors.post")
BODIES = (
    "bodies.body",
    "bodies.seat",
    "bodies.meeting",
    "bodies.attendance",
    "bodies.decision",
    "bodies.actionitem",
    "bodies.actionupdate",
)
PERSONAL = ("view_contacts", "export_personal", "erase")


def _each(labels: tuple[str, ...], actions: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {label: actions for label in labels}


DEFAULT_RULES: dict[str, dict[str, tuple[str, ...]]] = {
    "network_admin": {EVERY_MODEL: _WRITE + PERSONAL},
    "hub_officer": {
        "places.place": _READ + (EXPORT,),
        "places.networkmembership": _WRITE,
        "access.roleassignment": (VIEW, ADD, CHANGE, DELETE),
        **_each(ACTORS + BODIES, _READ + (EXPORT,)),
    },
    "national_coordinator": {
        "places.place": _WRITE,
        "places.networkmembership": _WRITE,
        "access.roleassignment": (VIEW, ADD, CHANGE, DELETE, HISTORY),
        **_each(ACTORS + BODIES, _WRITE),
        "actors.person": _WRITE + PERSONAL,
    },
    "local_coordinator": {
        "places.place": (VIEW, ADD, CHANGE, EXPORT, HISTORY),
        "places.networkmembership": _READ,
        "access.roleassignment": (VIEW, ADD, CHANGE, DELETE),
        **_each(ACTORS + BODIES, _WRITE),
        "actors.person": _WRITE + ("view_contacts",),
    },
    "partner": {
        "places.place": (VIEW,),
        "places.networkmembership": (VIEW,),
        **_each(ACTORS + BODIES, (VIEW,)),
        "bodies.actionitem": (VIEW, CHANGE),
        "bodies.actionupdate": (VIEW, ADD),
    },
    "reviewer": {"places.place": (VIEW,), "actors.organisation": (VIEW,)},
    "resident": {"places.place": (VIEW,), "actors.organisation": (VIEW,), "bodies.body": (VIEW,)},
}


def default_role_name(slug: str, stored_name: str) -> str:
    """A default role's name in the reader's language, unless an admin renamed it."""
    spec = next((spec for spec in DEFAULT_ROLES if spec.slug == slug), None)
    if spec is not None and stored_name == _english(spec.name):
        return str(spec.name)
    return stored_name


def _english(text) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(text)


def model_label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def sync_default_policy(**_kwargs) -> None:
    """Create the default roles and rules that are missing; never remove a row."""
    from .models import PolicyRule, Role

    roles = {}
    for spec in DEFAULT_ROLES:
        role, _created = Role.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": str(spec.name),
                "rank": spec.rank,
                "tlp_ceiling": spec.tlp_ceiling,
                "description": str(spec.description),
            },
        )
        roles[spec.slug] = role
    existing = set(PolicyRule.objects.values_list("role__slug", "action", "model_label"))
    missing = [
        PolicyRule(role=roles[slug], action=action, model_label=label)
        for slug, table in DEFAULT_RULES.items()
        for label, actions in table.items()
        for action in actions
        if (slug, action, label) not in existing
    ]
    PolicyRule.objects.bulk_create(missing)


@dataclass(frozen=True)
class HeldRole:
    """One active assignment, resolved to the paths it covers."""

    assignment_id: int
    role_id: int
    role_slug: str
    role_name: str
    rank: int
    ceiling: int
    place_name: str
    paths: tuple[str, ...]


class UserAccess:
    """A user's active assignments and rules, loaded once per request (two queries)."""

    def __init__(self, user) -> None:
        from .models import PolicyRule, RoleAssignment

        assignments = (
            RoleAssignment.objects.active_on(timezone.localdate())
            .filter(user=user)
            .select_related("role", "place", "hub")
            .prefetch_related("hub__places")
        )
        self.held: list[HeldRole] = []
        for assignment in assignments:
            if assignment.hub_id:
                paths = tuple(place.path for place in assignment.hub.places.all())
                where = assignment.hub.name
            else:
                paths = (assignment.place_path,)
                where = assignment.place.name
            self.held.append(
                HeldRole(
                    assignment.pk,
                    assignment.role_id,
                    assignment.role.slug,
                    assignment.role.display_name,
                    assignment.role.rank,
                    assignment.role.tlp_ceiling,
                    where,
                    paths,
                )
            )
        role_ids = {held.role_id for held in self.held}
        self.rules: dict[int, set[tuple[str, str]]] = {role_id: set() for role_id in role_ids}
        for role_id, action, label in PolicyRule.objects.filter(role_id__in=role_ids).values_list(
            "role_id", "action", "model_label"
        ):
            self.rules[role_id].add((action, label))

    def allows(self, held: HeldRole, action: str, label: str) -> bool:
        rules = self.rules.get(held.role_id, ())
        return (action, label) in rules or (action, EVERY_MODEL) in rules

    def grants(self, action: str, label: str) -> list[tuple[HeldRole, str]]:
        return [
            (held, path)
            for held in self.held
            if self.allows(held, action, label)
            for path in held.paths
        ]

    def scope(self, action: str, label: str) -> Scope:
        grants = self.grants(action, label)
        # Reads reach the shareable records of the places above one's own (GREEN: "the
        # network"); writes never leave one's subtree.
        ancestor_ceiling = (
            min(TLP.GREEN, max(held.ceiling for held, _path in grants))
            if grants and action in READS_UPWARD
            else None
        )
        return Scope(tuple(Grant(path, held.ceiling) for held, path in grants), ancestor_ceiling)


def access_for(user) -> UserAccess | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_bridgework_access", None)
    if cached is None:
        cached = UserAccess(user)
        user._bridgework_access = cached
    return cached


def forget_access(user) -> None:
    """Drop the cached access of ``user`` (after their assignments change)."""
    if hasattr(user, "_bridgework_access"):
        del user._bridgework_access


def decide_scope(user, action: str, model: type[models.Model]) -> Scope:
    access = access_for(user)
    if access is None:
        return Scope()
    return access.scope(action, model_label(model))


def can(user, action: str, model: type[models.Model], place=None) -> bool:
    """Whether ``user`` may do ``action`` on ``model`` somewhere (or at ``place``)."""
    access = access_for(user)
    if access is None:
        return False
    for _held, path in access.grants(action, model_label(model)):
        if place is None:
            return True
        low, high = subtree_bounds(path)
        if low <= place.path < high:
            return True
    return False


def places_for(user, action: str, model: type[models.Model]):
    """Places where ``user`` may do ``action`` on ``model``: the choices a form offers."""
    from bridgework.places.models import Place

    scope = decide_scope(user, action, model)
    return Place.objects.filter(scope.as_q("path", None))


def tlp_choices_for(user, action: str, model: type[models.Model]) -> list[tuple[int, Any]]:
    """The labels ``user`` may give a record: never above what they could read back."""
    access = access_for(user)
    if access is None:
        return []
    ceiling = max(
        (held.ceiling for held, _path in access.grants(action, model_label(model))), default=-1
    )
    return [(value, label) for value, label in TLP.choices if value <= ceiling]


def assignable_roles(user, place) -> models.QuerySet:
    """Roles ``user`` may assign at ``place``: inside their subtree, no higher than their role."""
    from .models import Role, RoleAssignment

    access = access_for(user)
    if access is None or place is None:
        return Role.objects.none()
    label = model_label(RoleAssignment)
    ranks = [
        held.rank
        for held, path in access.grants(ADD, label)
        if subtree_bounds(path)[0] <= place.path < subtree_bounds(path)[1]
    ]
    if not ranks:
        return Role.objects.none()
    return Role.objects.filter(rank__lte=max(ranks))


def log_sensitive_reads(user, objects: Iterable[models.Model], channel: str = "page") -> int:
    """Record every AMBER/RED record among ``objects`` as read by ``user`` (one insert)."""
    from .models import SensitiveRead

    rows = []
    for obj in objects:
        tlp = getattr(obj, "tlp", None)
        if tlp is not None and tlp >= SENSITIVE_FROM:
            rows.append(
                SensitiveRead(
                    user_id=user.pk,
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=str(obj.pk),
                    tlp=tlp,
                    channel=channel,
                )
            )
    SensitiveRead.objects.bulk_create(rows)
    return len(rows)
