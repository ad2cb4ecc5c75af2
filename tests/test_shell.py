"""The shell's menus and language choices are written in Python (``web/templatetags/shell``):
the same HTML the template loops wrote, escaped and localized alike."""

import re
from pathlib import Path

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


# --- the whole shell ------------------------------------------------------------------------------

# ``base.html`` as a template, before its text was written by ``shell_open``, ``shell_header`` and
# ``shell_close``: the reference the tags are held to.
BASE_AS_TEMPLATE = (Path(__file__).parent / "reference" / "base_before_shell_tags.html").read_text()

PAGE = (
    '{% extends base %}{% block title %}A page & <its> "title"{% endblock %}'
    "{% block content %}<p>The content</p>{% endblock %}"
)
PAGE_WITH_BREADCRUMB = PAGE + "{% block breadcrumb %}<nav>Here</nav>{% endblock %}"


def _shell_pages(request):
    """The page written in the shell, then in the reference. Each context masks the request's
    CSRF secret anew, so the masked tokens are named alike (each page's are checked the same)."""
    from django.template.loader import get_template

    pages = []
    for base in (get_template("base.html").template, Template(BASE_AS_TEMPLATE)):
        page = Template(PAGE_WITH_BREADCRUMB).render(RequestContext(request, {"base": base}))
        tokens = set(re.findall(r"[A-Za-z0-9]{64}", page))
        assert len(tokens) == 1  # one per request, wherever the page needs it
        pages.append(page.replace(tokens.pop(), "TOKEN"))
    return pages


def _signed_in_request(user, path="/organisations/?q=a%26b%22%3Cc%3E&place=ca"):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.middleware.csrf import get_token
    from django.urls import resolve

    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.resolver_match = resolve(request.path)
    get_token(request)
    return request


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("who", ["coordinator", "no role", "anonymous"])
def test_the_shell_is_what_the_template_wrote(tree, language, who):
    from django.contrib import messages
    from django.contrib.auth.models import AnonymousUser

    from bridgework.access.factories import UserFactory

    user = {
        "coordinator": tree.ancestor,
        "no role": UserFactory(full_name='Ann "<O&Brien>"'),
        "anonymous": AnonymousUser(),
    }[who]
    with override(language):
        request = _signed_in_request(user)
        messages.info(request, "Saved <it> & done")  # shown by both
        written, expected = _shell_pages(request)
    assert written == expected
    assert "Saved &lt;it&gt; &amp; done" in written
    assert ('dir="rtl"' in written) == (language == "ar")
    assert ("csrfmiddlewaretoken" in written) is True
    assert ("held-roles" in written) == (who == "coordinator")


@pytest.mark.django_db
def test_a_page_with_a_section_menu_and_no_request_is_what_the_template_wrote(tree):
    from django.template.loader import get_template

    request = _signed_in_request(tree.ancestor, "/funding/applications/")
    written, expected = _shell_pages(request)
    assert written == expected
    assert 'class="section-nav"' in written
    bare = {"base": get_template("base.html").template}
    assert Template(PAGE).render(Context(bare)) == Template(PAGE).render(
        Context({"base": Template(BASE_AS_TEMPLATE)})
    )
