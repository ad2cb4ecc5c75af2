"""Template filters of the plans module."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def number(value, empty: str = "—") -> str:
    """A value as people read it (up to two decimals, none when whole); ``empty`` for none."""
    if value is None or value == "":
        return empty
    return floatformat(value, "-2")


@register.filter
def need_age(need, day) -> int:
    """Days since ``need`` was raised, on ``day``."""
    return need.age_on(day)
