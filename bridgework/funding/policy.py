"""Default rules of the funding module.

National coordinators are the fund's staff and approvers: they write funds and calls, move
applications, assign reviewers, make grants and release tranches. Applicants are the
partners and local coordinators of the applying organisation's place. Reviewers read the
calls and applications and score those assigned to them. Money leaves only through a
tranche's workflow step, so "finance" needs no role of its own here."""

from bridgework.access.roles import ADD, CHANGE, EXPORT, HISTORY, READ, VIEW, WRITE, each

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS: dict[str, str] = {}

FUND = ("funding.fund", "funding.call")
APPLICATION = ("funding.application",)
REVIEW = ("funding.review",)
# A grant's tracked indicators and targets are set by fund staff with the award; the
# applicant gives the results in its reports.
GRANT = ("funding.grant", "funding.tranche", "funding.grantindicator")
REPORT = ("funding.report", "funding.result")
EVERYTHING = FUND + APPLICATION + REVIEW + GRANT + REPORT

APPLICANT = (VIEW, ADD, CHANGE, HISTORY)

RULES = {
    "hub_officer": each(EVERYTHING, (*READ, EXPORT)),
    "national_coordinator": each(EVERYTHING, WRITE),
    "local_coordinator": {
        **each(FUND, (*READ, EXPORT)),
        **each(APPLICATION + REPORT, (*APPLICANT, EXPORT)),
        **each(GRANT, (*READ, EXPORT)),
    },
    "partner": {
        **each(FUND, (VIEW,)),
        **each(APPLICATION + REPORT, APPLICANT),
        **each(GRANT, (VIEW,)),
    },
    # Reviewers read what they weigh and change only their own reviews (the workflow checks
    # that the reviewer is the one assigned).
    "reviewer": {
        **each(FUND + APPLICATION, (VIEW,)),
        **each(REVIEW, (VIEW, CHANGE)),
    },
    "resident": each(FUND, (VIEW,)),
}
