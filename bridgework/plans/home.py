"""What the plans module puts on the home page: the needs waiting for the reader's answer, the
open needs of their places, and the first steps it offers."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import can
from bridgework.core.modules import HomeSection, StartStep
from bridgework.core.scoping import scope_for

from .choices import OPEN_NEED_STATUSES
from .models import LocalNeed

__all__ = ["SECTIONS", "STEPS"]

SHOWN = 5


def _needs(request) -> dict[str, Any] | None:
    """The open needs before the places the reader coordinates (theirs to answer), and those
    their places raised."""
    user = request.user
    if not can(user, "change", LocalNeed):
        return None
    own = sorted({grant.path for grant in scope_for(user, "change", LocalNeed).grants})
    needs = LocalNeed.objects.visible_to(user).filter(status__in=OPEN_NEED_STATUSES)
    waiting = list(
        needs.filter(handled_path__in=own)
        .select_related("place")
        .order_by("created_at", "pk")[:SHOWN]
    )
    raised = list(
        needs.filter(place_path__in=own)
        .exclude(handled_path__in=own)
        .select_related("handled_at")
        .order_by("created_at", "pk")[:SHOWN]
    )
    if not waiting and not raised:
        return None
    return {"waiting": waiting, "raised": raised, "today": timezone.localdate()}


SECTIONS = [HomeSection(40, "plans/_home_needs.html", _needs)]

STEPS = [
    StartStep(
        40,
        _("See how your plan lines up"),
        _("Which national objectives your plan serves, which it does not, and your open needs."),
        url_name="plans:alignment",
        needs=("add", "plans.localplan"),
    ),
    StartStep(
        41,
        _("Raise a need"),
        _("Training, funding, data or a mandate your place lacks: the level above answers it."),
        url_name="plans:localneed_add",
        needs=("add", "plans.localneed"),
    ),
]
