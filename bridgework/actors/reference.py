"""Reference data the actors module needs: the default activity vocabulary (themes)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from .models import Theme

__all__ = ["THEMES", "seed"]

# Organisations pick their areas of work from these; admins may add more.
THEMES = [
    ("youth-engagement", gettext_noop("Youth engagement")),
    ("community-policing", gettext_noop("Community policing")),
    ("interfaith-dialogue", gettext_noop("Interfaith dialogue")),
    ("online-hate-disinformation", gettext_noop("Online hate and disinformation")),
    ("psychosocial-support", gettext_noop("Psychosocial support")),
    ("schools-education", gettext_noop("Schools and education")),
    ("victim-support", gettext_noop("Victim support")),
    ("research-evidence", gettext_noop("Research and evidence")),
    ("training-capacity", gettext_noop("Training and capacity building")),
    ("social-cohesion", gettext_noop("Social cohesion")),
    ("early-warning", gettext_noop("Early warning")),
    ("reintegration", gettext_noop("Reintegration")),
    ("womens-participation", gettext_noop("Women's participation")),
    ("strategic-communication", gettext_noop("Strategic communication")),
]


def seed() -> None:
    """Create the default themes that are missing."""
    existing = set(Theme.objects.values_list("slug", flat=True))
    Theme.objects.bulk_create(
        [Theme(slug=slug, name=name) for slug, name in THEMES if slug not in existing]
    )
