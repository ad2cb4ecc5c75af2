"""Default rules of the actors module, and its own actions on people's personal data."""

from django.utils.translation import gettext_lazy as _

from bridgework.access.roles import EXPORT, READ, VIEW, WRITE, each

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS = {
    "view_contacts": _("See a person's contact details"),
    "export_personal": _("Export everything held on a person (data-protection request)"),
    "erase": _("Erase a person's personal data (data-protection request)"),
}
PERSONAL = tuple(OWN_ACTIONS)
ACTORS = ("actors.organisation", "actors.person", "actors.post")

RULES = {
    "hub_officer": each(ACTORS, (*READ, EXPORT)),
    "national_coordinator": {**each(ACTORS, WRITE), "actors.person": WRITE + PERSONAL},
    "local_coordinator": {**each(ACTORS, WRITE), "actors.person": (*WRITE, "view_contacts")},
    "partner": each(ACTORS, (VIEW,)),
    "reviewer": {"actors.organisation": (VIEW,)},
    "resident": {"actors.organisation": (VIEW,)},
}
