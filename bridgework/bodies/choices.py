"""Vocabularies of the bodies module."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ActionStatus", "BodyKind", "MeetingStatus", "SeatRole", "CLOSED_ACTION_STATUSES"]


class BodyKind(models.TextChoices):
    NATIONAL_CENTRE = "national_centre", _("National coordination centre")
    INTER_MINISTERIAL = "inter_ministerial", _("Inter-ministerial body")
    REGIONAL_PEACE_COMMITTEE = "regional_peace_committee", _("Regional peace committee")
    DISTRICT_PEACE_COMMITTEE = "district_peace_committee", _("District peace committee")
    COMMUNITY_POLICING_FORUM = "community_policing_forum", _("Community policing forum")
    THEMATIC_TOWN_COMMITTEE = "thematic_town_committee", _("Thematic town committee")
    CITY_PREVENTION_TEAM = "city_prevention_team", _("City prevention team")
    COMMUNITY_LEADERS_TABLE = "community_leaders_table", _("Community leaders' table")
    OTHER = "other", _("Other")


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# An item in one of these states is finished: it can no longer be overdue.
CLOSED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.CANCELLED)
