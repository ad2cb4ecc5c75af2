"""Vocabularies of the response module."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BiasScheme",
    "EvidenceType",
    "ReportKind",
    "ReportSource",
    "ReportStatus",
    "Reliability",
    "OPEN_REPORT_STATUSES",
]


class ReportKind(models.TextChoices):
    HATE_CRIME = "hate_crime", _("Hate crime")
    HATE_INCIDENT = "hate_incident", _("Hate incident (not a crime)")
    TENSION = "tension", _("Community tension")
    PROPAGANDA = "propaganda", _("Extremist propaganda")
    COHESION_THREAT = "cohesion_threat", _("Threat to social cohesion")


class ReportSource(models.TextChoices):
    VICTIM = "victim", _("Person targeted")
    WITNESS = "witness", _("Witness")
    THIRD_PARTY = "third_party", _("Third-party reporting centre")
    PARTNER = "partner", _("Partner organisation")
    POLICE = "police", _("Police")
    MEDIA = "media", _("Media or social media")
    STAFF = "staff", _("Staff observation")
    PUBLIC = "public", _("Public form")


class Reliability(models.TextChoices):
    """The source grading of the Admiralty (NATO) system, letters A–F."""

    A = "A", _("A – completely reliable")
    B = "B", _("B – usually reliable")
    C = "C", _("C – fairly reliable")
    D = "D", _("D – not usually reliable")
    E = "E", _("E – unreliable")
    F = "F", _("F – reliability cannot be judged")


class EvidenceType(models.TextChoices):
    EVIDENCED = "evidenced", _("Evidenced")
    EXPERIENCED = "experienced", _("Experienced")
    POTENTIAL = "potential", _("Potential")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Verified")
    NOT_VERIFIED = "not_verified", _("Not verified")
    ANONYMISED = "anonymised", _("Anonymised")
    ROUTED = "routed", _("Routed to responders")
    FOLLOW_UP = "follow_up", _("In follow-up")
    CLOSED = "closed", _("Closed")


OPEN_REPORT_STATUSES = tuple(s for s in ReportStatus.values if s != ReportStatus.CLOSED)


class BiasScheme(models.TextChoices):
    ODIHR = "odihr", _("OSCE/ODIHR bias motivations")
    UK = "uk", _("UK monitored strands")
    LOCAL = "local", _("Country-specific")


class CrisisStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed (after-action review done)")


class UpdateKind(models.TextChoices):
    SITUATION = "situation", _("Situation update")
    PUBLIC = "public", _("Public message")
