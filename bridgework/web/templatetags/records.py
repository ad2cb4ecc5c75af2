"""``{% record obj %}``: a related record's name and link, or "a record you cannot see".

Every template that names a record other than the page's own goes through this tag, so the
decision is the access layer's (:class:`~bridgework.access.policy.Sight`), never the
template's. Views preload the records a list names (``sight_for(user).preload(...)``) so a
list costs one query per kind of record, not one per row.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from bridgework.access.policy import HIDDEN, sight_for

register = template.Library()

__all__ = ["record"]


@register.simple_tag(takes_context=True)
def record(context, obj, link: bool = True, empty: str = "—"):
    if obj is None or obj == "":
        return empty
    request = context.get("request")
    user = getattr(request, "user", None)
    if not sight_for(user).sees(obj):
        return format_html('<span class="muted hidden-record">{}</span>', HIDDEN)
    url = obj.get_absolute_url() if link and hasattr(obj, "get_absolute_url") else ""
    if url:
        return format_html('<a href="{}">{}</a>', url, obj)
    return format_html("{}", obj)
