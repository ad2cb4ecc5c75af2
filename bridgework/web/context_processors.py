"""What every page's shell needs: the signed-in user's roles and places, and the menu."""

from django.apps import apps
from django.utils.module_loading import import_string

from bridgework.access.policy import access_for
from bridgework.core.modules import navigation

__all__ = ["shell"]


def shell(request):
    user = getattr(request, "user", None)
    access = access_for(user) if user is not None else None
    if access is None:
        return {"held_roles": [], "menu": []}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    menu = [
        (entry, entry.is_current(view_name), _badge(entry, request))
        for entry in navigation()
        if entry.needs is None or _may_somewhere(user, *entry.needs)
    ]
    return {"held_roles": access.held, "menu": menu}


def _badge(entry, request) -> int:
    return int(import_string(entry.badge)(request) or 0) if entry.badge else 0


def _may_somewhere(user, action: str, label: str) -> bool:
    from bridgework.access.policy import can

    return can(user, action, apps.get_model(label))
