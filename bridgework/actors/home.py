"""What the actors module puts on the home page: the sectors missing in the reader's places
(the gaps of the 3W), and the first steps of mapping who does what where."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import can
from bridgework.core.modules import HomeSection, StartStep
from bridgework.web.home import my_places, own_place

from .models import Organisation
from .selectors import OrgFilters, three_w

__all__ = ["SECTIONS", "STEPS"]

PLACES_SHOWN = 3


def _gaps(request) -> dict[str, Any] | None:
    """For those who map organisations (or report on them): the sectors no organisation they
    can see covers, in each of their places."""
    user = request.user
    if not (can(user, "add", Organisation) or can(user, "export", Organisation)):
        return None
    places = []
    for place in my_places(user)[:PLACES_SHOWN]:
        gaps = [label for _value, label in three_w(user, OrgFilters(place=place)).gaps]
        places.append({"place": place, "gaps": gaps})
    return {"places": places} if places else None


def _three_w_of_own_place(request) -> str | None:
    place = own_place(request.user)
    return f"{reverse('actors:three_w')}?place={place.pk}" if place is not None else None


SECTIONS = [HomeSection(40, "actors/_home_gaps.html", _gaps)]

STEPS = [
    StartStep(
        20,
        _("Add the organisations that work in your place"),
        _("Who does what where starts with who: each organisation, its sector and its places."),
        url_name="actors:organisation_add",
        needs=("add", "actors.organisation"),
    ),
    StartStep(
        21,
        _("See who does what where"),
        _("The organisations working in your place, by sector and activity."),
        url=_three_w_of_own_place,
        needs=("view", "actors.organisation"),
        unless=("add", "actors.organisation"),
    ),
]
