"""The test app's rules: national coordinators may do everything to dossiers."""

from bridgework.access.roles import WRITE

OWN_ACTIONS: dict[str, str] = {}
RULES = {"national_coordinator": {"testapp.dossier": WRITE}}
