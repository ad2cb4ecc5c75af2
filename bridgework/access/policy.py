"""Who may do what where: the one place that decides.

The policy is a table of role × action × model (:class:`~bridgework.access.models.PolicyRule`).
A user's reach is the union of their active role assignments: each grants the role's actions on
the place subtree of the assignment (or of every place of a regional hub), at sensitivity
labels up to the role's read ceiling. :func:`decide_scope` turns that into a
:class:`~bridgework.core.scoping.Scope` that ``ScopedQuerySet.visible_to`` applies, and
:func:`access_record` is the one way a page or an endpoint fetches a single record.

This module names no domain model. Each module declares its default rules and its own actions
in its ``policy.py`` (see :mod:`bridgework.core.modules`); :func:`sync_default_policy` collects
them after every migration (missing rows only), so a new module's rules arrive with it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from bridgework.core.kept import KeptTexts
from bridgework.core.modules import module_parts
from bridgework.core.paths import subtree_bounds
from bridgework.core.plain_writes import insert_rows
from bridgework.core.scoping import (
    Grant,
    Scope,
    ScopedQuerySet,
    admits,
    part_parent,
    rule_is_plain,
)
from bridgework.core.tlp import SENSITIVE_FROM, TLP

from .models import (
    EPOCH_READ_WITH_USER,
    AccessEpoch,
    PolicyRule,
    Role,
    RoleAssignment,
    SensitiveRead,
)
from .roles import (
    ACTIONS,
    ADD,
    CHANGE,
    DEFAULT_ROLES,
    DELETE,
    EVERY_ACTION,
    EVERY_MODEL,
    HISTORY,
    READS_UPWARD,
    ROLE_SLUGS,
    VIEW,
    default_role_name,
)

__all__ = [
    "ACTIONS",
    "acts_beyond_viewing",
    "UserAccess",
    "access_for",
    "access_record",
    "assignable_roles",
    "can",
    "decide_scope",
    "declared_actions",
    "default_rules",
    "forget_access",
    "forget_kept_access",
    "holds_role_at",
    "log_sensitive_reads",
    "model_label",
    "permits",
    "parents_for",
    "permits_add",
    "places_for",
    "roles_allowed",
    "scoped_prefetch",
    "named_for",
    "sight_for",
    "HIDDEN",
    "RecordingSight",
    "Sight",
    "sync_default_policy",
    "tlp_choices_for",
]

RuleTable = dict[str, dict[str, tuple[str, ...]]]

# The access module's own rules (every module declares its own in its policy.py).
OWN_ACTIONS: dict[str, Any] = {}
ACCESS_MODEL_ACTIONS = (VIEW, ADD, CHANGE, DELETE)
RULES: RuleTable = {
    "network_admin": {EVERY_MODEL: EVERY_ACTION},
    "hub_officer": {"access.roleassignment": ACCESS_MODEL_ACTIONS},
    "national_coordinator": {"access.roleassignment": (*ACCESS_MODEL_ACTIONS, HISTORY)},
    "local_coordinator": {"access.roleassignment": ACCESS_MODEL_ACTIONS},
}


def declared_actions() -> dict[str, Any]:
    """Every action beyond the standard six, with its description, from each module's
    ``policy.OWN_ACTIONS``."""
    found: dict[str, Any] = {}
    for _config, part in module_parts("policy"):
        found.update(getattr(part, "OWN_ACTIONS", {}))
    return found


def default_rules() -> RuleTable:
    """The modules' ``policy.RULES`` merged: role slug → model label → actions.

    ``EVERY_ACTION`` expands to the six standard actions and every declared one. A rule for a
    role that does not exist is a programming error and says so."""
    every = (*ACTIONS, *declared_actions())
    merged: dict[str, dict[str, set[str]]] = {}
    for config, part in module_parts("policy"):
        for slug, table in getattr(part, "RULES", {}).items():
            if slug not in ROLE_SLUGS:
                raise ValueError(f"{config.name}.policy names an unknown role {slug!r}")
            for label, actions in table.items():
                expanded = every if tuple(actions) == EVERY_ACTION else actions
                merged.setdefault(slug, {}).setdefault(label, set()).update(expanded)
    return {
        slug: {label: tuple(sorted(actions)) for label, actions in table.items()}
        for slug, table in merged.items()
    }


def model_label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def sync_default_policy(**_kwargs) -> None:
    """Create the default roles and rules that are missing; never remove a row."""
    roles = {}
    # Stored in English whatever language is active (a test's flush may run in French): the
    # reader's language is applied when a default role is shown (roles.default_role_name).
    with translation.override("en"):
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
        for slug, table in default_rules().items()
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
    role_stored_name: str
    rank: int
    ceiling: int
    place_name: str
    paths: tuple[str, ...]

    @property
    def role_name(self) -> str:
        """In the reader's language (the cache holds the stored name, not a translation)."""
        return default_role_name(self.role_slug, self.role_stored_name)


class UserAccess:
    """A user's active assignments and rules: read from the database (two or three queries)
    when their cached copy is missing or stale, else from the cache (:func:`access_for`)."""

    def __init__(self, held: list[HeldRole], rules: dict[int, set[tuple[str, str]]]) -> None:
        self.held = held
        self.rules = rules
        self._scopes: dict[tuple[str, str], Scope] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"held": self.held, "rules": self.rules}  # scopes are rebuilt per process

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["held"], state["rules"])  # type: ignore[misc]

    @classmethod
    def load(cls, user, day) -> UserAccess:
        assignments = (
            RoleAssignment.objects.active_on(day)
            .filter(user=user)
            .select_related("role", "place", "hub")
            .prefetch_related("hub__places")
        )
        held: list[HeldRole] = []
        for assignment in assignments:
            if assignment.hub_id:
                paths = tuple(place.path for place in assignment.hub.places.all())
                where = assignment.hub.name
            else:
                paths = (assignment.place_path,)
                where = assignment.place.name
            held.append(
                HeldRole(
                    assignment.pk,
                    assignment.role_id,
                    assignment.role.slug,
                    assignment.role.name,
                    assignment.role.rank,
                    assignment.role.tlp_ceiling,
                    where,
                    paths,
                )
            )
        role_ids = {h.role_id for h in held}
        rules: dict[int, set[tuple[str, str]]] = {role_id: set() for role_id in role_ids}
        for role_id, action, label in PolicyRule.objects.filter(role_id__in=role_ids).values_list(
            "role_id", "action", "model_label"
        ):
            rules[role_id].add((action, label))
        return cls(held, rules)

    def allows(self, held: HeldRole, action: str, label: str) -> bool:
        rules = self.rules.get(held.role_id, ())
        return (action, label) in rules or (action, EVERY_MODEL) in rules

    def may(self, action: str, label: str) -> bool:
        """Whether a role held grants ``action`` on records labelled ``label`` somewhere."""
        return bool(self.grants(action, label))

    def grants(self, action: str, label: str) -> list[tuple[HeldRole, str]]:
        return [
            (held, path)
            for held in self.held
            if self.allows(held, action, label)
            for path in held.paths
        ]

    def scope(self, action: str, label: str) -> Scope:
        key = (action, label)
        if key not in self._scopes:
            self._scopes[key] = self._scope(action, label)
        return self._scopes[key]

    def _scope(self, action: str, label: str) -> Scope:
        grants = self.grants(action, label)
        # Reads reach the shareable records of the places above one's own (GREEN: "the
        # network"); writes never leave one's subtree.
        ancestor_ceiling = (
            min(TLP.GREEN, max(held.ceiling for held, _path in grants))
            if grants and action in READS_UPWARD
            else None
        )
        return Scope(tuple(Grant(path, held.ceiling) for held, path in grants), ancestor_ceiling)


ACCESS_CACHE_SECONDS = 3600


def _access_key(user, day) -> str:
    """Changes whenever the cached access could be stale: the person's own version (their
    assignments), the global epoch (roles, rules, hubs, moved places) and the day (an
    assignment starts or ends on a date)."""
    epoch = AccessEpoch.read_for(user)
    return f"bw-access:{user.pk}:{user.access_version}:{epoch}:{day.isoformat()}"


# The access last read in this process, by the same key: the key changes whenever the access
# could (so a kept one is never stale), and keeping it spares unpickling it from the shared
# cache on every request and building its scopes again.
_kept_access: KeptTexts[UserAccess] = KeptTexts(limit=2048)


def access_for(user) -> UserAccess | None:
    """The user's access: kept on the user object for the request, and in the process and
    the cache between requests (one indexed read of the epoch instead of two or three
    joins)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_bridgework_access", None)
    if cached is None:
        day = timezone.localdate()
        key = _access_key(user, day)
        cached = _kept_access.get(key, None, lambda: _shared_access(key, user, day))
        user._bridgework_access = cached
    return cached


def _shared_access(key: str, user, day) -> UserAccess:
    cached = cache.get(key)
    if cached is None:
        cached = UserAccess.load(user, day)
        cache.set(key, cached, ACCESS_CACHE_SECONDS)
    return cached


def forget_kept_access() -> None:
    """Empty the access kept in this process. Only a database rolled back under it can give
    a key its old meaning back: tests call this each time they empty the shared cache."""
    _kept_access.clear()


def forget_access(user) -> None:
    """Drop the cached access (and what it let them see) of ``user``, after their
    assignments change."""
    for attribute in ("_bridgework_access", "_bridgework_sight", EPOCH_READ_WITH_USER):
        if hasattr(user, attribute):
            delattr(user, attribute)
    if getattr(user, "pk", None) is not None and hasattr(user, "access_version"):
        # The version in the database moved on (the assignment's signal); so does the key.
        fresh = type(user).objects.filter(pk=user.pk).values_list("access_version", flat=True)
        user.access_version = fresh.first() or 0


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
    if place is None:
        return access.may(action, model_label(model))
    for _held, path in access.grants(action, model_label(model)):
        low, high = subtree_bounds(path)
        if low <= place.path < high:
            return True
    return False


def acts_beyond_viewing(user) -> bool:
    """Whether ``user`` may do anything but look somewhere (add, change, export, a step of
    their own…). Personal API and calendar tokens are for them: someone who may only view
    reads the same pages in the browser, and has no use for a script's key. Nor has a
    resident, whose posts (participation) go through the pages and their limits."""
    access = access_for(user)
    if access is None:
        return False
    return any(
        action != VIEW
        for held in access.held
        if held.role_slug != "resident"
        for action, _label in access.rules.get(held.role_id, ())
    )


def holds_role_at(user, role_slugs: Iterable[str], path: str) -> bool:
    """Whether ``user`` holds one of ``role_slugs`` on a subtree that contains ``path``: what a
    workflow transition naming roles asks, beside the policy action on the record."""
    access = access_for(user)
    if access is None:
        return False
    wanted = set(role_slugs)
    for held in access.held:
        if held.role_slug in wanted:
            for granted in held.paths:
                low, high = subtree_bounds(granted)
                if low <= path < high:
                    return True
    return False


def places_for(user, action: str, model: type[models.Model]):
    """Places where ``user`` may do ``action`` on ``model``: the choices a form offers."""
    from bridgework.places.models import Place

    scope = decide_scope(user, action, model)
    return Place.objects.filter(scope.as_q("path", None))


def parents_for(user, action: str, model: type[models.Model], parents: models.QuerySet) -> Any:
    """Of ``parents`` (a scoped queryset of the records a new ``model`` record takes its place
    from: the bodies of a meeting), those ``user`` may see that lie where they may ``action`` a
    ``model``, at labels they may give it: the choices of a ``place_follows`` field."""
    scope = decide_scope(user, action, model)
    parent_model: Any = parents.model
    condition = scope.as_q(
        parent_model.scope_path_field, getattr(parent_model, "scope_tlp_field", None)
    )
    return _scoped(parents).visible_to(user, VIEW).filter(condition)


def roles_allowed(action: str, model: type[models.Model]) -> list[str]:
    """The names of the roles whose rules grant ``action`` on ``model`` (in the reader's
    language, most local first); the roles granting every action on every model (the network
    administrator) only when no other role has it."""
    rules = (
        PolicyRule.objects.filter(action=action, model_label__in=[model_label(model), EVERY_MODEL])
        .select_related("role")
        .order_by("role__rank", "role__slug")
    )
    named = [rule for rule in rules if rule.model_label != EVERY_MODEL] or list(rules)
    names: list[str] = []
    for rule in named:
        name = default_role_name(rule.role.slug, rule.role.name)
        if name not in names:
            names.append(name)
    return names


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
    now = timezone.now()
    rows = [
        (user.pk, ContentType.objects.get_for_model(obj).pk, str(obj.pk), tlp, channel, now)
        for obj in objects
        if (tlp := getattr(obj, "tlp", None)) is not None and tlp >= SENSITIVE_FROM
    ]
    return insert_rows(SensitiveRead, _SENSITIVE_READ_FIELDS, rows)


_SENSITIVE_READ_FIELDS = ("user_id", "content_type", "object_id", "tlp", "channel", "read_at")


# --- one record, one road ------------------------------------------------------------------------


def _scoped(source: type[models.Model] | models.QuerySet) -> Any:
    """A scoped queryset (``ScopedQuerySet``, or any queryset with ``visible_to``)."""
    if isinstance(source, models.QuerySet):
        return source
    return source._default_manager.all()


def access_record(
    user,
    source: type[models.Model] | models.QuerySet,
    pk: Any,
    action: str = VIEW,
    *,
    channel: str | None = None,
) -> Any:
    """The record ``pk`` of ``source`` (a model, or a queryset of one with its joins), for
    ``user`` to ``action``.

    Raises ``Http404`` when the user cannot see the record — exactly as if it did not exist —
    and ``PermissionDenied`` when they can see it but may not ``action`` it. With ``channel``
    (``"page"``, ``"api"``…), a read of an AMBER or RED record is logged."""
    queryset = _scoped(source)
    try:
        obj = queryset.visible_to(user, VIEW).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    if action != VIEW and not permits(user, action, obj):
        raise PermissionDenied
    if channel is not None:
        log_sensitive_reads(user, [obj], channel=channel)
    return obj


def permits(user, action: str, obj: models.Model) -> bool:
    """Whether ``user`` may ``action`` this saved record: the scoped queryset's answer (place,
    label and parent), never a shortcut that could disagree with it."""
    return bool(
        obj.pk is not None
        and _scoped(type(obj)).visible_to(user, action).filter(pk=obj.pk).exists()
    )


def permits_add(user, model: type[models.Model], *, parent: models.Model) -> bool:
    """Whether ``user`` may add a ``model`` record under ``parent`` (a meeting's decision, a
    body's seat): allowed at the parent's place, and the parent visible to them — the two
    conditions the scoped queryset checks when the new record is saved."""
    place = getattr(parent, "place", None)
    return can(user, ADD, model, place) and permits(user, VIEW, parent)


def scoped_prefetch(
    lookup: str,
    user,
    *,
    queryset: models.QuerySet | None = None,
    to_attr: str | None = None,
    action: str = VIEW,
    model: type[models.Model] | None = None,
) -> Prefetch:
    """A ``Prefetch`` of related records that holds only those ``user`` may ``action``.

    ``model`` is the related model when no ``queryset`` is given."""
    if queryset is None:
        if model is None:
            raise TypeError("scoped_prefetch needs a queryset or a model")
        queryset = model._default_manager.all()
    return Prefetch(lookup, queryset=_scoped(queryset).visible_to(user, action), to_attr=to_attr)


# --- related records: shown only to those who may see them ---------------------------------------

HIDDEN = gettext_lazy("a record you cannot see")


@functools.cache
def _rule_is_plain(model: type[models.Model]) -> bool:
    return rule_is_plain(model)


@functools.cache
def _part_parent(model: type[models.Model]) -> str | None:
    return part_parent(model)


@functools.cache
def _is_scoped_model(model: type[models.Model]) -> bool:
    """Whether ``model``'s records are scoped by place (once per model: a list page asks for
    every cell that names a record)."""
    return isinstance(model._default_manager.all(), ScopedQuerySet)


class Sight:
    """Which of the records a page, an export or an API answer *names* its reader may see.

    A seat is visible to someone who may not see the AMBER person holding it; the seat's page
    must then not print that person's name. Every label, link and column that renders a related
    record asks :meth:`shown` (the record, or :data:`HIDDEN`). Answers are remembered for the
    request, and :meth:`preload` asks for many records at once: one query per model, so a list
    costs the same for 1 row or 50."""

    def __init__(self, user) -> None:
        self.user = user
        self._seen: dict[tuple[type[models.Model], Any], bool] = {}

    @staticmethod
    def _scoped(obj: models.Model) -> bool:
        # Place-scoped records only. Platform users are named wherever what they did is
        # shown (who posted an update is part of the record), and vocabularies are public.
        return _is_scoped_model(type(obj))

    def preload(self, objects: Iterable[models.Model | None]) -> None:
        wanted: dict[type[models.Model], dict[Any, models.Model]] = {}
        seen = self._seen
        for obj in objects:
            if obj is None:
                continue
            model, pk = type(obj), obj.pk
            if pk is not None and (model, pk) not in seen and _is_scoped_model(model):
                wanted.setdefault(model, {})[pk] = obj
        for model, rows in wanted.items():
            asked = self._decide_loaded(model, rows)
            if not asked:
                continue
            manager: Any = model._default_manager
            readable = manager.visible_to(self.user, VIEW)
            visible = set(readable.filter(pk__in=asked).values_list("pk", flat=True))
            for pk in asked:
                self._seen[(model, pk)] = pk in visible

    def _decide_loaded(self, model: type[models.Model], rows: dict[Any, models.Model]) -> list:
        """Decides from their loaded columns (no query) the rows whose model's rule is plain
        (most of what a list names is a place or an organisation) and the parts of a parent
        loaded with them (an application's call and its fund); returns the keys left for
        SQL."""
        parent_field = _part_parent(model)
        if not _rule_is_plain(model) and parent_field is None:
            return list(rows)
        scope = decide_scope(self.user, VIEW, model)
        left = []
        parents: dict[Any, models.Model] = {}
        for pk, obj in rows.items():
            decided = admits(scope, obj)
            if parent_field is not None and decided:
                # A part is seen when its own place and its parent are (PartQuerySet's rule).
                parent = obj._state.fields_cache.get(parent_field)
                decided = None if parent is None else decided
                if parent is not None:
                    parents[pk] = parent
                    continue
            if decided is None:
                left.append(pk)
            else:
                self._seen[(model, pk)] = decided
        if parents:
            self.preload(parents.values())
            for pk, parent in parents.items():
                self._seen[(model, pk)] = self.sees(parent)
        return left

    def sees(self, obj: models.Model | None) -> bool:
        if obj is None:
            return True
        key = (type(obj), obj.pk)
        decided = self._seen.get(key)  # a list asks this of every record its cells name
        if decided is not None:
            return decided
        if not self._scoped(obj):
            return True
        self.preload([obj])
        return self._seen[key]

    def shown(self, obj: models.Model | None) -> Any:
        """``obj`` when the reader may see it, else the placeholder :data:`HIDDEN`."""
        return obj if self.sees(obj) else HIDDEN

    def name(self, obj: models.Model | None) -> str:
        return "" if obj is None else str(self.shown(obj))

    def ident(self, obj: models.Model | None) -> Any:
        """``obj``'s id when the reader may see it, else None: an id alone says that a record
        exists, and leads to it."""
        return obj.pk if obj is not None and self.sees(obj) else None


class RecordingSight(Sight):
    """Says yes to everything and notes what it was asked about: the first of two passes over
    a page's rows, so the second can ask about all of them in one query per model."""

    def __init__(self, user=None) -> None:
        super().__init__(user)
        self.asked: list[models.Model] = []

    def sees(self, obj: models.Model | None) -> bool:
        if obj is not None:
            self.asked.append(obj)
        return True


def named_for(reader, obj: models.Model | None) -> str:
    """A related record's name in a message to ``reader``; for a reader without an account
    (an email address), only the names of shareable records (CLEAR, GREEN)."""
    if obj is None:
        return ""
    if reader is not None:
        return sight_for(reader).name(obj)
    label = getattr(obj, getattr(obj, "scope_tlp_field", "") or "", TLP.CLEAR)
    return str(obj) if label <= TLP.GREEN else str(HIDDEN)


def sight_for(user) -> Sight:
    """The reader's :class:`Sight`, kept for the request (on the user object, like their
    access)."""
    cached = getattr(user, "_bridgework_sight", None)
    if cached is None:
        cached = Sight(user)
        if user is not None:
            user._bridgework_sight = cached
    return cached
