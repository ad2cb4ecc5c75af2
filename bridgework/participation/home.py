"""What the participation module puts on the home page: for coordinators, residents'
proposals awaiting their answer; for residents, their own proposals; and first steps."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import can
from bridgework.core.modules import HomeSection, StartStep

from . import selectors
from .models import Proposal

__all__ = ["SECTIONS", "STEPS"]

SHOWN = 5


def _proposals(request) -> dict[str, Any] | None:
    user = request.user
    waiting = list(selectors.awaiting_answer(user)[:SHOWN]) if can(user, "change", Proposal) else []
    mine = list(
        Proposal.objects.filter(author=user).select_related("place").order_by("-created_at")[:SHOWN]
    )
    if not waiting and not mine:
        return None
    return {"waiting": waiting, "mine": mine}


SECTIONS = [HomeSection(45, "participation/_home_proposals.html", _proposals)]

STEPS = [
    StartStep(
        45,
        _("Post a proposal or a concern"),
        _("What your ward or city should do, or what worries you: your neighbours can back it."),
        url_name="participation:propose",
        needs=("add", "participation.proposal"),
    ),
    StartStep(
        46,
        _("Answer residents' proposals"),
        _("Residents' proposals before your place, oldest first, and those referred to you."),
        url_name="participation:followup",
        needs=("change", "participation.proposal"),
    ),
]
