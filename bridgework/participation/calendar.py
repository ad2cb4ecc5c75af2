"""iCalendar (RFC 5545) for town halls: one event, or a place's upcoming town halls."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from bridgework.access.policy import named_for

from .models import TownHall

__all__ = ["town_hall_calendar"]

DEFAULT_LENGTH = datetime.timedelta(hours=2)


def _event(town_hall: TownHall, stamp: datetime.datetime) -> Event:
    host = urlsplit(settings.SITE_URL).hostname or "bridgework"
    event = Event()
    event.add("uid", f"bridgework-townhall-{town_hall.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", town_hall.starts_at)
    event.add("dtend", town_hall.ends_at or town_hall.starts_at + DEFAULT_LENGTH)
    # The public calendar names the body only if its label lets it travel (CLEAR, GREEN).
    body = named_for(None, town_hall.body)
    event.add("summary", f"{town_hall.title} ({body})" if body else town_hall.title)
    event.add("location", town_hall.location)
    if town_hall.agenda:
        event.add("description", town_hall.agenda)
    event.add("url", settings.SITE_URL + town_hall.get_public_url())
    return event


def town_hall_calendar(town_halls: Iterable[TownHall], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Bridgework//Town halls//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for town_hall in town_halls:
        calendar.add_component(_event(town_hall, stamp))
    return calendar.to_ical()
