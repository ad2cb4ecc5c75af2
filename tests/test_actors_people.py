"""People's contact details, personal-data export and erasure."""

import io
import json

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.actions import do_save_organisation, do_save_person, do_save_post
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, Person, Post
from bridgework.web.testing import covers

SECRET_NAME = "Zephyrine Quillfeather"
SECRET_EMAIL = "zephyrine.q@example.org"
SECRET_PHONE = "+44 7700 900123"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tree):
    """A person with two posts at the city, written through the actions (so audited)."""
    actor = tree.in_scope
    org = do_save_organisation(
        Organisation(
            name="Riverton Peace Forum",
            sector=Sector.CIVIL_SOCIETY,
            level=OrgLevel.LOCAL,
            place=tree.city,
        ),
        acting_user=actor,
        areas=[],
    )
    person = do_save_person(
        Person(
            full_name=SECRET_NAME,
            email=SECRET_EMAIL,
            phone=SECRET_PHONE,
            notes=f"Call {SECRET_NAME} first",
            place=tree.city,
        ),
        acting_user=actor,
    )
    person.phone = "+44 7700 900999"
    do_save_person(person, acting_user=actor)
    post = do_save_post(Post(person=person, organisation=org, title="Chair"), acting_user=actor)
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    hub = UserFactory(label="hub")
    RoleAssignmentFactory(user=hub, role="hub_officer", place=tree.city)
    return {"org": org, "person": person, "post": post, "partner": partner, "hub": hub}


def test_contacts_only_for_view_contacts(tree, world):
    person = world["person"]
    pages = [
        reverse("actors:person_list"),
        reverse("actors:person_detail", args=[person.pk]),
        reverse("api-1.0.0:list_people"),
        reverse("api-1.0.0:get_person", args=[person.pk]),
    ]
    coordinator = client_for(tree.in_scope)
    for url in pages:
        assert SECRET_EMAIL in coordinator.get(url).content.decode(), url
    for user in (world["partner"], world["hub"]):
        client = client_for(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert SECRET_NAME in body, url  # the person is visible…
            assert SECRET_EMAIL not in body and "900999" not in body, url  # …not their contacts
    # The hub officer may export the list: the export omits contacts too.
    export = client_for(world["hub"]).get(reverse("actors:person_list") + "?format=csv")
    assert export.status_code == 200
    exported = export.getvalue().decode("utf-8-sig")  # a streamed CSV, with a BOM for Excel
    assert SECRET_NAME in exported and SECRET_EMAIL not in exported
    api = client_for(world["hub"]).get(reverse("api-1.0.0:get_person", args=[person.pk])).json()
    assert api["email"] is None and api["phone"] is None
    # Without need-to-know anywhere, the contact columns are not shown at all.
    listed = client_for(world["partner"]).get(reverse("actors:person_list"))
    assert [str(c.label) for c in listed.context["columns"]] == ["Name", "Place", "Current posts"]
    assert exported.splitlines()[0] == "Name,Place,Current posts"
    listed = coordinator.get(reverse("actors:person_list"))
    assert "Email" in [str(c.label) for c in listed.context["columns"]]


def test_edit_form_hides_contacts_from_those_who_may_not_see_them(tree, world):
    # A coordinator role without view_contacts: the national role minus that one action.
    from bridgework.access.models import PolicyRule, Role

    role = Role.objects.get(slug="national_coordinator")
    PolicyRule.objects.filter(role=role, action="view_contacts").delete()
    response = client_for(tree.in_scope).get(
        reverse("actors:person_edit", args=[world["person"].pk])
    )
    assert response.status_code == 200
    assert SECRET_EMAIL not in response.content.decode()
    assert "email" not in response.context["form"].fields


def test_audit_log_never_holds_contacts(world):
    text = json.dumps([[e.object_repr, e.changes, e.changes_text] for e in LogEntry.objects.all()])
    assert SECRET_EMAIL not in text and "900999" not in text and "900123" not in text
    assert "[hidden]" in text  # the change itself is recorded


@covers("actors:person_export_personal", "api-1.0.0:export_person")
def test_personal_data_export_page_and_api(tree, world):
    person = world["person"]
    url = reverse("actors:person_export_personal", args=[person.pk])
    response = client_for(tree.in_scope).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["person"]["email"] == SECRET_EMAIL
    assert [p["title"] for p in data["posts"]] == ["Chair"]
    assert {e["model"] for e in data["history"]} == {"person", "post"}
    assert data["seats"] == []
    # partner: visible but not allowed; sibling: invisible
    assert client_for(world["partner"]).get(url).status_code == 403
    assert client_for(tree.sibling_user).get(url).status_code == 404
    api = reverse("api-1.0.0:export_person", args=[person.pk])
    assert client_for(tree.in_scope).get(api).json()["person"]["phone"] == "+44 7700 900999"
    assert client_for(world["partner"]).get(api).status_code == 403
    assert client_for(tree.sibling_user).get(api).status_code == 404


def _exported(client, person) -> list[dict]:
    """The personal-data export of ``person`` from the page and from the API."""
    page = client.get(reverse("actors:person_export_personal", args=[person.pk]))
    api = client.get(reverse("api-1.0.0:export_person", args=[person.pk]))
    assert page.status_code == api.status_code == 200
    return [json.loads(page.content), api.json()]


def test_personal_data_export_never_names_an_organisation_out_of_sight(tree, world):
    """A post the reader may see, in an organisation they may not (RED at their own city, or
    one out of their places): the export gives neither its name nor its id."""
    from bridgework.actors.factories import OrganisationFactory
    from bridgework.core.tlp import TLP

    person = world["person"]
    red = OrganisationFactory(place=tree.city, name="Crimson Circle (RED)", tlp=TLP.RED)
    elsewhere = OrganisationFactory(place=tree.sibling, name="Hillbury Hidden Trust")
    for hidden, title in ((red, "Red post"), (elsewhere, "Far post")):
        post = do_save_post(
            Post(person=person, organisation=world["org"], title=title), acting_user=tree.in_scope
        )
        if hidden is red:  # moved there by someone who may see it: the history says so
            post.organisation = hidden
            do_save_post(post, acting_user=tree.in_scope)
        else:  # as written by someone else, or the organisation moved afterwards
            Post.objects.filter(pk=post.pk).update(organisation=hidden)
    for data in _exported(client_for(tree.in_scope), person):
        text = json.dumps(data)
        assert "Crimson" not in text and "Hillbury Hidden" not in text
        by_title = {p["title"]: p for p in data["posts"]}
        assert set(by_title) == {"Chair", "Red post", "Far post"}
        for title in ("Red post", "Far post"):
            assert by_title[title]["organisation"] == "a record you cannot see"
            assert by_title[title]["organisation_id"] is None
        assert by_title["Chair"]["organisation"] == "Riverton Peace Forum"
        assert by_title["Chair"]["organisation_id"] == world["org"].pk
        assert data["person"]["place"] == tree.city.name
        moved = [
            e["changes"]["organisation"]
            for e in data["history"]
            if e["model"] == "post" and e["action"] == "update"
        ]
        assert ["Riverton Peace Forum", "a record you cannot see"] in moved


def test_personal_data_export_lists_only_seats_on_bodies_in_sight(tree, world):
    from bridgework.bodies.factories import BodyFactory, SeatFactory
    from bridgework.core.tlp import TLP

    person = world["person"]
    seen = SeatFactory(body=BodyFactory(place=tree.city, name="Riverton Table"), person=person)
    SeatFactory(body=BodyFactory(place=tree.city, name="Scarlet Board", tlp=TLP.RED), person=person)
    SeatFactory(body=BodyFactory(place=tree.sibling, name="Hillbury Board"), person=person)
    for data in _exported(client_for(tree.in_scope), person):
        assert [(s["id"], s["body"], s["body_id"]) for s in data["seats"]] == [
            (seen.pk, "Riverton Table", seen.body_id)
        ]
        text = json.dumps(data)
        assert "Scarlet" not in text and "Hillbury Board" not in text


def _everything_visible(client, tree, world) -> str:
    """Every page, API answer, export and history that could mention the person."""
    person, post, org = world["person"], world["post"], world["org"]
    urls = [
        reverse("actors:person_list"),
        reverse("actors:person_list") + "?format=csv",
        reverse("actors:person_detail", args=[person.pk]),
        reverse("actors:person_history", args=[person.pk]),
        reverse("actors:post_list"),
        reverse("actors:post_list") + "?format=csv",
        reverse("actors:post_detail", args=[post.pk]),
        reverse("actors:post_history", args=[post.pk]),
        reverse("actors:organisation_detail", args=[org.pk]),
        reverse("actors:organisation_history", args=[org.pk]),
        reverse("actors:person_export_personal", args=[person.pk]),
        reverse("actors:popolo") + f"?place={tree.country.pk}",
        reverse("actors:three_w_export") + f"?place={tree.country.pk}",
        reverse("api-1.0.0:list_people"),
        reverse("api-1.0.0:get_person", args=[person.pk]),
        reverse("api-1.0.0:list_posts"),
        reverse("api-1.0.0:get_post", args=[post.pk]),
        reverse("api-1.0.0:export_person", args=[person.pk]),
        reverse("api-1.0.0:popolo") + f"?place={tree.country.pk}",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.getvalue().decode("utf-8-sig"))  # exports are streamed
    xlsx = client.get(reverse("actors:person_list") + "?format=xlsx").getvalue()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    bodies.append(json.dumps([[str(c) for c in row] for row in sheet.iter_rows(values_only=True)]))
    return "\n".join(bodies)


@covers("actors:person_erase", "api-1.0.0:erase_person")
def test_erasure_leaves_no_trace(tree, world):
    person = world["person"]
    client = client_for(tree.in_scope)
    before = _everything_visible(client, tree, world)
    assert SECRET_NAME in before and SECRET_EMAIL in before  # the search itself works

    url = reverse("actors:person_erase", args=[person.pk])
    assert client_for(world["partner"]).post(url).status_code == 403
    assert client_for(tree.sibling_user).post(url).status_code == 404
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302

    person.refresh_from_db()
    assert person.full_name == f"Erased person {person.pk}" and person.erased_at is not None
    assert (person.email, person.phone, person.notes) == ("", "", "")
    assert Post.objects.filter(person=person).count() == 1  # the post stays, anonymous
    after = _everything_visible(client, tree, world)
    for secret in (SECRET_NAME, SECRET_EMAIL, "Zephyrine", "Quillfeather", "900123", "900999"):
        assert secret not in after, secret
    search = client.get(reverse("actors:person_list") + "?q=Zephyrine")
    assert search.context["rows"] == []
    log = json.dumps(
        [
            [
                e.object_repr,
                e.changes,
                e.changes_text,
                e.serialized_data,
                e.additional_data,
                e.actor_email,
            ]
            for e in LogEntry.objects.all()
        ]
    )
    assert "Zephyrine" not in log and "Quillfeather" not in log and SECRET_EMAIL not in log
    erasure = LogEntry.objects.filter(object_pk=str(person.pk), changes_text__contains="erased")
    assert erasure.get().actor_id == tree.in_scope.pk
    # Erased records stay erased: no editing them back.
    edit = client.post(
        reverse("actors:person_edit", args=[person.pk]),
        {"full_name": "Someone", "place": tree.city.pk, "tlp": 1},
    )
    assert edit.status_code == 400


def test_erasure_through_the_api(tree, world):
    person = world["person"]
    url = reverse("api-1.0.0:erase_person", args=[person.pk])
    assert client_for(world["partner"]).post(url).status_code == 403
    assert client_for(tree.sibling_user).post(url).status_code == 404
    response = client_for(tree.in_scope).post(url)
    assert response.status_code == 200
    assert response.json()["full_name"] == f"Erased person {person.pk}"
    assert not LogEntry.objects.filter(object_repr__contains="Quillfeather").exists()
