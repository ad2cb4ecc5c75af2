"""Bridgework modules: apps whose pieces the platform finds by convention.

A module is a Django app whose ``AppConfig`` subclasses :class:`ModuleConfig`. Adding one to
``INSTALLED_APPS`` is the only edit outside its folder: the platform looks inside it for

====================  =======================================================================
``urls.py``           ``urlpatterns`` (and ``app_name``), mounted at ``ModuleConfig.url_prefix``
``api.py``            ``router``, a ninja ``Router`` added to the one API
``policy.py``         ``RULES`` (role slug → model label → actions) and ``OWN_ACTIONS`` (the
                      module's own actions beyond view/add/change/delete/export/history)
``demo.py``           ``load()``, called by ``load_demo`` in ``INSTALLED_APPS`` order
``notifications.py``  ``KINDS``, the :class:`~bridgework.notifications.kinds.NotificationKind`
                      values ``notify()`` accepts and the preferences page lists
``periodic.py``       ``JOBS``, :class:`~bridgework.core.periodic.PeriodicJob` values the
                      ``scheduler`` command enqueues once per period
``reference.py``      ``seed()``, which creates the module's missing reference rows (themes,
                      categories) after every ``migrate`` and every test flush
``search.py``         ``FINDABLES``, :class:`~bridgework.web.search.Findable` values: the lists
                      the site search reads and a place's page shows ("here and below")
``home.py``           ``SECTIONS`` (:class:`HomeSection`) the home page shows to whoever has
                      something in them, and ``STEPS`` (:class:`StartStep`), the first steps
                      it offers a newcomer who may take them
====================  =======================================================================

and reads ``ModuleConfig.navigation`` for the entries of the main menu. None of the files is
required; a module without pages simply has no ``urls.py``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps
from django.urls import get_script_prefix, get_urlconf, reverse

__all__ = [
    "HomeSection",
    "ModuleConfig",
    "NavEntry",
    "ReaderCount",
    "StartStep",
    "home_sections",
    "module_parts",
    "modules",
    "navigation",
    "reader_counts",
    "seed_reference_data",
    "start_steps",
]


@dataclass(frozen=True)
class ReaderCount:
    """How many rows of ``model`` (an app label and model name) name the reader in the
    relation ``reader`` and have nothing yet in ``unset``: their unread notifications. A menu
    entry's count of this kind is read with the reader's session, in the statement every
    signed-in page starts with (``access.requests``), rather than by a statement of its own."""

    model: str
    reader: str
    unset: str


@dataclass(frozen=True)
class NavEntry:
    """One entry of the main menu.

    ``current_when`` holds URL names or shell-style patterns of them (``actors:person_*``,
    ``places:*``) that mark the entry as the current page (by default: its own URL name).
    ``needs`` (action, model label) hides the entry from people who may do that action on
    that model nowhere. ``badge`` (dotted path of ``f(request) -> int``) adds a count, such as
    unread notifications, shown when it is not zero; ``count`` (a :class:`ReaderCount`) is such a
    count read with the session. ``within`` (the URL name of another
    entry) lists the entry under that one, in the section menu its pages show, instead of in
    the main menu (which stays short); when that entry is hidden from the reader, this one
    takes its place in the main menu. ``area``: "main" (the main menu), "personal" (beside the
    reader's name: their inbox and account) or "help" (the footer)."""

    label: Any
    url_name: str
    order: int = 100
    current_when: tuple[str, ...] = ()
    needs: tuple[str, str] | None = None
    badge: str = ""
    count: ReaderCount | None = None
    within: str = ""
    area: str = "main"

    def is_current(self, view_name: str) -> bool:
        marks = self.current_when or (self.url_name,)
        return any(fnmatchcase(view_name, mark) for mark in marks)

    @property
    def url(self) -> str:
        """The entry's address (every page prints each entry's: reversed once per name)."""
        return _reversed(self.url_name, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=512)
def _reversed(url_name: str, _prefix: str, _urlconf: Any) -> str:
    return reverse(url_name)


@dataclass(frozen=True)
class HomeSection:
    """One section of the home page: ``context(request)`` returns what ``template`` shows, or
    None when it has nothing for this reader (the section is then left out, so a resident
    never meets an empty "My actions")."""

    order: int
    template: str
    context: Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class StartStep:
    """A first step the home page offers until the reader puts the steps away: to readers who
    may do ``needs`` (action, model label) somewhere, and not ``unless`` (a step that does
    more has taken its place). ``url(request)`` (or ``url_name``) is where it leads; a step
    whose ``url`` returns None is left out."""

    order: int
    label: Any
    description: Any
    url_name: str = ""
    url: Callable[[Any], str | None] | None = None
    needs: tuple[str, str] | None = None
    unless: tuple[str, str] | None = None


class ModuleConfig(AppConfig):
    """The ``AppConfig`` of a Bridgework module (see the module docstring).

    Subclass it as ``modules.ModuleConfig`` (``from bridgework.core import modules``): Django
    picks the one ``AppConfig`` class an ``apps.py`` defines, and a second one imported by
    name would make the choice ambiguous."""

    url_prefix: str = ""
    navigation: tuple[NavEntry, ...] = ()

    def part(self, name: str) -> ModuleType | None:
        """The module's ``name`` submodule (``urls``, ``api``, ``policy``…), if it has one."""
        dotted = f"{self.name}.{name}"
        try:
            found = importlib.util.find_spec(dotted)
        except ModuleNotFoundError:
            return None
        return importlib.import_module(dotted) if found is not None else None


def modules() -> list[ModuleConfig]:
    """Installed Bridgework modules, in ``INSTALLED_APPS`` order (dependencies first)."""
    return [config for config in apps.get_app_configs() if isinstance(config, ModuleConfig)]


def module_parts(name: str) -> list[tuple[ModuleConfig, ModuleType]]:
    """Each module's ``name`` submodule, for the modules that have one."""
    found = []
    for config in modules():
        part = config.part(name)
        if part is not None:
            found.append((config, part))
    return found


def navigation() -> list[NavEntry]:
    """Every module's menu entries, in menu order."""
    entries = [entry for config in modules() for entry in config.navigation]
    return sorted(entries, key=lambda entry: entry.order)


def reader_counts() -> tuple[ReaderCount, ...]:
    """The counts the menu's entries show, each once, in a fixed order."""
    counts = {entry.count for entry in navigation() if entry.count is not None}
    return tuple(sorted(counts, key=lambda count: (count.model, count.reader, count.unset)))


def home_sections() -> list[HomeSection]:
    """Every module's home page sections, in page order."""
    found = [
        section for _c, part in module_parts("home") for section in getattr(part, "SECTIONS", ())
    ]
    return sorted(found, key=lambda section: section.order)


def start_steps() -> list[StartStep]:
    """Every module's first steps, in the order they are offered."""
    found = [step for _c, part in module_parts("home") for step in getattr(part, "STEPS", ())]
    return sorted(found, key=lambda step: step.order)


def seed_reference_data(**_kwargs) -> None:
    """Run every module's ``reference.seed()`` (missing rows only, never an edit or a delete).

    Connected to ``post_migrate``: a data migration runs once, but a flushed database (test
    runs that serve pages from another thread) needs its vocabularies back too."""
    for _config, part in module_parts("reference"):
        part.seed()
