"""``{% filter_fields form %}``: a list page's filters, one ``<div class="filter">`` each, in
Python. Every list page shows them, and the template loop (a lookup, a test and three values
rendered per field) cost a quarter of a millisecond a page (decision 0012). The output is the
loop's, byte for byte (``tests/test_filters.py``)."""

from __future__ import annotations

from django import template
from django.forms import Form
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

__all__ = ["filter_fields"]


@register.simple_tag
def filter_fields(form: Form) -> SafeString:
    """Each visible field: its label, its widget and its errors, ``has-error`` when it has
    some."""
    rows = []
    for field in form.visible_fields():
        errors = field.errors
        state = " has-error" if errors else ""
        rows.append(
            f'<div class="filter{state}">{conditional_escape(field.label_tag())} '
            f"{conditional_escape(str(field))}{conditional_escape(str(errors))}</div>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308  (each part escaped above)
