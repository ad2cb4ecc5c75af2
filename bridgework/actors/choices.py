"""Vocabularies of the actors module."""

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

__all__ = ["DEFAULT_THEMES", "OrgLevel", "Sector", "theme_label"]


class Sector(models.TextChoices):
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    POLICE = "police", _("Police")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    SOCIAL_SERVICES = "social_services", _("Social services")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    FAITH_BASED = "faith_based", _("Faith-based")
    ACADEMIA = "academia", _("Academia")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    YOUTH = "youth", _("Youth")
    WOMENS_GROUPS = "womens_groups", _("Women's groups")
    MEDIA = "media", _("Media")
    INTERNATIONAL = "international", _("International")


class OrgLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    SUBNATIONAL = "subnational", _("Sub-national")
    LOCAL = "local", _("Local")
    COMMUNITY = "community", _("Community")


# The default activity vocabulary (``actors.reference`` seeds it; admins may add more). Stored
# in English; shown in the reader's language by ``theme_label``.
DEFAULT_THEMES = [
    ("youth-engagement", gettext_noop("Youth engagement")),
    ("community-policing", gettext_noop("Community policing")),
    ("interfaith-dialogue", gettext_noop("Interfaith dialogue")),
    ("online-hate-disinformation", gettext_noop("Online hate and disinformation")),
    ("psychosocial-support", gettext_noop("Psychosocial support")),
    ("schools-education", gettext_noop("Schools and education")),
    ("victim-support", gettext_noop("Victim support")),
    ("research-evidence", gettext_noop("Research and evidence")),
    ("training-capacity", gettext_noop("Training and capacity building")),
    ("social-cohesion", gettext_noop("Social cohesion")),
    ("early-warning", gettext_noop("Early warning")),
    ("reintegration", gettext_noop("Reintegration")),
    ("womens-participation", gettext_noop("Women's participation")),
    ("strategic-communication", gettext_noop("Strategic communication")),
]
_DEFAULT_THEME_NAMES = frozenset(name for _slug, name in DEFAULT_THEMES)


def theme_label(stored_name: str) -> str:
    """A theme's name in the reader's language: a default theme still bearing its English
    name is translated; one an admin added or renamed is shown as stored (theme names are
    unique, so the name alone tells them apart, as in a 3W row that holds only the name)."""
    if stored_name in _DEFAULT_THEME_NAMES:
        return gettext(stored_name)
    return stored_name
