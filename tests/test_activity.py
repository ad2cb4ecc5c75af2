"""Semantic events (timelines, the place feed) and workflows (the action items' table, its help
pages, steps through the progress form and the API)."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.activity.models import Event
from bridgework.activity.selectors import place_activity, timeline_of
from bridgework.activity.workflows import available_transitions, do_transition, workflows
from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.choices import ActionStatus
from bridgework.bodies.factories import ActionItemFactory, BodyFactory, SeatFactory
from bridgework.bodies.models import ActionItem, Body
from bridgework.bodies.workflows import ACTION_ITEM
from bridgework.core.actions import do_create_record, do_delete_record, do_update_record
from bridgework.core.tlp import TLP
from bridgework.web.testing import WorkflowTests

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestActionItemWorkflow(WorkflowTests):
    workflow = ACTION_ITEM

    def make_record(self, place, state):
        return ActionItemFactory(raised_by=BodyFactory(place=place), status=state)


# --- events -------------------------------------------------------------------------------------


def test_generic_writes_leave_created_changed_and_deleted_events(tree):
    body = Body(name="Peace Committee", kind="district_peace_committee", level="local")
    body.place = tree.city
    do_create_record(body, acting_user=tree.in_scope)
    body.mandate = "Keep the peace"
    do_update_record(body, acting_user=tree.in_scope)
    events = list(Event.objects.about(body).order_by("occurred_at", "pk"))
    assert [e.verb for e in events] == ["created", "changed"]
    assert all(e.actor_id == tree.in_scope.pk for e in events)
    assert events[0].place_path == tree.city.path and events[0].tlp == body.tlp
    pk = body.pk
    do_delete_record(body, acting_user=tree.in_scope)
    assert Event.objects.filter(object_id=str(pk), verb="deleted").count() == 1


def test_place_writes_on_the_pages_leave_events(tree):
    """Creating, changing and deleting a place through its pages: created, changed, deleted,
    by the acting user, at the place's path; the feed of the city above names the new place."""
    from bridgework.places.models import Place

    client = client_for(tree.in_scope)
    data = {"name": "Riverside", "parent": tree.city.pk, "code": "", "pcode": ""}
    assert client.post(reverse("places:place_add"), data).status_code == 302
    place = Place.objects.get(name="Riverside")
    feed = place_activity(tree.city, tree.in_scope)
    assert [(e.sentence, e.record) for e in feed[:1]] == [("created it", place)]
    data["name"] = "Riverside North"
    assert client.post(reverse("places:place_edit", args=[place.pk]), data).status_code == 302
    pk, path = place.pk, place.path
    assert client.post(reverse("places:place_delete", args=[pk])).status_code == 302
    events = list(Event.objects.filter(object_id=str(pk), place_path=path).order_by("pk"))
    assert [e.verb for e in events] == ["created", "changed", "deleted"]
    assert {e.actor_id for e in events} == {tree.in_scope.pk}


def test_places_imported_without_a_user_leave_no_events(tree):
    from bridgework.places.factories import PlaceFactory

    place = PlaceFactory(parent=tree.city)  # as imports and the demo create them
    assert not Event.objects.about(place).exists()


def test_an_erasure_is_an_event_without_personal_data(tree):
    from bridgework.actors.actions import do_erase_person
    from bridgework.actors.factories import PersonFactory

    person = PersonFactory(
        place=tree.city, full_name="Quentin Erasable", email="q.erasable@example.org"
    )
    do_erase_person(person, acting_user=tree.in_scope)
    event = Event.objects.about(person).get(verb="erased")
    assert event.actor_id == tree.in_scope.pk and event.place_path == tree.city.path
    stored = json.dumps([event.verb, event.note, event.workflow, event.from_state, event.to_state])
    assert "Quentin" not in stored and "erasable" not in stored.lower()
    entry = timeline_of(person, tree.in_scope)[0]
    assert entry.sentence == "erased the personal data it held"


def test_a_part_takes_its_parents_label(tree):
    body = BodyFactory(place=tree.city, tlp=TLP.AMBER)
    seat = SeatFactory(body=body)
    from bridgework.activity.events import effective_tlp

    assert effective_tlp(seat) == TLP.AMBER
    assert effective_tlp(tree.city) == TLP.CLEAR


def test_the_place_feed_holds_only_what_the_reader_may_see(tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    green = BodyFactory(place=tree.city, name="Open table")
    amber = BodyFactory(place=tree.city, name="Closed table", tlp=TLP.AMBER)
    sibling = BodyFactory(place=tree.sibling, name="Sibling table")
    for body in (green, amber, sibling):
        do_update_record(body, acting_user=tree.ancestor)
    seen = {entry.record for entry in place_activity(tree.region, partner)}
    assert green in seen
    assert amber not in seen  # above a partner's ceiling: not even as "a record"
    assert sibling not in seen
    coordinator_sees = {entry.record for entry in place_activity(tree.region, tree.ancestor)}
    assert {green, amber, sibling} <= coordinator_sees


def test_a_record_later_hidden_is_not_named_in_the_feed(tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    body = BodyFactory(place=tree.city, name="Was open")
    do_update_record(body, acting_user=tree.ancestor)  # the event is written GREEN
    body.tlp = TLP.AMBER
    body.save()
    entries = [e for e in place_activity(tree.city, partner) if e.event.object_id == str(body.pk)]
    assert entries and all(entry.record is None for entry in entries)


def test_place_page_shows_the_feed_and_record_pages_their_timeline(tree):
    body = BodyFactory(place=tree.city, name="Riverton Peace Committee")
    do_update_record(body, acting_user=tree.in_scope)
    place_page = client_for(tree.in_scope).get(tree.city.get_absolute_url())
    assert place_page.status_code == 200
    assert b"Riverton Peace Committee" in place_page.content
    assert b"Recent activity here and below" in place_page.content
    page = client_for(tree.in_scope).get(body.get_absolute_url())
    assert [entry.event.verb for entry in page.context["timeline"]] == ["changed"]
    assert len(timeline_of(body, tree.in_scope)) == 1


# --- workflows ----------------------------------------------------------------------------------


def test_the_action_item_workflow_is_declared_and_found():
    assert workflows()["bodies.actionitem"] is ACTION_ITEM
    assert {t.name for t in ACTION_ITEM.transitions} == {"start", "complete", "cancel", "reopen"}


def test_the_help_pages_render_the_table(tree):
    client = client_for(tree.in_scope)
    listing = client.get(reverse("activity:workflow_list"))
    assert listing.status_code == 200 and b"Action items" in listing.content
    page = client.get(reverse("activity:workflow_detail", args=["bodies.actionitem"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mark done" in text and "Partner" in text and "a note saying why" in text
    assert client.get(reverse("activity:workflow_detail", args=["no.such"])).status_code == 404
    assert Client().get(reverse("activity:workflow_list")).status_code == 302


def test_a_partner_may_finish_but_not_cancel(tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city))
    assert {t.name for t in available_transitions(item, partner)} == {"start", "complete"}
    with pytest.raises(PermissionDenied):
        do_transition(item, "cancel", acting_user=partner, note="Not needed")
    do_transition(item, "complete", acting_user=partner)
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    assert available_transitions(item, partner) == []


def test_an_unknown_step_is_a_clear_error(tree):
    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city))
    with pytest.raises(ValidationError):
        do_transition(item, "teleport", acting_user=tree.in_scope)


def test_the_progress_form_moves_the_item_through_the_workflow(tree):
    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city))
    client = client_for(tree.in_scope)
    page = client.get(item.get_absolute_url())
    offered = dict(page.context["progress_form"].fields["status"].choices)
    assert ActionStatus.DONE in offered and ActionStatus.OPEN not in offered
    url = reverse("bodies:action_progress", args=[item.pk])
    response = client.post(url, {"text": "Sent the report", "status": "done"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    event = Event.objects.about(item).get(verb="transition")
    assert (event.from_state, event.to_state, event.note) == ("open", "done", "Sent the report")
    # Cancelling a finished item is not a step the table has: nothing moves.
    client.post(url, {"text": "Oops", "status": "cancelled"})
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE


def test_the_edit_form_cannot_set_the_status(tree):
    item = ActionItemFactory(
        raised_by=BodyFactory(place=tree.city), owner=OrganisationFactory(place=tree.city)
    )
    client = client_for(tree.in_scope)
    response = client.post(
        reverse("bodies:actionitem_edit", args=[item.pk]),
        {
            "title": item.title,
            "raised_by": item.raised_by_id,
            "owner_organisation": item.owner_organisation_id,
            "status": "done",
            "tlp": item.tlp,
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN


def test_api_updates_take_steps_too(tree):
    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city))
    client = client_for(tree.in_scope)
    response = client.post(
        reverse("api-1.0.0:create_action_update"),
        data=json.dumps({"item": item.pk, "text": "Started", "status": "in_progress"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert ActionItem.objects.get(pk=item.pk).status == ActionStatus.IN_PROGRESS
    refused = client.post(
        reverse("api-1.0.0:create_action_update"),
        data=json.dumps({"item": item.pk, "text": "Back", "status": "open"}),
        content_type="application/json",
    )
    assert refused.status_code in {400, 422}
    assert ActionItem.objects.get(pk=item.pk).status == ActionStatus.IN_PROGRESS
