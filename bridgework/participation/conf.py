"""Settings of the participation module, read when used (so tests and admins may change them):
a Django setting of the same name wins, else the environment variable, else the default."""

from __future__ import annotations

import os

from django.conf import settings

__all__ = ["setting_int", "setting_str"]

DEFAULTS = {
    # Reports that hide a proposal or comment until a moderator looks at it.
    "PARTICIPATION_HIDE_AFTER_REPORTS": "3",
    # Supports a proposal needs before the place must answer it, where no place sets its own.
    "PARTICIPATION_SUPPORT_THRESHOLD": "20",
    # Posting limit per resident (proposals and comments), "count/period" as the API's limits.
    "PARTICIPATION_POST_RATE": "10/h",
    # Posting limit per staff member (posting for residents through the staff form), apart.
    "PARTICIPATION_STAFF_POST_RATE": "100/h",
    # Largest photo accepted, in bytes.
    "PARTICIPATION_PHOTO_MAX_BYTES": str(5 * 1024 * 1024),
    # Youngest age at which a resident may open an account.
    "PARTICIPATION_MINIMUM_AGE": "16",
    # Sign-ups from one address, "count/period".
    "PARTICIPATION_SIGNUP_RATE": "5/h",
    # Days a sign-up's verification link stays valid.
    "PARTICIPATION_VERIFY_DAYS": "3",
    # Months after its last step that an answered proposal leaves the public lists.
    "PARTICIPATION_ARCHIVE_MONTHS": "24",
}


def setting_str(name: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, DEFAULTS[name])
    return str(value)


def setting_int(name: str) -> int:
    return int(setting_str(name))
