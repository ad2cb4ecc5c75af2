"""Reference data the actors module needs: the default activity vocabulary (themes)."""

from __future__ import annotations

from .choices import DEFAULT_THEMES
from .models import Theme

__all__ = ["THEMES", "seed"]

# Organisations pick their areas of work from these; admins may add more.
THEMES = DEFAULT_THEMES


def seed() -> None:
    """Create the default themes that are missing."""
    existing = set(Theme.objects.values_list("slug", flat=True))
    Theme.objects.bulk_create(
        [Theme(slug=slug, name=name) for slug, name in THEMES if slug not in existing]
    )
