"""``{% filter_fields form %}``: a list page's filters, one ``<div class="filter">`` each, in
Python. Every list page shows them, and the template loop (a lookup, a test and three values
rendered per field) cost a quarter of a millisecond a page (decision 0012). The output is the
loop's, byte for byte (``tests/test_filters.py``)."""

from __future__ import annotations

from django import template
from django.forms import Form
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from bridgework.core.kept import KeptTexts

register = template.Library()

__all__ = ["filter_fields", "filter_form"]

# Unbound filter forms as written, by everything they depend on (``unbound_form_key``; the
# key itself holds the translated labels it names by identity).
_WRITTEN_FORMS: KeptTexts[SafeString] = KeptTexts(limit=512)


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


@register.simple_tag
def filter_form(filterset) -> SafeString:
    """A list page's filter form (``web/_filter_form.html``). An unbound one, the form of
    nearly every list page as first opened, is written once per key and kept: its fields,
    labels and choices are the same for every reader they are the same for, and writing it
    was a tenth of the staff application list's time. Anything else is written each time."""
    key = filterset.unbound_form_key()
    if key is None:
        return _written_form(filterset.form)
    return _WRITTEN_FORMS.get(key, None, lambda: _written_form(filterset.form))


def _written_form(form: Form) -> SafeString:
    return mark_safe(render_to_string("web/_filter_form.html", {"form": form}))  # noqa: S308
