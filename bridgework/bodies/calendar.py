"""iCalendar feeds (RFC 5545): a body's meetings, and a person's meetings and action deadlines.

Deadlines are all-day VEVENTs rather than VTODOs: most calendar clients that subscribe to a
feed (Google, Outlook) show events and silently drop to-dos.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .choices import MeetingStatus
from .models import ActionItem, Meeting

__all__ = ["build_calendar"]

DEFAULT_MEETING_LENGTH = datetime.timedelta(hours=2)


def _uid(kind: str, pk: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "bridgework"
    return f"bridgework-{kind}-{pk}@{host}"


def meeting_event(meeting: Meeting, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", _uid("meeting", meeting.pk))
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_MEETING_LENGTH)
    event.add("summary", f"{meeting.body.name}: {meeting.title}")
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    event.add("url", settings.SITE_URL + meeting.get_absolute_url())
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def deadline_event(item: ActionItem, stamp: datetime.datetime) -> Event:
    if item.due_on is None:  # the feeds select dated items only
        raise ValueError("an action item without a due date has no deadline")
    event = Event()
    event.add("uid", _uid("action", item.pk))
    event.add("dtstamp", stamp)
    event.add("dtstart", item.due_on)  # a date: an all-day event
    event.add("dtend", item.due_on + datetime.timedelta(days=1))
    event.add("summary", _("Due: %(title)s") % {"title": item.title})
    event.add("description", _("Raised by %(body)s") % {"body": item.raised_by.name})
    event.add("url", settings.SITE_URL + item.get_absolute_url())
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event


def build_calendar(
    name: str, meetings: Iterable[Meeting], deadlines: Iterable[ActionItem] = ()
) -> bytes:
    stamp = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Bridgework//bodies//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, stamp))
    for item in deadlines:
        calendar.add_component(deadline_event(item, stamp))
    return calendar.to_ical()
