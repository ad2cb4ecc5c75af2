"""Notification kinds: what a module tells people, declared as data.

Each module lists its kinds in ``notifications.py`` as ``KINDS = [NotificationKind(...)]``
(found with :func:`bridgework.core.modules.module_parts`). ``render`` is called at delivery,
inside ``translation.override(<the recipient's language>)``, with the record and the
``context`` given to :func:`~bridgework.notifications.actions.notify`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model

from bridgework.core.modules import module_parts

from .models import EmailMode

__all__ = ["Message", "NotificationKind", "absolute_url", "kinds"]


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    url: str  # a path such as "/bodies/actions/3/"; absolute links are built from settings.SITE_URL


@dataclass(frozen=True)
class NotificationKind:
    """``still_applies(record, context)``, when given, is asked at delivery: False drops the
    notification for everyone (an overdue reminder for an item finished in the meantime)."""

    name: str  # "bodies.action_assigned"
    label: Any  # for the preferences page: "An action is assigned to you or your organisation"
    # render(record, context, reader): reader is the recipient (None for an address without
    # an account); name related records through access.policy.sight_for(reader) / named_for.
    render: Callable[[Model, dict[str, Any], Any], Message]
    default_email: str = EmailMode.IMMEDIATE  # "immediate" | "digest" | "off"
    still_applies: Callable[[Model, dict[str, Any]], bool] | None = None

    def __post_init__(self) -> None:
        if self.default_email not in EmailMode.values:
            raise ValueError(f"{self.name}: default_email must be one of {EmailMode.values}")


def kinds() -> dict[str, NotificationKind]:
    """Every module's ``notifications.KINDS`` by name, in ``INSTALLED_APPS`` order."""
    found: dict[str, NotificationKind] = {}
    for config, part in module_parts("notifications"):
        for kind in getattr(part, "KINDS", ()):
            if kind.name in found:
                raise ValueError(f"{config.name}.notifications repeats the kind {kind.name!r}")
            found[kind.name] = kind
    return found


def absolute_url(path: str) -> str:
    """The address of ``path`` for someone reading an email."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path
