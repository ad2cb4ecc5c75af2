"""The page shell's repeated parts, written in Python: each menu's links and the language
choices. They are on every page, and the template loops cost more than the rest of the shell
(decision 0009); the output is what the templates they replace wrote (tests/test_shell.py)."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

register = template.Library()

__all__ = ["language_options", "menu_links"]


@register.simple_tag(takes_context=True)
def menu_links(context, entries) -> SafeString:
    """A menu's ``<ul>``: each entry ``(entry, current, badge)`` as a link, ``aria-current``
    on the page or section it is, and the count of new things when there are any."""
    items = []
    for entry, current, badge in entries:
        link = f'<li><a href="{escape(str(entry.url))}"'
        if current:
            link += f' aria-current="{escape(str(current))}"'
        link += f">{escape(str(entry.label))}"
        if badge:
            count = render_value_in_context(badge, context)
            link += (
                f' <span class="badge count">{count}<span class="visually-hidden"> '
                f"{escape(_('new'))}</span></span>"
            )
        items.append(link + "</a></li>\n        ")
    return mark_safe("<ul>\n        " + "".join(items) + "\n      </ul>")  # noqa: S308


@register.simple_tag
def language_options(current: Any) -> SafeString:
    """The ``<option>``s of the language switcher, the current language selected."""
    return _language_options(str(current))


@lru_cache(maxsize=64)
def _language_options(current: str) -> SafeString:
    options = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        selected = " selected" if info["code"] == current else ""
        options.append(
            f'\n        <option value="{escape(info["code"])}" lang="{escape(info["code"])}"'
            f"{selected}>{escape(info['name_local'])}</option>"
        )
    return mark_safe("".join(options))  # noqa: S308  (escaped above)
