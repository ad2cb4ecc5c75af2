"""Default rules of the response module.

Coordinators triage reports, assess tensions and set alert rules for their places. Partners
(police, schools, civil society) report incidents and read what is shared with them (GREEN
and below): a report they submit is AMBER and goes to the coordinators, not back to them.
Hub officers read the picture across their hub. A second coder reviews a report's severity
(``review``)."""

from django.utils.translation import gettext_lazy as _

from bridgework.access.roles import ADD, EXPORT, READ, VIEW, WRITE, each

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS = {"review": _("Review the severity of a report as second coder")}

REPORT = "response.report"
TENSION = "response.tensionassessment"
ALERTS = "response.alertrule"
CRISIS = ("response.crisis", "response.crisisupdate")

RULES = {
    "hub_officer": each((REPORT, TENSION, ALERTS, *CRISIS), (*READ, EXPORT)),
    "national_coordinator": {
        REPORT: (*WRITE, "review"),
        TENSION: WRITE,
        ALERTS: WRITE,
        **each(CRISIS, WRITE),
    },
    "local_coordinator": {
        REPORT: (*WRITE, "review"),
        TENSION: WRITE,
        ALERTS: WRITE,
        **each(CRISIS, WRITE),
    },
    # Partners take part in a crisis they may read (GREEN): its log and public messages.
    "partner": {REPORT: (VIEW, ADD), TENSION: (VIEW,), **each(CRISIS, (VIEW,))},
}
