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
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from bridgework.core.kept import KeptTexts
from bridgework.core.urls import fixed_url

register = template.Library()

__all__ = ["fixed_url_tag", "language_options", "menu_links", "static_url"]


@register.simple_tag(takes_context=True)
def menu_links(context, entries) -> SafeString:
    """A menu's ``<ul>``: each entry ``(entry, current, badge)`` as a link, ``aria-current``
    on the page or section it is, and the count of new things when there are any.

    Written once per menu state: which entries, which is current, the counts, the language and
    the site's prefix decide the text, and every page writes the same few menus."""
    key = (
        tuple((id(entry), current, badge) for entry, current, badge in entries),
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        context.autoescape,
        context.use_l10n,
    )
    # The entries are kept with the text: it names them by identity.
    return _WRITTEN_MENUS.get(key, entries, lambda: _written_menu(context, entries))


_WRITTEN_MENUS: KeptTexts[SafeString] = KeptTexts(limit=1024)


def _written_menu(context, entries) -> SafeString:
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


@register.simple_tag(name="fixed_url")
def fixed_url_tag(viewname: str) -> str:
    """``{% url viewname %}`` for a route without arguments, resolved once (``core.urls``)."""
    return fixed_url(viewname)


@register.simple_tag
def static_url(path: str) -> str:
    """``{% static path %}``, looked up once per path and script prefix (a relative
    ``STATIC_URL`` follows the prefix): the shell's four files on every page."""
    key = (path, get_script_prefix())
    url = _static_urls.get(key)
    if url is None:
        url = _static_urls[key] = static(path)
    return url


_static_urls: dict[tuple[str, str], str] = {}


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
