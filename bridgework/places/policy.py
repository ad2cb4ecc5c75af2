"""Default rules of the places module: who may read and shape the place tree."""

from bridgework.access.roles import ADD, CHANGE, EXPORT, HISTORY, READ, VIEW, WRITE

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS: dict[str, str] = {}

RULES = {
    "hub_officer": {"places.place": (*READ, EXPORT), "places.networkmembership": WRITE},
    "national_coordinator": {"places.place": WRITE, "places.networkmembership": WRITE},
    "local_coordinator": {
        "places.place": (VIEW, ADD, CHANGE, EXPORT, HISTORY),
        "places.networkmembership": READ,
    },
    "partner": {"places.place": (VIEW,), "places.networkmembership": (VIEW,)},
    "reviewer": {"places.place": (VIEW,)},
    "resident": {"places.place": (VIEW,)},
}
