"""Default rules of the knowledge hub.

Local coordinators and partners write items and submit them; national coordinators and hub
officers (the hub's editors) review and publish them. Everyone with a role reads what their
places and labels allow; published CLEAR items are public (``models.public_items``)."""

from bridgework.access.roles import ADD, CHANGE, READ, VIEW, WRITE, each

__all__ = ["OWN_ACTIONS", "RULES"]

OWN_ACTIONS: dict[str, str] = {}

ITEMS = ("knowledge.knowledgeitem",)

RULES = {
    "hub_officer": each(ITEMS, WRITE),
    "national_coordinator": each(ITEMS, WRITE),
    "local_coordinator": each(ITEMS, WRITE),
    # Local actors share their practice: they write and submit, the editors publish.
    "partner": each(ITEMS, (*READ, ADD, CHANGE)),
    "reviewer": each(ITEMS, (VIEW,)),
    "resident": each(ITEMS, (VIEW,)),
}
