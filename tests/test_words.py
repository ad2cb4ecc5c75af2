"""Words, not internals (issue point 8): activity names in the reader's language wherever they
show, and a demo whose minutes, attendance and meeting names agree whatever today's date."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from bridgework.actors.actions import do_save_organisation
from bridgework.actors.choices import DEFAULT_THEMES, OrgLevel, Sector, theme_label
from bridgework.actors.forms import OrganisationForm
from bridgework.actors.models import Organisation, Theme
from bridgework.bodies import selectors
from bridgework.bodies.models import Decision, Meeting


def french_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(user)
    return client


@pytest.fixture
def mapped(tree):
    custom = Theme.objects.create(slug="market-mediation", name="Market mediation")
    organisation = Organisation(
        name="Riverton Youth Forum", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.city
    )
    do_save_organisation(
        organisation,
        acting_user=tree.ancestor,
        areas=[tree.ward],
        save_related=lambda: organisation.themes.set(
            Theme.objects.filter(slug__in=["youth-engagement", "market-mediation"])
        ),
    )
    other = Organisation(
        name="Ward Youth Circle", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.ward
    )
    do_save_organisation(
        other,
        acting_user=tree.ancestor,
        areas=[],
        save_related=lambda: other.themes.set(Theme.objects.filter(slug="youth-engagement")),
    )
    return organisation, custom


def test_every_default_theme_has_a_french_name(db):
    with translation.override("fr"):
        untranslated = [name for _slug, name in DEFAULT_THEMES if theme_label(name) == name]
    assert not untranslated
    seeded = {theme.slug: str(theme) for theme in Theme.objects.all()}
    assert seeded["youth-engagement"] == "Youth engagement"


def test_themes_show_in_the_readers_language_everywhere(tree, mapped):
    organisation, _custom = mapped
    client = french_client(tree.in_scope)

    detail = client.get(organisation.get_absolute_url()).content.decode()
    assert "Engagement des jeunes" in detail and "Market mediation" in detail
    assert "Youth engagement" not in detail

    listing = client.get(reverse("actors:organisation_list")).content.decode()
    assert "Engagement des jeunes" in listing and "Youth engagement" not in listing

    three_w = client.get(reverse("actors:three_w"), {"place": tree.city.name}).content.decode()
    assert "Engagement des jeunes" in three_w  # the matrix's column and the overlap's row
    assert three_w.count("Engagement des jeunes") >= 2
    assert "Youth engagement" not in three_w

    with translation.override("fr"):
        form = OrganisationForm(user=tree.in_scope, action="add")
        labels = {str(label) for _value, label in form.fields["themes"].choices}
    assert {"Engagement des jeunes", "Police de proximité", "Market mediation"} <= labels


def test_a_renamed_default_theme_keeps_its_new_name(db):
    theme = Theme.objects.get(slug="early-warning")
    theme.name = "Early warning and response"
    theme.save()
    with translation.override("fr"):
        assert str(theme) == "Early warning and response"


# --- the demo agrees with itself -----------------------------------------------------------------

SEASONS = re.compile(
    r"\b(spring|summer|autumn|fall|winter|january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b",
    re.IGNORECASE,
)


@pytest.mark.django_db
def test_the_demo_agrees_with_itself_whatever_the_date():
    call_command("load_demo")
    now = timezone.now()
    checked = 0
    for meeting in Meeting.objects.filter(is_demo=True, minutes__icontains="quorum was met"):
        trend = _trend_row(meeting, now)
        assert trend.quorum, f"{meeting.title}: the minutes say quorum, {trend.present} came"
        checked += 1
    assert checked, "the demo no longer says quorum anywhere: drop or change this test"
    words = [m.title for m in Meeting.objects.filter(is_demo=True)]
    words += [m.minutes for m in Meeting.objects.filter(is_demo=True)]
    words += [d.text for d in Decision.objects.filter(meeting__is_demo=True)]
    dated = [text for text in words if SEASONS.search(text)]
    assert not dated, f"demo words tied to a season or month, whatever the date: {dated}"


def _trend_row(meeting: Meeting, now):
    from bridgework.access.models import User

    admin = User.objects.get(email="admin@demo.bridgework.test")
    return selectors.attendance_trend(meeting.body, admin, now).get(pk=meeting.pk)
