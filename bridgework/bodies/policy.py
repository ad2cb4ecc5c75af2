"""Default rules of the bodies module."""

from bridgework.access.roles import ADD, CHANGE, EXPORT, READ, VIEW, WRITE, each

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS: dict[str, str] = {}
BODIES = (
    "bodies.body",
    "bodies.seat",
    "bodies.meeting",
    "bodies.attendance",
    "bodies.decision",
    "bodies.actionitem",
    "bodies.actionupdate",
)

RULES = {
    "hub_officer": each(BODIES, (*READ, EXPORT)),
    "national_coordinator": each(BODIES, WRITE),
    "local_coordinator": each(BODIES, WRITE),
    # Partners read the tables they sit at and report on the actions they owe.
    "partner": {
        **each(BODIES, (VIEW,)),
        "bodies.actionitem": (VIEW, CHANGE),
        "bodies.actionupdate": (VIEW, ADD),
    },
    "resident": {"bodies.body": (VIEW,)},
}
