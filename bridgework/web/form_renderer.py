"""The form renderer: Django's own widget templates, with the commonest written in Python.

Django renders each ``<input>``, ``<select>``, ``<option>``, label and error list through a
template, and each ``<option>`` through two more (``select_option.html`` includes
``attrs.html``). A filter form of six fields with a few dozen options then costs 2-5 ms a page:
a third of a list page's rendering. :class:`FormRenderer` writes these few templates' output in
Python, byte for byte what the templates give (``tests/test_form_renderer.py`` compares them
over every form the project renders), and leaves every other template — and any project or app
that overrides one of these — to the template engine. The one-record picker of this app's own
widgets (two templates, on every list page with a place filter) is written the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import django.forms
from django.forms.models import ModelChoiceIteratorValue
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData
from django.utils.translation import get_language, gettext

from bridgework.core.kept import KeptTexts

__all__ = ["FormRenderer"]

_DJANGO_FORM_TEMPLATES = Path(django.forms.__file__).parent / "templates"
_AUTOESCAPE = Context(autoescape=True)  # what ``{{ value }}`` does: localized, escaped

INPUT = "django/forms/widgets/input.html"
# Django's widget templates that are nothing but ``{% include "…/input.html" %}``.
_INPUT_ALIASES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        *("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number"),
        *("password", "search", "tel", "text", "time", "url"),
    )
}
SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
LABEL = "django/forms/label.html"
ERRORS = "django/forms/errors/list/default.html"
ERRORS_UL = "django/forms/errors/list/ul.html"


def _shown(value: Any) -> str:
    """``{{ value }}``."""
    return render_value_in_context(value, _AUTOESCAPE)


def _as_string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps safe input safe, escapes the rest."""
    text = str(value) if isinstance(value, tuple) else "%s" % (value,)  # noqa: UP031 (as the filter)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``: ``True`` a bare attribute, ``False`` none."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_as_string(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_as_string(widget["value"])}"'
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _option(option: Mapping[str, Any]) -> str:
    key = _option_key(option)
    if key is None:
        return _write_option(option)
    # The label is kept with the text: a translated label is named by its identity.
    return _WRITTEN_OPTIONS.get(key, option["label"], lambda: _write_option(option))


def _write_option(option: Mapping[str, Any]) -> str:
    # The option template ends with a newline, which the select keeps.
    return (
        f'<option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_shown(option['label'])}</option>\n"
    )


# Options already written, by all that decides their text. A filter form's selects write the
# same few dozen options on every page, each label translated and escaped anew: a tenth of a
# list page's rendering.
_WRITTEN_OPTIONS: KeptTexts[str] = KeptTexts(limit=4096)
_KEY_TYPES = (str, int, bool)


def _option_key(option: Mapping[str, Any]) -> tuple | None:
    """What decides an option's text — its value, its attributes, its label (text as it is; a
    translated label by identity and language) — or None when one of them is of a kind not
    worth keeping (a number to localise, an object with its own ``__str__``)."""
    label = option["label"]
    if type(label) is str:
        label_key: Any = label
    elif isinstance(label, Promise):
        label_key = (id(label), get_language())
    else:
        return None
    value = option["value"]
    if isinstance(value, ModelChoiceIteratorValue):
        value = value.value  # type: ignore[attr-defined]
    if type(value) not in _KEY_TYPES:
        return None
    attrs = option["attrs"]
    if any(type(each) not in _KEY_TYPES for each in attrs.values()):
        return None
    return (label_key, type(value), value, tuple(attrs.items()))


def _select(widget: Mapping[str, Any]) -> str | None:
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None  # an option of its own: the templates render the whole select
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = _shown(widget["value"]) if widget["value"] else ""
    name = _shown(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: Mapping[str, Any]) -> str:
    if not context["use_tag"]:
        return _shown(context["label"])
    tag = _shown(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{_shown(context['label'])}</{tag}>"


def _errors(context: Mapping[str, Any]) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    described = f' id="{_shown(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_shown(error)}</li>" for error in errors)
    return f'<ul class="{_shown(context["error_class"])}"{described}>{items}</ul>'


PLACE_PICKER = "web/widgets/place_picker.html"
PICKER_SEARCH = "web/widgets/_picker_search.html"


def _record_picker(widget: Mapping[str, Any]) -> str:
    """``place_picker.html`` (with ``_picker_search.html``): the picker of one record, its
    current choice as a checked radio button, and the search box that fetches the others.
    The templates' own sentences are written as ``{% translate %}`` writes them (a template's
    text is markup: not escaped)."""
    own_id = _shown(widget["attrs"].get("id", ""))
    parts = [
        '<div class="place-picker">\n  <div class="place-picker-results" '
        f'id="{own_id}-results" role="radiogroup" aria-live="polite" '
        f'aria-label="{_shown(widget["results_label"])}">\n    '
    ]
    if widget["current"]:
        code = widget["current_code"]
        muted = f' <span class="muted">{_shown(code)}</span>' if code else ""
        parts.append(
            f'\n      <label class="choice"><input type="radio" name="{_shown(widget["name"])}" '
            f'value="{_shown(widget["current_value"])}" checked> {_shown(widget["current"])}'
            f"{muted}</label>\n    "
        )
    parts.append(
        f'\n  </div>\n  <input type="search" id="{own_id}" name="{_shown(widget["name"])}__search"'
        ' class="place-picker-search"\n         placeholder="'
        f'{gettext("Type a name or code")}" autocomplete="off"\n'
        f'         aria-describedby="{own_id}-hint"\n'
        f'         hx-get="{_shown(widget["lookup_url"])}" hx-trigger="input changed delay:300ms,'
        f' search"\n         hx-target="#{own_id}-results" hx-include="this">\n\n'
        f'  <p class="hint" id="{own_id}-hint">'
        f"{gettext('Search, then choose one of the matches.')}</p>\n</div>\n"
    )
    return "".join(parts)


_WRITERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    INPUT: lambda context: _input(context["widget"]),
    **{name: (lambda context: _input(context["widget"])) for name in _INPUT_ALIASES},
    SELECT: lambda context: _select(context["widget"]),
    TEXTAREA: lambda context: _textarea(context["widget"]),
    LABEL: _label,
    ERRORS: _errors,
    ERRORS_UL: _errors,
    PLACE_PICKER: lambda context: _record_picker(context["widget"]),
}
# The templates a writer stands for (an alias includes input.html; select includes its option
# and attrs templates): the writer is used only while all of them are the files it knows.
_STANDS_FOR = {
    **{name: (name, INPUT, "django/forms/widgets/attrs.html") for name in _INPUT_ALIASES},
    INPUT: (INPUT, "django/forms/widgets/attrs.html"),
    SELECT: (SELECT, OPTION, "django/forms/widgets/attrs.html"),
    TEXTAREA: (TEXTAREA, "django/forms/widgets/attrs.html"),
    LABEL: (LABEL, "django/forms/attrs.html"),
    ERRORS: (ERRORS, ERRORS_UL),
    ERRORS_UL: (ERRORS_UL,),
    PLACE_PICKER: (PLACE_PICKER, PICKER_SEARCH),
}
# Where each template must come from for its writer to stand for it: Django's form templates,
# or this app's own widgets.
_OWN_TEMPLATES = Path(__file__).parent / "templates"
_HOME = {PLACE_PICKER: _OWN_TEMPLATES, PICKER_SEARCH: _OWN_TEMPLATES}


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with Python writers for its plainest widget templates."""

    def __init__(self) -> None:
        super().__init__()
        self._writable: dict[str, bool] = {}

    def render(self, template_name: str, context: dict[str, Any], request=None) -> str:
        writer = _WRITERS.get(template_name)
        if writer is not None and self._is_unchanged(template_name):
            written = writer(context)
            if written is not None:
                return written.strip()
        return super().render(template_name, context, request)

    def _is_unchanged(self, template_name: str) -> bool:
        """Whether the template and those it includes resolve to the files its writer stands
        for, Django's or this app's (another app may override any of them, and then its
        template is what renders)."""
        known = self._writable.get(template_name)
        if known is None:
            known = self._writable[template_name] = all(
                Path(self.get_template(name).origin.name).is_relative_to(
                    _HOME.get(name, _DJANGO_FORM_TEMPLATES)
                )
                for name in _STANDS_FOR[template_name]
            )
        return known
