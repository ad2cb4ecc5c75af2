"""The scoped queryset: the only way views and the API read place-scoped records.

The *decision* of who may do what where lives in :mod:`bridgework.access.policy`; this module
only turns that decision (a :class:`Scope`) into SQL. ``access`` registers its decider when the
app registry is ready, so this bottom layer never imports the layers above it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache, reduce
from typing import TYPE_CHECKING, Any

from django.db import connections, models, router
from django.db.models import Q
from django.db.models.lookups import In
from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.where import AND, WhereNode

from .paths import (
    PathPrefix,
    ancestor_paths,
    collapse_nested,
    depth_of,
    subtree_q,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

__all__ = [
    "Grant",
    "PartQuerySet",
    "Scope",
    "ScopedQuerySet",
    "admits",
    "part_parent",
    "register_scope_decider",
    "rule_is_plain",
    "scope_for",
]


@dataclass(frozen=True)
class Grant:
    """Rows under ``path`` at sensitivity labels up to ``ceiling`` (a TLP value)."""

    path: str
    ceiling: int


@dataclass(frozen=True)
class Scope:
    """Subtrees the user reaches, and, for reads, how sensitive a record at one of the places
    *above* them may be and still be shown (``ancestor_ceiling``; None: not at all)."""

    grants: tuple[Grant, ...] = field(default_factory=tuple)
    ancestor_ceiling: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.grants

    def as_q(
        self,
        path_field: str,
        tlp_field: str | None,
        *,
        with_ancestors: bool = False,
        shared_path_field: str | None = None,
    ) -> Q:
        """Rows under the grants at their ceilings; for reads, also the shareable rows at the
        places above (``with_ancestors``) and those *shared at* a place that is one of the
        user's places or above them (``shared_path_field``: a need on a district's table is
        read by the district's cities, not only by the one that raised it)."""
        if self.is_empty:
            return Q(pk__in=[])
        if tlp_field is None:
            paths = collapse_nested({grant.path for grant in self.grants})
            below = _or(subtree_q(path_field, path) for path in paths)
        else:
            by_ceiling: dict[int, set[str]] = {}
            for grant in self.grants:
                by_ceiling.setdefault(grant.ceiling, set()).add(grant.path)
            below = _or(
                _or(subtree_q(path_field, path) for path in collapse_nested(paths))
                & Q(**{f"{tlp_field}__lte": ceiling})
                for ceiling, paths in sorted(by_ceiling.items())
            )
        if self.ancestor_ceiling is None or not (with_ancestors or shared_path_field):
            return below
        above = sorted({a for grant in self.grants for a in ancestor_paths(grant.path)})
        shareable = Q(**{f"{tlp_field}__lte": self.ancestor_ceiling}) if tlp_field else Q()
        result = below
        if with_ancestors and above:
            result |= Q(**{f"{path_field}__in": above}) & shareable
        if shared_path_field:
            own = sorted({grant.path for grant in self.grants})
            result |= Q(**{f"{shared_path_field}__in": above + own}) & shareable
        return result

    def admits(
        self,
        path: str | None,
        tlp: int | None,
        *,
        has_tlp: bool,
        with_ancestors: bool = False,
        shared_path: str | None = None,
        has_shared_path: bool = False,
    ) -> bool:
        """Whether one row with these values is among the rows :meth:`as_q` selects: the same
        rule in Python, for a record already loaded (a NULL compares false, as in SQL)."""
        if self.is_empty:
            return False
        # A path lies in the subtree ``subtree_bounds`` gives, [root, root's "/" made "0"),
        # exactly when it starts with the root: the only character from "/" up to "0" is "/".
        if path is not None:
            for grant in self.grants:
                if path.startswith(grant.path) and (
                    not has_tlp or (tlp is not None and tlp <= grant.ceiling)
                ):
                    return True
        if self.ancestor_ceiling is None or not (with_ancestors or has_shared_path):
            return False
        if has_tlp and (tlp is None or tlp > self.ancestor_ceiling):
            return False
        above = {a for grant in self.grants for a in ancestor_paths(grant.path)}
        if with_ancestors and path in above:
            return True
        own = {grant.path for grant in self.grants}
        return has_shared_path and shared_path is not None and shared_path in above | own


def _or(parts) -> Q:
    """OR of the parts; no parts means no rows."""
    items = list(parts)
    return reduce(operator.or_, items) if items else Q(pk__in=[])


ScopeDecider = Callable[[Any, str, type[models.Model]], Scope]
_decider: ScopeDecider | None = None


def register_scope_decider(decider: ScopeDecider) -> None:
    global _decider
    _decider = decider


def scope_for(user, action: str, model: type[models.Model]) -> Scope:
    """The registered decider's answer: which subtrees, at which labels."""
    if _decider is None:
        raise RuntimeError("no scope decider registered; is bridgework.access installed?")
    return _decider(user, action, model)


class ScopedQuerySet(models.QuerySet):
    """Models using this queryset declare ``scope_path_field``; when they carry a TLP label,
    ``scope_tlp_field``; and ``scope_reads_ancestors = True`` when their shareable records
    (TLP:GREEN and below) at places above a user should be readable by that user — the
    national ministry is part of a city's picture, a sibling city is not. A model whose
    records are also put *before* a place (a local need on the table of the level answering
    it) names that place's path in ``scope_shared_path_field``: its shareable records are then
    read by everyone at or below that place too."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser | None, action: str = "view"):
        """Only rows inside the place subtrees where ``user`` holds a role granting ``action``
        on this model, at sensitivity labels that role may read."""
        scope = scope_for(user, action, self.model)
        clause = _scope_clause(self.model, scope)  # type: ignore[arg-type]
        if clause is not None and _takes_clause(self):
            scoped = self._chain()  # type: ignore[attr-defined]
            scoped.query.get_initial_alias()  # counts the table's use, as a filter does
            # Its own copy of the clause's nodes, as a cloned query gets (the conditions in them
            # are never changed in place, and Django shares those between clones too).
            scoped.query.where.add(clause.clone(), AND)
            return scoped
        return self.filter(_scope_q(self.model, scope))

    def in_subtree(self, path: str):
        return self.filter(subtree_q(self.model.scope_path_field, path))  # type: ignore[attr-defined]


class PartQuerySet(ScopedQuerySet):
    """A part of a labelled parent: visible where the place rule allows it *and* the parent
    is visible. Models set ``scope_parent_field``.

    The parts read upward (``scope_reads_ancestors``) without a label of their own; the parent
    filter is what keeps an AMBER body's seats out of sight of someone who cannot read AMBER.

    A model whose rows are far fewer than its parents' sets ``scope_parent_per_part = True``:
    the parent is then asked about per part (``EXISTS`` on its key) rather than as ``parent IN
    (every parent the reader sees)``. SQLite builds that list in full first: the 20,000
    applications of a national reader, for a few hundred grants (9 ms a statement). Parts as
    many as their parents or more (an application's reviews, a body's seats) keep the list,
    which then costs less than a lookup per part (the review list: 16 ms with the list, 50 ms
    per part). PostgreSQL plans both as the same semi-join.
    """

    def visible_to(self, user, action: str = "view"):
        rows = super().visible_to(user, action)
        field = self.model.scope_parent_field  # type: ignore[attr-defined]
        parent = self.model._meta.get_field(field).related_model
        visible = parent._default_manager.visible_to(user, "view")
        if getattr(self.model, "scope_parent_per_part", False):
            return rows.filter(models.Exists(visible.filter(pk=models.OuterRef(field))))
        return rows.filter(**{f"{field}__in": visible})


def _scope_q(model: type[models.Model], scope: Scope) -> Q:
    """The scope as a condition on ``model``'s declared columns, led by the prefix condition
    its indexes can answer in order (:func:`_prefix_condition`) when there is one."""
    path_field, tlp_field, shared_path_field, with_ancestors = _scope_columns(model)
    condition = scope.as_q(
        path_field,
        tlp_field,
        with_ancestors=with_ancestors,
        shared_path_field=shared_path_field,
    )
    if shared_path_field is not None:
        return condition
    prefix = _prefix_condition(model, scope, with_ancestors=with_ancestors)
    return condition if prefix is None else Q(prefix) & condition


def _prefix_condition(model: type[models.Model], scope: Scope, *, with_ancestors: bool):
    """``PathPrefix(path, d) IN (the grants' paths, the places above them)`` when every grant
    of ``scope`` is at a depth ``d`` for which ``model`` declares an index led by that prefix
    (:func:`prefix_depths`); else None.

    It selects no row the scope does not: a row under a grant at depth ``d`` has that grant's
    path as its prefix, and a row at a place above has its own (shorter) path. Written beside
    the scope, it lets the database read a wide reader's rows from that index in the index's
    next columns' order: a country's organisations by name, 51 entries for a page, instead of
    every organisation in the country sorted (decision 0015).

    SQLite only: it reads each listed prefix in order and stops at a page. PostgreSQL reads
    every entry of an ``IN`` list and sorts them, and weighs its own plans (it walks the name
    index for a wide reader); the condition only added planning time there."""
    if scope.is_empty or connections[router.db_for_read(model)].vendor != "sqlite":
        return None
    path_field = model.scope_path_field  # type: ignore[attr-defined]
    paths = collapse_nested({grant.path for grant in scope.grants})
    depths = {depth_of(path) for path in paths}
    if len(depths) != 1 or (depth := depths.pop()) not in prefix_depths(model):
        return None
    keys = set(paths)
    if with_ancestors and scope.ancestor_ceiling is not None:
        keys.update(above for path in paths for above in ancestor_paths(path))
    return In(PathPrefix(path_field, depth), sorted(keys))


@cache
def prefix_depths(model: type[models.Model]) -> frozenset[int]:
    """The depths ``d`` for which ``model`` declares an index whose first expression is
    ``PathPrefix(<its scope path field>, d)``."""
    path_field = getattr(model, "scope_path_field", None)
    found = set()
    for index in model._meta.indexes:
        first = index.expressions[0] if index.expressions else None
        if isinstance(first, PathPrefix):
            (argument,) = first.get_source_expressions()
            if getattr(argument, "name", None) == path_field:
                found.add(first.depth)
    return frozenset(found)


@lru_cache(maxsize=4096)
def _scope_clause(model: type[models.Model], scope: Scope) -> WhereNode | None:
    """The scope's condition as the ORM resolves it on ``model``'s own table, built once per
    model and scope (scopes are values, kept with each reader's cached access): resolving it
    cost each list a third of a millisecond, as much as the database's whole answer to a small
    page. None when the condition reaches another table (a join cannot be shared)."""
    query = models.QuerySet(model).filter(_scope_q(model, scope)).query
    if set(query.alias_map) != {model._meta.db_table}:
        return None
    return query.where


def _takes_clause(queryset: models.QuerySet) -> bool:
    """Whether adding a resolved scope clause to ``queryset`` is what ``filter`` would do: its
    table is its only one, under its own name, and nothing makes ``filter`` refuse or defer
    (a slice, a union, a filter held for a related manager)."""
    query = queryset.query
    if query.is_sliced or query.combinator or queryset._defer_next_filter:  # type: ignore[attr-defined]
        return False
    table = queryset.model._meta.db_table
    return all(alias == table for alias in query.alias_map) and (
        not query.alias_map or isinstance(query.alias_map[table], BaseTable)
    )


def _rule_is(model: type[models.Model], rule: type[ScopedQuerySet]) -> bool:
    """Whether ``model``'s ``visible_to`` is ``rule``'s own, with no manager filtering first."""
    manager: Any = model._default_manager
    queryset_class = type(manager.all())
    return (
        issubclass(queryset_class, rule)
        and queryset_class.visible_to is rule.visible_to
        and "get_queryset" not in vars(type(manager))
        and not manager.all().query.has_filters()
    )


def rule_is_plain(model: type[models.Model]) -> bool:
    """Whether ``model``'s ``visible_to`` is :class:`ScopedQuerySet`'s own rule, with nothing
    narrowing it (a part's parent, a role's condition) and no manager filtering first: then
    :func:`admits` can decide a loaded row in Python."""
    return _rule_is(model, ScopedQuerySet)


def part_parent(model: type[models.Model]) -> str | None:
    """The parent field of a model whose ``visible_to`` is :class:`PartQuerySet`'s own rule,
    with nothing else narrowing it: its row is seen when :func:`admits` lets it in and its
    parent is seen. None for any other model."""
    if _rule_is(model, PartQuerySet):
        return model.scope_parent_field  # type: ignore[attr-defined]
    return None


def admits(scope: Scope, obj: models.Model) -> bool | None:
    """Whether ``obj`` is among the rows ``visible_to`` gives for ``scope`` (the user's scope
    for its model), decided from the row's own columns; None when one of them was not loaded.
    Only for models whose rule is plain (:func:`rule_is_plain`)."""
    path_field, tlp_field, shared, with_ancestors = _scope_columns(type(obj))
    loaded = vars(obj)
    if (
        path_field not in loaded
        or (tlp_field and tlp_field not in loaded)
        or (shared and shared not in loaded)
    ):
        return None
    return scope.admits(
        loaded[path_field],
        loaded[tlp_field] if tlp_field else None,
        has_tlp=tlp_field is not None,
        with_ancestors=with_ancestors,
        shared_path=loaded[shared] if shared else None,
        has_shared_path=shared is not None,
    )


@cache
def _scope_columns(model: type[models.Model]) -> tuple[str, str | None, str | None, bool]:
    """A scoped model's path, label and shared-path fields, and whether it reads upwards, read
    from the class once: its condition (:func:`_scope_q`) and :func:`admits` are written from
    them."""
    return (
        model.scope_path_field,  # type: ignore[attr-defined]
        getattr(model, "scope_tlp_field", None),
        getattr(model, "scope_shared_path_field", None),
        getattr(model, "scope_reads_ancestors", False),
    )
