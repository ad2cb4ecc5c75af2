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
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import (
    get_language,
    get_language_bidi,
    get_language_info,
    gettext_noop,
)
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


# --- the page shell around a page's blocks ------------------------------------------------
#
# ``base.html`` is three tags around its blocks: ``shell_open`` (the head up to the title),
# ``shell_header`` (the rest of the head, the header with its menus, and the section menu) and
# ``shell_close`` (the footer). Every page is written inside them, and the template they replace
# cost about half a millisecond a page in the engine's lookups, tests and translations; these
# write its text byte for byte (``tests/test_shell.py`` renders both, decision 0015). Their
# words are the template's: translated (``gettext`` marks them for ``makemessages``) and, like a
# template's own ``{% translate %}`` text, written unescaped.


@register.simple_tag
def shell_open() -> SafeString:
    """``<!doctype html>`` to ``<title>``: the document's language and direction."""
    direction = "rtl" if get_language_bidi() else "ltr"
    return mark_safe(  # noqa: S308  (each value escaped)
        f'<!doctype html>\n\n<html lang="{escape(get_language() or "")}" dir="{direction}">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '  <meta name="htmx-config" content=\'{"includeIndicatorStyles": false, '
        '"allowEval": false}\'>\n'
        "  <title>"
    )


@register.simple_tag(takes_context=True)
def shell_header(context) -> SafeString:
    """From the end of the title to the section menu: the head's files, the header with the
    search, the main menu, who is signed in with their roles and places, their own menu and
    the sign-out button, then ``<main>`` and the section menu when the page has one."""
    user = context.get("user")
    token = _token(context)
    parts = [
        f" · {_('Bridgework')}</title>\n"
        f'  <link rel="icon" href="{escape(static_url("img/favicon.svg"))}" type="image/svg+xml">\n'
        f'  <link rel="stylesheet" href="{escape(static_url("css/bridgework.css"))}">\n'
        f'  <script src="{escape(static_url("django_htmx/htmx-2.min.js"))}" defer></script>\n'
        f'  <script src="{escape(static_url("js/bridgework.js"))}" defer></script>\n'
        "</head>\n"
        f'<body hx-headers=\'{{"X-CSRFToken": "{escape(token)}"}}\'>\n'
        f'  <a class="skip-link" href="#main">{_("Skip to content")}</a>\n'
        '  <header class="site-header">\n'
        '    <div class="bar">\n'
        f'      <a class="brand" href="{escape(fixed_url("home"))}">{_("Bridgework")}</a>\n'
        "      "
    ]
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in:
        parts.append(_search_form(context.get("request")))
    parts.append("\n    </div>\n    ")
    if signed_in:
        parts.append(_menus(context, user))
    parts.append('\n  </header>\n  <main id="main" tabindex="-1">\n    ')
    section_menu = context.get("section_menu")
    if section_menu:
        parts.append(
            f'\n    <nav class="section-nav" aria-label="{_("This section")}">\n'
            f"      {menu_links(context, section_menu)}\n"
            "    </nav>\n    "
        )
    return mark_safe("".join(parts))  # noqa: S308  (each value escaped)


@register.simple_tag(takes_context=True)
def shell_close(context) -> SafeString:
    """The footer after ``</main>``: the language switcher and the help pages' links."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    help_links = "".join(
        f'<a href="{escape(str(entry.url))}"{_CURRENT_PAGE if current else ""}>'
        f"{escape(str(entry.label))}</a> · "
        for entry, current, _badge in context.get("help_menu") or ()
    )
    return mark_safe(  # noqa: S308  (each value escaped)
        "\n  </main>\n"
        '  <footer class="site-footer">\n'
        f'    <form action="{escape(fixed_url("set_language"))}" method="post" '
        f'class="inline language">{_csrf_input(context)}\n'
        f'      <input name="next" type="hidden" value="{escape(path)}">\n'
        f'      <label for="language-select">{_("Language")}</label>\n'
        '      <select id="language-select" name="language">\n'
        f"        {language_options(get_language())}\n"
        "      </select>\n"
        f'      <button type="submit">{_("Change")}</button>\n'
        "    </form>\n"
        f"    <p>{_(_MOTTO)}\n"
        f"       {help_links}"
        f'<a href="{escape(fixed_url("api-1.0.0:openapi-view"))}">{_("API")}</a></p>\n'
        "  </footer>\n"
        "</body>\n"
        "</html>"
    )


_CURRENT_PAGE = ' aria-current="page"'
_MOTTO = gettext_noop(
    "Bridgework — national–local cooperation against hate, extremism and polarisation."
)


def _token(context) -> str:
    """The request's masked CSRF token (one per request, as ``{{ csrf_token }}`` gives it), or
    "" when the page is written without a request."""
    token = context.get("csrf_token")
    return str(token) if token else ""


def _csrf_input(context) -> str:
    """``{% csrf_token %}``: Django's own tag, rendered here."""
    return CsrfTokenNode().render(context)


def _search_form(request) -> str:
    query = (request.GET.get("q") if request is not None else None) or ""
    return (
        f'\n      <form class="site-search" action="{escape(fixed_url("search"))}" method="get" '
        'role="search">\n'
        '        <label for="site-search-q" class="visually-hidden">'
        f"{_('Search organisations, people, bodies, meetings and places')}</label>\n"
        '        <input id="site-search-q" type="search" name="q" maxlength="100" '
        f'value="{escape(query)}" placeholder="{_("Search organisations, people, places…")}">\n'
        f'        <button type="submit">{_("Search")}</button>\n'
        "      </form>\n      "
    )


def _menus(context, user) -> str:
    held_roles = context.get("held_roles")
    if held_roles:
        held = "".join(
            f'<li><span class="role">{escape(str(each.role_name))}</span> · '
            f"{escape(str(each.place_name))}</li>"
            for each in held_roles
        )
        label = _("Your roles and places")
        roles = f'<ul class="held-roles" aria-label="{label}">\n        {held}\n      </ul>'
    else:
        roles = f'<span class="muted">{_("No role yet")}</span>'
    personal_menu = context.get("personal_menu")
    personal = (
        f'<nav class="personal-nav" aria-label="{_("Yours")}">\n'
        f"      {menu_links(context, personal_menu)}\n      </nav>"
        if personal_menu
        else ""
    )
    return (
        '\n    \n    <details class="menu">\n'
        f"    <summary>{_('Menu')}</summary>\n"
        f'    <nav class="main-nav" aria-label="{_("Main")}">\n'
        f"      {menu_links(context, context.get('menu') or [])}\n"
        "    </nav>\n"
        '    <div class="whoami">\n'
        f'      <span class="who">{escape(str(user))}</span>\n'
        f"      {roles}\n"
        f"      {personal}\n"
        f'      <form action="{escape(fixed_url("logout"))}" method="post" class="inline">'
        f"{_csrf_input(context)}"
        f'<button type="submit" class="link">{_("Sign out")}</button></form>\n'
        "    </div>\n"
        "    </details>\n    "
    )
