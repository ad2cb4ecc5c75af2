"""Action items across levels: my actions, overdue on both sides, updates, notifications."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.actors.models import Post
from bridgework.bodies.choices import ActionStatus
from bridgework.bodies.factories import ActionItemFactory, BodyFactory
from bridgework.bodies.models import ActionItem, ActionUpdate
from bridgework.bodies.notifications import ACTION_OVERDUE
from bridgework.notifications.models import EmailDelivery, Notification
from bridgework.notifications.testing import immediate_tasks
from bridgework.web.testing import covers


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def district(tree):
    """A district organisation in the city with a partner whose person holds a post there,
    and a national body in the country above that raises actions."""
    org = OrganisationFactory(
        place=tree.city, name="Riverton District Council", level=OrgLevel.LOCAL
    )
    user = UserFactory(label="district")
    user.email = "dana@example.test"  # her account's address: notices to her go there
    user.save()
    RoleAssignmentFactory(user=user, role="partner", place=tree.city)
    person = PersonFactory(
        place=tree.city,
        full_name="Dana District",
        email="dana@example.test",
        user=user,
        post_in=org,
    )
    body = BodyFactory(place=tree.country, name="National Board", level=OrgLevel.NATIONAL)
    return type("District", (), {"org": org, "user": user, "person": person, "body": body})


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# --- my actions --------------------------------------------------------------------------------


@covers("bodies:my_actions")
def test_my_actions_holds_items_of_my_person_and_my_organisations(tree, district):
    mine_by_org = ActionItemFactory(
        raised_by=district.body, owner=district.org, title="Report on tensions"
    )
    mine_by_person = ActionItemFactory(
        raised_by=district.body, owner=district.person, title="Call the imam"
    )
    former = OrganisationFactory(place=tree.city, name="Former employer")
    Post.objects.create(
        person=district.person, organisation=former, title="Clerk", ends_on=days(-30)
    )
    not_mine = ActionItemFactory(raised_by=district.body, owner=former, title="Old job")
    someone_else = ActionItemFactory(
        raised_by=district.body, owner=OrganisationFactory(place=tree.city), title="Not mine"
    )
    done = ActionItemFactory(
        raised_by=district.body, owner=district.org, title="Finished", status=ActionStatus.DONE
    )

    response = client_for(district.user).get(reverse("bodies:my_actions"))
    assert response.status_code == 200
    open_titles = {item.title for item in response.context["open_items"]}
    assert open_titles == {mine_by_org.title, mine_by_person.title}
    assert {item.pk for item in response.context["finished_items"]} == {done.pk}
    page = response.content.decode()
    assert not_mine.title not in page and someone_else.title not in page


def test_overdue_items_surface_for_owner_and_raising_body(tree, district):
    late = ActionItemFactory(
        raised_by=district.body, owner=district.org, title="Late reply", due_on=days(-3)
    )
    ActionItemFactory(
        raised_by=district.body, owner=district.org, title="Not yet due", due_on=days(3)
    )
    ActionItemFactory(
        raised_by=district.body,
        owner=district.org,
        title="Late but done",
        due_on=days(-3),
        status=ActionStatus.DONE,
    )

    owner_view = client_for(district.user).get(reverse("bodies:my_actions"))
    assert owner_view.context["overdue_count"] == 1
    assert "overdue" in owner_view.content.decode()

    body_view = client_for(tree.ancestor).get(district.body.get_absolute_url())
    assert [item.pk for item in body_view.context["overdue"]] == [late.pk]
    assert len(body_view.context["open_actions"]) == 2


@covers("bodies:overdue_actions")
def test_overdue_page_groups_by_raising_body_within_scope(tree, district):
    late = ActionItemFactory(
        raised_by=district.body, owner=district.org, title="Late reply", due_on=days(-1)
    )
    hidden = ActionItemFactory(
        raised_by=BodyFactory(place=tree.sibling),
        owner=OrganisationFactory(place=tree.sibling),
        title="Sibling's late item",
        due_on=days(-1),
    )
    response = client_for(tree.in_scope).get(reverse("bodies:overdue_actions"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [item.pk for items in groups.values() for item in items] == [late.pk]
    assert hidden.title not in response.content.decode()


# --- updates and status --------------------------------------------------------------------------


@covers("bodies:action_progress")
def test_partner_posts_an_update_and_completes_the_item(tree, district):
    item = ActionItemFactory(raised_by=district.body, owner=district.org, due_on=days(-1))
    client = client_for(district.user)
    url = reverse("bodies:action_progress", args=[item.pk])
    response = client.post(url, {"text": "Sent the report", "status": "done"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    update = ActionUpdate.objects.get(item=item)
    assert (update.status_from, update.status_to, update.author) == ("open", "done", district.user)
    assert item.place == district.org.place  # the item lives with its owner


def test_a_reader_without_change_cannot_move_the_status(tree, district):
    item = ActionItemFactory(raised_by=district.body, owner=district.org)
    resident = UserFactory(label="resident")
    RoleAssignmentFactory(user=resident, role="resident", place=tree.city)
    url = reverse("bodies:action_progress", args=[item.pk])
    assert client_for(resident).post(url, {"status": "done"}).status_code == 404
    assert client_for(tree.sibling_user).post(url, {"status": "done"}).status_code == 404
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN and not item.updates.exists()


# --- notifications -----------------------------------------------------------------------------
# Notices go through bridgework.notifications: notify() enqueues a delivery task after the
# commit, the delivery writes in-app rows and queues one email per recipient. These tests run
# the tasks at once (immediate backend) when the on-commit callbacks run.


@pytest.fixture
def immediate():
    with immediate_tasks():
        yield


def run_callbacks(capture, callbacks) -> None:
    """Run captured on-commit callbacks as the commit would, with the ones they queue."""
    with capture(execute=True):
        for callback in callbacks:
            callback()


def test_assignment_email_goes_to_post_holders_after_commit(
    tree, district, immediate, django_capture_on_commit_callbacks
):
    colleague = PersonFactory(
        place=tree.city, full_name="Colin", email="colin@example.test", post_in=district.org
    )
    PersonFactory(place=tree.city, full_name="No email", post_in=district.org)
    client = client_for(tree.ancestor)
    data = {
        "title": "Map the youth groups",
        "raised_by": district.body.pk,
        "owner_organisation": district.org.pk,
        "due_on": str(days(14)),
        "status": "open",
        "tlp": 1,
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("bodies:actionitem_add"), data)
        assert response.status_code == 302
        assert mail.outbox == []  # nothing leaves before the commit
    assert not Notification.objects.exists() and not EmailDelivery.objects.exists()
    run_callbacks(django_capture_on_commit_callbacks, callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["colin@example.test", "dana@example.test"]
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody learns the others' addresses
    assert "Map the youth groups" in mail.outbox[0].subject
    assert colleague.email in {m.to[0] for m in mail.outbox}
    # Dana has an account: the notice is in her inbox too. Colin has none: email only.
    assert [n.recipient for n in Notification.objects.all()] == [district.user]
    # A delivery that runs again (a retried task) sends nothing twice.
    run_callbacks(django_capture_on_commit_callbacks, callbacks)
    assert len(mail.outbox) == 2 and Notification.objects.count() == 1


def test_reassignment_notifies_the_new_owner_only(
    tree, district, immediate, django_capture_on_commit_callbacks
):
    item = ActionItemFactory(raised_by=district.body, owner=district.org, title="Draft a plan")
    person = PersonFactory(place=tree.city, full_name="Pia", email="pia@example.test")
    data = {
        "title": "Draft a plan",
        "raised_by": district.body.pk,
        "owner_person": person.pk,
        "status": "open",
        "tlp": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(tree.ancestor).post(
            reverse("bodies:actionitem_edit", args=[item.pk]), data
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["pia@example.test"]]
    mail.outbox.clear()
    data["title"] = "Draft a better plan"  # same owner: no new email
    with django_capture_on_commit_callbacks(execute=True):
        client_for(tree.ancestor).post(reverse("bodies:actionitem_edit", args=[item.pk]), data)
    assert mail.outbox == []


def run_overdue_command(capture, *args) -> None:
    """Run the command as a scheduler would: its emails leave when its transaction commits."""
    with capture(execute=True):
        call_command("notify_overdue_actions", *args, stdout=StringIO())


def test_overdue_command_is_idempotent_per_item_per_day(
    tree, district, immediate, django_capture_on_commit_callbacks
):
    late = ActionItemFactory(
        raised_by=district.body, owner=district.org, title="Late", due_on=days(-2)
    )
    ActionItemFactory(
        raised_by=district.body,
        owner=district.org,
        title="Done",
        due_on=days(-2),
        status=ActionStatus.DONE,
    )
    ActionItemFactory(raised_by=district.body, owner=district.org, title="Future", due_on=days(2))

    run_overdue_command(django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == ["[Bridgework] Overdue action: Late"]
    run_overdue_command(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1  # the same day: nothing new
    late.refresh_from_db()
    assert late.overdue_notified_on == timezone.localdate()

    run_overdue_command(django_capture_on_commit_callbacks, "--date", str(days(1)))
    assert len(mail.outbox) == 2  # the next day: one more reminder
    assert Notification.objects.filter(recipient=district.user, kind=ACTION_OVERDUE).count() == 2


def test_overdue_command_sends_only_after_commit(
    tree, district, immediate, django_capture_on_commit_callbacks
):
    ActionItemFactory(raised_by=district.body, owner=district.person, due_on=days(-1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("notify_overdue_actions", stdout=StringIO())
    assert mail.outbox == [] and len(callbacks) == 1
    run_callbacks(django_capture_on_commit_callbacks, callbacks)
    assert [m.to for m in mail.outbox] == [["dana@example.test"]]


def test_an_overdue_reminder_for_an_item_finished_before_delivery_is_dropped(
    tree, district, immediate, django_capture_on_commit_callbacks
):
    item = ActionItemFactory(raised_by=district.body, owner=district.person, due_on=days(-1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("notify_overdue_actions", stdout=StringIO())
    ActionItem.objects.filter(pk=item.pk).update(status=ActionStatus.DONE)
    run_callbacks(django_capture_on_commit_callbacks, callbacks)
    assert mail.outbox == [] and not Notification.objects.exists()


# --- scope of the owner's place ----------------------------------------------------------------


def test_an_item_sits_where_both_sides_reach_it_and_follows_a_new_owner(tree, district):
    ministry = OrganisationFactory(
        place=tree.country,
        name="Ministry",
        sector=Sector.NATIONAL_GOVERNMENT,
        level=OrgLevel.NATIONAL,
    )
    # A city body asks the ministry: the item stays in the city, inside the ministry's reach.
    item = ActionItemFactory(
        raised_by=BodyFactory(place=tree.city), owner=ministry, title="Answer the city"
    )
    assert item.place == tree.city
    # A national body asks the district: the item sits at the district's place.
    down = ActionItemFactory(
        raised_by=BodyFactory(place=tree.country), owner=district.org, title="Send the plan"
    )
    assert down.place == district.org.place
    # Across branches it sits with whoever owes it.
    across = ActionItemFactory(
        raised_by=BodyFactory(place=tree.sibling), owner=ministry, title="Sibling asks"
    )
    assert across.place == tree.sibling  # the sibling lies inside the ministry's country
    far = OrganisationFactory(place=tree.other_country, name="Abroad")
    abroad = ActionItemFactory(
        raised_by=BodyFactory(place=tree.city), owner=far, title="Abroad owes"
    )
    assert abroad.place == tree.other_country
    item.owner_organisation = district.org
    item.save()
    assert ActionItem.objects.get(pk=item.pk).place_path == tree.city.path


def test_a_city_coordinator_can_ask_a_ministry_for_an_answer(tree, district):
    """The issue's example: a ministry can owe a district council an answer."""
    ministry = OrganisationFactory(
        place=tree.country,
        name="Ministry",
        sector=Sector.NATIONAL_GOVERNMENT,
        level=OrgLevel.NATIONAL,
    )
    body = BodyFactory(place=tree.city)
    client = client_for(tree.in_scope)
    response = client.post(
        reverse("bodies:actionitem_add"),
        {
            "title": "Answer on the youth fund",
            "raised_by": body.pk,
            "owner_organisation": ministry.pk,
            "due_on": days(10).isoformat(),
            "status": "open",
            "tlp": 1,
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    item = ActionItem.objects.get(title="Answer on the youth fund")
    assert item.place == tree.city
    assert client_for(tree.ancestor).get(item.get_absolute_url()).status_code == 200


def test_api_filters_mine_and_overdue(tree, district):
    late = ActionItemFactory(raised_by=district.body, owner=district.org, due_on=days(-1))
    ActionItemFactory(raised_by=district.body, owner=district.org, due_on=days(5))
    ActionItemFactory(
        raised_by=district.body, owner=OrganisationFactory(place=tree.city), due_on=days(-1)
    )
    client = client_for(district.user)
    mine = client.get(reverse("api-1.0.0:list_actions") + "?mine=true").json()["items"]
    assert len(mine) == 2
    overdue = client.get(reverse("api-1.0.0:list_actions") + "?mine=true&overdue=true").json()
    assert [row["id"] for row in overdue["items"]] == [late.pk]
    assert overdue["items"][0]["overdue"] is True


def test_a_step_tells_those_who_owe_it_and_who_raised_it_never_the_one_who_took_it(
    tree, district, immediate, django_capture_on_commit_callbacks
):
    from bridgework.activity.workflows import do_transition
    from bridgework.bodies.notifications import ACTION_MOVED

    raiser = tree.ancestor
    client = client_for(raiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bodies:actionitem_add"),
            {
                "title": "Report on the town hall",
                "raised_by": district.body.pk,
                "owner_organisation": district.org.pk,
                "tlp": 1,
            },
        )
    assert response.status_code == 302
    item = ActionItem.objects.get(title="Report on the town hall")
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_transition(item, "complete", acting_user=district.user)
    told = set(Notification.objects.filter(kind=ACTION_MOVED).values_list("recipient", flat=True))
    assert told == {raiser.pk}  # the owner's person took the step: not told of their own act
    (message,) = mail.outbox
    assert "done" in message.subject.lower() and "Report on the town hall" in message.subject
