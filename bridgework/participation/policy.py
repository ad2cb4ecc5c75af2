"""Default rules of the participation module.

Residents read the proposals of their ward or city (and of the places above it) and post their
own; coordinators answer them, moderate what is posted at their places, and set how many
supports a proposal needs there. Partners read what residents propose."""

from django.utils.translation import gettext_lazy as _

from bridgework.access.roles import ADD, EXPORT, READ, VIEW, WRITE

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS = {
    "moderate": _("Hide and restore what residents post"),
    "publish_answer": _("Publish the answer to a proposal"),
}

PROPOSAL = "participation.proposal"
THRESHOLD = "participation.supportthreshold"
TOWN_HALL = "participation.townhall"
STAFF = (*WRITE, "moderate", "publish_answer")

RULES = {
    "national_coordinator": {PROPOSAL: STAFF, THRESHOLD: WRITE, TOWN_HALL: WRITE},
    "local_coordinator": {PROPOSAL: STAFF, THRESHOLD: WRITE, TOWN_HALL: WRITE},
    "hub_officer": {PROPOSAL: (*READ, EXPORT), THRESHOLD: READ, TOWN_HALL: (*READ, EXPORT)},
    "partner": {PROPOSAL: (VIEW,), THRESHOLD: (VIEW,), TOWN_HALL: (VIEW,)},
    "resident": {PROPOSAL: (VIEW, ADD), THRESHOLD: (VIEW,), TOWN_HALL: (VIEW,)},
}
