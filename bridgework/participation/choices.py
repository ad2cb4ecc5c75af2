"""Vocabularies of the participation module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    CONCERN = "concern", _("Concern")


class ProposalStatus(models.TextChoices):
    NOT_ANSWERED = "not_answered", _("Not answered yet")
    EVALUATING = "evaluating", _("Being evaluated")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    REFERRED = "referred", _("Referred up")
    IMPLEMENTED = "implemented", _("Implemented")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")


# Still waiting for the level it is before to decide.
OPEN_STATUSES = (
    ProposalStatus.NOT_ANSWERED,
    ProposalStatus.EVALUATING,
    ProposalStatus.REFERRED,
)
# The states that carry an answer (the text given when the step was taken).
ANSWERED_STATUSES = (
    ProposalStatus.ACCEPTED,
    ProposalStatus.REJECTED,
    ProposalStatus.REFERRED,
    ProposalStatus.IMPLEMENTED,
)


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive, hateful or abusive")
    DOES_NOT_BELONG = "off_topic", _("Does not belong here")


class Moderation(models.TextChoices):
    """Where a proposal or comment stands with the moderators."""

    VISIBLE = "visible", _("Visible")
    REPORTED = "reported", _("Reported, awaiting a moderator")
    HIDDEN = "hidden", _("Hidden")
    CLEARED = "cleared", _("Checked by a moderator")


class ModerationDecision(models.TextChoices):
    HIDE = "hide", _("Hide")
    RESTORE = "restore", _("Restore")
    IGNORE = "ignore", _("Ignore the reports")


class OutcomeKind(models.TextChoices):
    PLAN_ACTION = "plan_action", _("An action of our local plan")
    LOCAL_NEED = "local_need", _("A local need put before the level above")
