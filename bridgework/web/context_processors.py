"""What every page's shell needs: the signed-in user's roles and places, the main menu and,
on pages of a section with entries of its own, the section menu; the reader's own entries
(inbox, account) beside their name, and the help pages in the footer."""

import functools

from django.apps import apps
from django.utils.module_loading import import_string

from bridgework.access.policy import access_for, model_label
from bridgework.access.requests import counted
from bridgework.core.modules import navigation

__all__ = ["shell"]


def shell(request):
    user = getattr(request, "user", None)
    access = access_for(user) if user is not None else None
    if access is None:
        return {
            "held_roles": [],
            "menu": [],
            "section_menu": [],
            "personal_menu": [],
            "help_menu": [],
        }
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    shown = [
        entry
        for entry in navigation()
        if entry.needs is None or access.may(entry.needs[0], _label_lower(entry.needs[1]))
    ]
    shown_names = {entry.url_name for entry in shown}
    # An entry sits under the one it is declared within, unless the reader cannot see that one.
    sections: dict[str, list] = {}
    for entry in shown:
        if entry.within in shown_names:
            sections.setdefault(entry.within, []).append(entry)
    menu, section_menu = [], []
    areas: dict[str, list] = {"personal": [], "help": []}
    for entry in shown:
        if entry.within in shown_names:
            continue
        if entry.area in areas:
            areas[entry.area].append((entry, _current(entry, view_name), _badge(entry, request)))
            continue
        group = [entry, *sections.get(entry.url_name, ())]
        rows = [(each, _current(each, view_name), _badge(each, request)) for each in group]
        in_section = any(current for _each, current, _badge_count in rows)
        # aria-current: "page" on the page itself, "true" on its section's main entry.
        current = rows[0][1] or ("true" if in_section else "")
        menu.append((entry, current, sum(badge for _each, _current, badge in rows)))
        if in_section and len(rows) > 1:
            section_menu = rows
    return {
        "held_roles": access.held,
        "menu": menu,
        "section_menu": section_menu,
        "personal_menu": areas["personal"],
        "help_menu": areas["help"],
    }


def _current(entry, view_name: str) -> str:
    """The link's aria-current: "page" on the entry's own pages."""
    return "page" if entry.is_current(view_name) else ""


def _badge(entry, request) -> int:
    if entry.count is not None:
        return counted(request, entry.count)
    return int(import_string(entry.badge)(request) or 0) if entry.badge else 0


@functools.cache
def _label_lower(label: str) -> str:
    """A menu entry's model (``"funding.Grant"``) as the policy names it. The entries are
    asked of the access already read: through ``can()``, each check went through the request's
    lazy user again."""
    return model_label(apps.get_model(label))
