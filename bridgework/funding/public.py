"""What anyone may read of the funding module without an account: the calls open now of
funds labelled TLP:CLEAR (never a GREEN or AMBER fund's), with where they fund and when they
close on the fund's own clock."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from bridgework.core.tlp import TLP
from bridgework.places.models import Place

from .models import Call

__all__ = ["PublicCall", "open_public_calls", "public_call_rows"]


def open_public_calls(now: datetime.datetime | None = None) -> QuerySet[Call]:
    """Calls open at ``now`` of CLEAR funds, closing first first (a fixed number of queries:
    the calls with their funds, and the funds' eligible places)."""
    now = now or timezone.now()
    return (
        Call.objects.filter(fund__tlp=TLP.CLEAR, opens_at__lte=now, closes_at__gt=now)
        .select_related("fund", "fund__place")
        .prefetch_related(
            Prefetch("fund__eligible_places", queryset=Place.objects.order_by("path"))
        )
        .order_by("closes_at", "pk")
    )


@dataclass(frozen=True)
class PublicCall:
    call: Call
    places: list[str]
    closes_local: datetime.datetime

    @property
    def fund(self):
        return self.call.fund


def public_row(call: Call) -> PublicCall:
    fund = call.fund
    places = [place.name for place in fund.eligible_places.all()] or [fund.place.name]
    return PublicCall(call=call, places=places, closes_local=call.local(call.closes_at))


def public_call_rows(limit: int = 200) -> list[PublicCall]:
    return [public_row(call) for call in open_public_calls()[:limit]]
