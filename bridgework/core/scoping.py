"""The scoped queryset: the only way views and the API read place-scoped records.

The *decision* of who may do what where lives in :mod:`bridgework.access.policy`; this module
only turns that decision (a :class:`Scope`) into SQL. ``access`` registers its decider when the
app registry is ready, so this bottom layer never imports the layers above it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from .paths import collapse_nested, subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

__all__ = ["Grant", "Scope", "ScopedQuerySet", "register_scope_decider", "scope_for"]


@dataclass(frozen=True)
class Grant:
    """Rows under ``path`` at sensitivity labels up to ``ceiling`` (a TLP value)."""

    path: str
    ceiling: int


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.grants

    def as_q(self, path_field: str, tlp_field: str | None) -> Q:
        if self.is_empty:
            return Q(pk__in=[])
        if tlp_field is None:
            paths = collapse_nested({grant.path for grant in self.grants})
            return _or(subtree_q(path_field, path) for path in paths)
        by_ceiling: dict[int, set[str]] = {}
        for grant in self.grants:
            by_ceiling.setdefault(grant.ceiling, set()).add(grant.path)
        return _or(
            _or(subtree_q(path_field, path) for path in collapse_nested(paths))
            & Q(**{f"{tlp_field}__lte": ceiling})
            for ceiling, paths in sorted(by_ceiling.items())
        )


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
    """Models using this queryset declare ``scope_path_field`` and, when they carry a TLP
    label, ``scope_tlp_field``."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser | None, action: str = "view"):
        """Only rows inside the place subtrees where ``user`` holds a role granting ``action``
        on this model, at sensitivity labels that role may read."""
        scope = scope_for(user, action, self.model)
        path_field = self.model.scope_path_field  # type: ignore[attr-defined]
        tlp_field = getattr(self.model, "scope_tlp_field", None)
        return self.filter(scope.as_q(path_field, tlp_field))

    def in_subtree(self, path: str):
        return self.filter(subtree_q(self.model.scope_path_field, path))  # type: ignore[attr-defined]
