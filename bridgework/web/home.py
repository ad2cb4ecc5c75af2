"""The home page's own parts: the reader's places, the first step every newcomer takes, and
the choice of the first steps among those every module offers (``core.modules``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import access_for, can
from bridgework.core.modules import HomeSection, StartStep, start_steps
from bridgework.places.models import Place

__all__ = ["SECTIONS", "STEPS", "ShownStep", "first_steps", "my_places", "own_place"]

FIRST_STEPS = 3


def my_places(user) -> QuerySet[Place]:
    """The places where the user holds a role (the top of each of their subtrees)."""
    access = access_for(user)
    paths = {path for held in access.held for path in held.paths} if access else set()
    return Place.objects.visible_to(user).filter(path__in=paths).order_by("path")


def _your_places(request) -> dict[str, Any]:
    access = access_for(request.user)
    return {
        "has_role": bool(access and access.held),
        "my_places": my_places(request.user).annotate(child_count=Count("children")),
    }


def own_place(user) -> Place | None:
    """The first of the user's places: where a first step leads."""
    return my_places(user).first()


def _own_place(request) -> str | None:
    place = own_place(request.user)
    return place.get_absolute_url() if place is not None else None


@dataclass(frozen=True)
class ShownStep:
    label: Any
    description: Any
    url: str


def _may(user, needs: tuple[str, str] | None) -> bool:
    return needs is None or can(user, needs[0], apps.get_model(needs[1]))


def first_steps(request) -> list[ShownStep]:
    """The first three steps this reader may take (none without a role): each module's
    ``STEPS`` in order, those they may not take, or that a bigger step replaces, left out."""
    user = request.user
    access = access_for(user)
    if access is None or not access.held:
        return []
    shown: list[ShownStep] = []
    for step in start_steps():
        if not _may(user, step.needs) or (step.unless is not None and _may(user, step.unless)):
            continue
        url = step.url(request) if step.url is not None else reverse(step.url_name)
        if url:
            shown.append(ShownStep(step.label, step.description, url))
        if len(shown) == FIRST_STEPS:
            break
    return shown


SECTIONS = [HomeSection(90, "web/_home_places.html", _your_places)]
STEPS = [
    StartStep(
        10,
        _("Look at your place"),
        _("The places below it, the records kept there and what happened lately."),
        url=_own_place,
    ),
]
