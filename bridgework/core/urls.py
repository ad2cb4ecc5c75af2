"""A record's page address, the cheap way (``record_url``): every model's
``get_absolute_url`` and every list row's link go through it; and a page's fixed addresses
(``fixed_url``: the shell's links on every page)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

__all__ = ["fixed_url", "record_url", "record_urls"]

_PK_MARK = 987654321
_url_patterns: dict[tuple[str, ...], tuple[str, str]] = {}


def record_url(viewname: str, pk: int) -> str:
    """``reverse(viewname, args=[pk])`` for a list's rows: the route is resolved once per
    name, script prefix, URLconf and language, then only the id changes (``reverse()`` on every
    row of a 50-row answer was a tenth of its serialisation)."""
    return record_urls(viewname)(pk)


def fixed_url(viewname: str) -> str:
    """``reverse(viewname)`` for a route without arguments, resolved once per name, script
    prefix, URLconf and language: the page shell's five links cost a sixth of its rendering."""
    key = _route_key(viewname)
    url = _fixed_urls.get(key)
    if url is None:
        url = _fixed_urls[key] = reverse(viewname)
    return url


_fixed_urls: dict[tuple[str, ...], str] = {}


def _route_key(viewname: str) -> tuple[str, ...]:
    """What decides a route's address besides its arguments."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    # The language is part of an address only under i18n_patterns (asked once per URLconf).
    language = (get_language() or "") if is_language_prefix_patterns_used(urlconf)[0] else ""
    return (viewname, get_script_prefix(), urlconf, language)


def record_urls(viewname: str) -> Callable[[int], str]:
    """:func:`record_url` of one route for many records: the script prefix, URLconf and
    language are read once for them all (reading them is most of what one address costs)."""
    key = _route_key(viewname)
    parts = _url_patterns.get(key)
    if parts is None:
        url = reverse(viewname, args=[_PK_MARK])
        head, mark, tail = url.rpartition(str(_PK_MARK))
        if not mark:  # a route that does not show the id as is: no shortcut
            return lambda pk: reverse(viewname, args=[pk])
        parts = _url_patterns[key] = (head, tail)
    head, tail = parts
    return lambda pk: f"{head}{int(pk)}{tail}"
