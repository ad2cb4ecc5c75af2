"""Default rules of the plans module.

National coordinators write strategies; local coordinators read them and write their own
plans, needs and indicator values. Approving a period is adding an approval; withdrawing one
(which unlocks the values) is deleting it, with a reason."""

from bridgework.access.roles import EXPORT, READ, VIEW, WRITE, each

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS: dict[str, str] = {}

STRATEGY = ("plans.strategy", "plans.pillar", "plans.objective", "plans.indicator")
PLAN = ("plans.localplan", "plans.planpriority", "plans.planaction")
NEEDS = ("plans.localneed", "plans.needsupport", "plans.needreferral")
VALUES = ("plans.indicatorvalue", "plans.approval")
EVERYTHING = STRATEGY + PLAN + NEEDS + VALUES

RULES = {
    "hub_officer": each(EVERYTHING, (*READ, EXPORT)),
    "national_coordinator": each(EVERYTHING, WRITE),
    "local_coordinator": {
        **each(STRATEGY, (*READ, EXPORT)),
        **each(PLAN + NEEDS + VALUES, WRITE),
    },
    # Partners read the plans they help carry out and the needs of their places.
    "partner": each(STRATEGY + PLAN + ("plans.localneed",), (VIEW,)),
    # Fund reviewers weigh applications against objectives and needs.
    "reviewer": each(STRATEGY + ("plans.localneed",), (VIEW,)),
    # Residents read the public (CLEAR) strategy and their place's plan.
    "resident": each(STRATEGY + PLAN, (VIEW,)),
}
