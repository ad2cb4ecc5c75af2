"""The shell's menus and language choices are written in Python (``web/templatetags/shell``):
the same HTML the template loops wrote, escaped and localized alike."""

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.utils.translation import override

from bridgework.web.templatetags.shell import language_options, menu_links

# What the shell's templates were, kept here as the reference.
MENU_AS_TEMPLATE = (
    '{% load i18n %}<ul>\n        {% for entry, current, badge in entries %}<li><a href="'
    '{{ entry.url }}"{% if current %} aria-current="{{ current }}"{% endif %}>{{ entry.label }}'
    '{% if badge %} <span class="badge count">{{ badge }}<span class="visually-hidden"> '
    '{% translate "new" %}</span></span>{% endif %}</a></li>\n        {% endfor %}\n      </ul>'
)
LANGUAGES_AS_TEMPLATE = (
    "{% load i18n %}{% get_current_language as LANGUAGE_CODE %}"
    "{% get_available_languages as LANGUAGES %}{% get_language_info_list for LANGUAGES as "
    'languages %}{% for language in languages %}\n        <option value="{{ language.code }}"'
    ' lang="{{ language.code }}"{% if language.code == LANGUAGE_CODE %} selected{% endif %}>'
    "{{ language.name_local }}</option>{% endfor %}"
)


class _Entry:
    def __init__(self, url, label):
        self.url, self.label = url, label


ENTRIES = [
    (_Entry("/", "Home"), "", 0),
    (_Entry("/inbox/?a=1&b=2", 'Inbox <new> & "quoted"'), "page", 3),
    (_Entry("/organisations/", "Organisations"), "true", 0),
    (_Entry("/reports/", "Reports"), "", 1234),
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("entries", [ENTRIES, ENTRIES[:1], []], ids=["all", "one", "none"])
def test_a_menu_is_what_the_template_wrote(language, entries):
    with override(language):
        expected = Template(MENU_AS_TEMPLATE).render(Context({"entries": entries}))
        assert menu_links(Context({}), entries) == expected


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_language_choices_are_what_the_template_wrote(language):
    request = RequestFactory().get("/")
    with override(language):
        expected = Template(LANGUAGES_AS_TEMPLATE).render(RequestContext(request, {}))
        assert language_options(language) == expected
        assert f'value="{language}" lang="{language}" selected>' in expected


def test_a_menu_written_once_is_written_again_when_what_decides_it_changes():
    """Menus are kept once written: another language, another current page or another count
    is another menu, each what the template writes."""
    seen = set()
    for _ in range(2):  # the second round reads what the first kept
        for language in ("en", "fr"):
            for current, badge in (("", 0), ("page", 0), ("page", 7)):
                entries = [(ENTRIES[0][0], current, badge), ENTRIES[3]]
                with override(language):
                    context = Context({"entries": entries})
                    expected = Template(MENU_AS_TEMPLATE).render(context)
                    written = menu_links(Context({}), entries)
                assert written == expected
                seen.add(written)
    assert len(seen) == 6
    assert any("nouveau" in each for each in seen) and any(" new<" in each for each in seen)


@pytest.mark.parametrize(
    "path", ["img/favicon.svg", "css/bridgework.css", "django_htmx/htmx-2.min.js", "a b&c.js"]
)
def test_a_static_address_is_what_the_static_tag_writes(path):
    from django.urls import set_script_prefix

    for prefix in ("/", "/under/"):
        try:
            set_script_prefix(prefix)
            for _ in range(2):  # the second reads what the first kept
                written = Template("{% load shell %}{% static_url path %}").render(
                    Context({"path": path})
                )
                expected = Template("{% load static %}{% static path %}").render(
                    Context({"path": path})
                )
                assert written == expected
        finally:
            set_script_prefix("/")
