"""Vocabularies of the knowledge hub."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["EvidenceLevel", "ItemKind", "ItemStatus", "Language"]


class ItemKind(models.TextChoices):
    PRACTICE = "practice", _("Practice")
    CASE_STUDY = "case_study", _("Case study")
    POLICY_BRIEF = "policy_brief", _("Policy brief")
    TOOLKIT = "toolkit", _("Toolkit")
    EVALUATION = "evaluation", _("Evaluation")
    TRAINING = "training", _("Training material")


class EvidenceLevel(models.TextChoices):
    """How far the claim that it works is backed, from hope to independent evaluation."""

    PROMISING = "promising", _("Promising: reported by those who ran it")
    DOCUMENTED = "documented", _("Documented: results monitored")
    EVALUATED = "evaluated", _("Evaluated: independent evaluation")
    RIGOROUS = "rigorous", _("Rigorous: comparison group or trial")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
