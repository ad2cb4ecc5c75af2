"""Vocabularies of the actors module."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["OrgLevel", "Sector"]


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
