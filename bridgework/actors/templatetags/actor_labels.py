"""Template filters of the actors module: vocabulary names in the reader's language."""

from __future__ import annotations

from django import template

from bridgework.actors.choices import theme_label as _theme_label

__all__ = ["theme_label"]

register = template.Library()


@register.filter
def theme_label(stored_name: str) -> str:
    """A theme's stored name (as an aggregate row holds it) in the reader's language."""
    return _theme_label(stored_name or "")
