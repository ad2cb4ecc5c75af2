"""Hand-written page tests: home, browsing, networks and hubs, the picker, account, health."""

from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.db.utils import OperationalError
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import ApiToken
from bridgework.places.models import Hub, Network, NetworkMembership
from bridgework.web.testing import covers


@covers("home")
def test_home_lists_the_users_places(client, tree):
    client.force_login(tree.in_scope)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    places = dict(response.context["sections"])["web/_home_places.html"]["my_places"]
    assert [p.pk for p in places] == [tree.city.pk]
    assert b"Riverton" in response.content


def test_a_visitor_who_is_not_signed_in_is_told_what_bridgework_is(client, tree):
    """The front door: what the platform is and how to get in, and no record of anyone's."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "What you find inside" in page
    assert f'href="{reverse("login")}"' in page
    assert "Riverton" not in page and "site-search" not in page  # no place, no search, no menu
    assert "sections" not in response.context
    # It leads to what anyone may read: residents' proposals and the knowledge hub.
    assert f'href="{reverse("participation:public_index")}"' in page
    assert f'href="{reverse("knowledge:search")}"' in page
    assert client.get(reverse("knowledge:search")).status_code == 200


@covers("places:browse")
def test_browse_starts_at_the_users_highest_places(client, tree):
    client.force_login(tree.ancestor)
    response = client.get(reverse("places:browse"))
    assert [p.pk for p in response.context["tops"]] == [tree.country.pk]
    client.force_login(tree.no_role)
    assert list(client.get(reverse("places:browse")).context["tops"]) == []


def test_place_breadcrumb_links_the_places_above(client, tree):
    client.force_login(tree.in_scope)
    response = client.get(tree.ward.get_absolute_url())
    crumbs = response.context["crumbs"]
    assert [c.place.name for c in crumbs] == ["World", "Xanadu", "Northern Region", "Riverton"]
    assert all(c.visible for c in crumbs)
    html = response.content.decode()
    assert f'href="{tree.country.get_absolute_url()}"' in html


def test_a_place_page_names_only_the_successors_in_the_readers_scope(client, tree):
    """A ward split across a boundary change: the part that went to the sibling city is not
    named on the old ward's page for the city's coordinator; the part that stayed is."""
    from bridgework.places.factories import PlaceFactory

    old = PlaceFactory(parent=tree.city, name="Old Riverside", closed_on=date(2024, 1, 1))
    kept = PlaceFactory(parent=tree.city, name="New Riverside", succeeds=old)
    PlaceFactory(parent=tree.sibling, name="Hillbury Annex", succeeds=old)
    PlaceFactory(parent=tree.other_country, name="Borduria Strip", succeeds=old)
    client.force_login(tree.in_scope)
    response = client.get(old.get_absolute_url())
    assert response.status_code == 200
    assert [p.pk for p in response.context["successors"]] == [kept.pk]
    body = response.content.decode()
    assert "New Riverside" in body
    assert "Hillbury Annex" not in body and "Borduria Strip" not in body
    client.force_login(tree.ancestor)  # the country's coordinator sees both in the country
    names = {p.name for p in client.get(old.get_absolute_url()).context["successors"]}
    assert names == {"New Riverside", "Hillbury Annex"}


def test_places_above_show_only_the_users_branch(client, tree):
    """A city's coordinator sees the region above, but not the sibling city in it."""
    client.force_login(tree.ancestor)
    response = client.get(tree.region.get_absolute_url())
    assert [p.name for p in response.context["children"].items] == ["Hillbury", "Riverton"]
    client.force_login(tree.in_scope)
    response = client.get(tree.region.get_absolute_url())
    assert response.status_code == 200
    assert [p.name for p in response.context["children"].items] == ["Riverton"]
    assert "can_change" in response.context and not response.context["can_change"]
    assert client.get(tree.sibling.get_absolute_url()).status_code == 404
    assert client.get(tree.other_country.get_absolute_url()).status_code == 404


def test_place_search_by_name_and_code(client, tree):
    client.force_login(tree.ancestor)
    url = reverse("places:place_list")
    by_name = client.get(url, {"q": "river"})
    assert {obj.name for obj, _ in by_name.context["rows"]} == {"Riverton", "Riverton Ward 1"}
    by_code = client.get(url, {"q": "xa-n"})
    assert [obj.name for obj, _ in by_code.context["rows"]] == ["Northern Region"]
    client.force_login(tree.sibling_user)
    assert client.get(url, {"q": "river"}).context["rows"] == []


def test_place_list_htmx_returns_only_the_table(client, tree):
    client.force_login(tree.ancestor)
    response = client.get(
        reverse("places:place_list"), {"q": "river"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Riverton" in response.content


@covers("places:network_detail", "places:hub_detail")
def test_network_and_hub_pages_show_only_places_in_scope(client, tree):
    network = Network.objects.create(name="Cities network", slug="cities")
    hub = Hub.objects.create(network=network, name="Northern hub", slug="north")
    hub.places.set([tree.country, tree.other_country])
    NetworkMembership.objects.create(network=network, place=tree.city, joined_on=date(2020, 1, 1))
    NetworkMembership.objects.create(
        network=network, place=tree.sibling, joined_on=date(2020, 1, 1)
    )
    client.force_login(tree.in_scope)
    page = client.get(reverse("places:network_detail", args=["cities"]))
    assert [m.place_id for m in page.context["members"]] == [tree.city.pk]
    client.force_login(tree.ancestor)
    hub_page = client.get(reverse("places:hub_detail", args=["north"]))
    assert [p.pk for p in hub_page.context["places"]] == [tree.country.pk]
    assert client.get(reverse("places:hub_detail", args=["nowhere"])).status_code == 404


@covers("record_pick")
def test_place_picker_offers_only_places_in_scope(client, tree):
    client.force_login(tree.ancestor)
    url = reverse("record_pick")
    query = {"model": "places.place", "field": "parent", "for": "places.place", "action": "add"}
    response = client.get(url, {**query, "parent__search": "ton"})
    assert {m.record.name for m in response.context["matches"]} == {"Riverton", "Riverton Ward 1"}
    client.force_login(tree.in_scope)
    response = client.get(url, {**query, "parent__search": "hill"})
    assert list(response.context["matches"]) == []
    bad = client.get(url, {**query, "for": "nope.nothing"})
    assert bad.status_code == 404


@covers("account", "token_create", "token_revoke")
def test_tokens_are_created_shown_once_stored_hashed_and_revoked(client, tree):
    client.force_login(tree.in_scope)
    assert client.get(reverse("account")).status_code == 200
    response = client.post(reverse("token_create"), {"name": "report script"})
    secret = response.context["new_secret"]
    assert secret.startswith("bw_")
    token = ApiToken.objects.get(user=tree.in_scope)
    assert secret not in token.key_hash and token.prefix == secret[:10]
    assert client.get(reverse("account")).context["new_secret"] is None
    api = client.__class__(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/me").status_code == 200
    client.post(reverse("token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/me").status_code == 401


def test_a_calendar_token_is_made_on_the_account_page(client, tree):
    client.force_login(tree.in_scope)
    response = client.post(reverse("token_create"), {"name": "phone", "purpose": "calendar"})
    assert response.context["new_secret"].startswith("bwcal_")
    assert ApiToken.objects.get(user=tree.in_scope).purpose == "calendar"
    assert b"Calendar apps" in client.get(reverse("account")).content


def test_token_needs_a_name_and_only_its_owner_may_revoke(client, tree):
    client.force_login(tree.in_scope)
    assert client.post(reverse("token_create"), {"name": "  "}).status_code == 400
    client.post(reverse("token_create"), {"name": "mine"})
    token = ApiToken.objects.get(user=tree.in_scope)
    client.force_login(tree.sibling_user)
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 404


@covers("healthz")
def test_healthz_reports_the_database(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    with mock.patch("bridgework.web.views.connection.cursor", side_effect=OperationalError("down")):
        down = client.get(reverse("healthz"))
    assert down.status_code == 503
    assert down.json()["database"] == "unreachable"


@covers("access:user_detail", "access:user_deactivate")
def test_user_page_and_deactivation_end_every_session(client, tree):
    from django.test import Client

    victim_session = Client()
    victim_session.force_login(tree.in_scope)
    assert victim_session.get(reverse("home")).status_code == 200
    client.force_login(tree.ancestor)
    page = client.get(reverse("access:user_detail", args=[tree.in_scope.pk]))
    assert page.status_code == 200 and page.context["can_manage"]
    client.post(reverse("access:user_deactivate", args=[tree.in_scope.pk]))
    tree.in_scope.refresh_from_db()
    assert not tree.in_scope.is_active
    assert victim_session.get(reverse("account")).status_code == 302
    # a peer elsewhere can neither see nor disable them
    client.force_login(tree.sibling_user)
    assert client.get(reverse("access:user_detail", args=[tree.ancestor.pk])).status_code == 404
    assert (
        client.post(reverse("access:user_deactivate", args=[tree.ancestor.pk])).status_code == 404
    )


def test_a_peer_at_the_same_rank_cannot_disable_someone_above(client, tree):
    client.force_login(tree.in_scope)
    # the ancestor's assignment (country) is not visible to a city coordinator
    assert client.get(reverse("access:user_detail", args=[tree.ancestor.pk])).status_code == 404


@covers(
    "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete"
)
def test_password_reset_flow(client, tree):
    response = client.post(reverse("password_reset"), {"email": tree.in_scope.email})
    assert response.status_code == 302
    assert client.get(reverse("password_reset_done")).status_code == 200
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-much-longer-secret-42", "new_password2": "a-much-longer-secret-42"},
    )
    assert done.status_code == 302
    assert client.get(reverse("password_reset_complete")).status_code == 200
    signed_in = client.post(
        reverse("login"), {"username": tree.in_scope.email, "password": "a-much-longer-secret-42"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("home")


@covers("set_language")
def test_language_switch_to_french(client, tree):
    client.force_login(tree.in_scope)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.headers["Content-Language"] == "fr"
    assert b'lang="fr"' in page.content


def test_invitation_email_is_sent_after_commit(client, tree, django_capture_on_commit_callbacks):
    client.force_login(tree.in_scope)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("access:roleassignment_add"),
            {
                "email": "new.person@example.test",
                "full_name": "New Person",
                "role": tree.in_scope.assignments.get()
                .role.__class__.objects.get(slug="partner")
                .pk,
                "place": tree.ward.pk,
            },
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new.person@example.test"]]
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "path", ["/places/999999/", "/memberships/999999/", "/access/assignments/999999/"]
)
def test_missing_records_are_404_pages(client, tree, path):
    client.force_login(tree.ancestor)
    response = client.get(path)
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_export_links_only_for_those_who_may_export(client, tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    client.force_login(partner)
    page = client.get(reverse("places:place_list"))
    assert page.context["can_export"] is False and b"format=csv" not in page.content
    assert client.get(reverse("places:place_list"), {"format": "csv"}).status_code == 403
    client.force_login(tree.in_scope)
    page = client.get(reverse("places:place_list"))
    assert page.context["can_export"] is True and b"format=csv" in page.content


@covers("record_pick")
def test_record_picker_replaces_long_selects_and_searches_in_scope(client, tree):
    from bridgework.actors.choices import OrgLevel, Sector
    from bridgework.actors.models import Organisation
    from bridgework.bodies.forms import SeatForm
    from bridgework.web.widgets import RecordPicker

    for n in range(51):
        Organisation.objects.create(
            name=f"Riverton Group {n}", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.city
        )
    Organisation.objects.create(
        name="Hillbury Group", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.sibling
    )
    form = SeatForm(user=tree.in_scope, action="add")
    assert isinstance(form.fields["organisation"].widget, RecordPicker)
    assert "<option" not in str(form["organisation"])  # no 51-option select in the page
    client.force_login(tree.in_scope)
    url = reverse("record_pick")
    found = client.get(
        url,
        {
            "model": "actors.organisation",
            "field": "organisation",
            "organisation__search": "group 4",
        },
    )
    assert {m.record.name for m in found.context["matches"]} == {
        "Riverton Group 4",
        "Riverton Group 40",
        "Riverton Group 41",
        "Riverton Group 42",
        "Riverton Group 43",
        "Riverton Group 44",
        "Riverton Group 45",
        "Riverton Group 46",
        "Riverton Group 47",
        "Riverton Group 48",
        "Riverton Group 49",
    }
    hidden = client.get(
        url,
        {
            "model": "actors.organisation",
            "field": "organisation",
            "organisation__search": "hillbury",
        },
    )
    assert list(hidden.context["matches"]) == []
    # Only models that declare a search field can be searched this way.
    assert (
        client.get(url, {"model": "access.user", "field": "x", "x__search": "own"}).status_code
        == 404
    )
    assert client.get(url, {"model": "no.such", "field": "x"}).status_code == 404
