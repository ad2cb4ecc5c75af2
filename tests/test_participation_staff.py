"""Staff working on residents' proposals: editing a resident's words tells the author (page and
API alike); staff posting for residents have their own posting limit, apart from residents'."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.access.actions import do_create_api_token
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.notifications.models import Notification
from bridgework.notifications.testing import immediate_tasks
from bridgework.participation.factories import ProposalFactory, make_resident
from bridgework.participation.models import Proposal

pytestmark = pytest.mark.django_db

EDITED = "participation.proposal_edited"


def _coordinator(place):
    user = UserFactory.create(label="coordinator")
    RoleAssignmentFactory.create(user=user, role="local_coordinator", place=place)
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit(client, proposal, **changes):
    data = {"kind": "proposal", "title": proposal.title, "body": proposal.body}
    data["place"] = proposal.place_id
    data.update(changes)
    return client.post(reverse("participation:proposal_edit", args=[proposal.pk]), data)


def test_staff_editing_the_text_tells_the_author(tree, django_capture_on_commit_callbacks):
    author = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author)
    staff = _client(_coordinator(tree.ward))
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        assert _edit(staff, proposal, body="Street lights on the market path").status_code == 302
    told = Notification.objects.get(kind=EDITED)
    assert told.recipient == author and proposal.title in told.subject
    assert told.url == proposal.get_public_url()


def test_a_change_that_leaves_the_text_alone_tells_nobody(tree, django_capture_on_commit_callbacks):
    proposal = ProposalFactory(place=tree.ward, author=make_resident(tree.ward))
    staff = _client(_coordinator(tree.ward))
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        assert _edit(staff, proposal, kind="concern").status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).kind == "concern"
    assert not Notification.objects.filter(kind=EDITED).exists()


def test_an_edit_through_the_api_tells_the_author_too(tree, django_capture_on_commit_callbacks):
    author = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author)
    _token, secret = do_create_api_token(user=_coordinator(tree.ward), name="script")
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        response = Client().patch(
            reverse("api-1.0.0:update_proposal", args=[proposal.pk]),
            {"title": "Lights on the market path"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
    assert response.status_code == 200, response.content
    assert Notification.objects.get(kind=EDITED).recipient == author


def test_staff_posting_does_not_share_the_residents_limit(tree, settings):
    settings.PARTICIPATION_POST_RATE = "2/h"
    settings.PARTICIPATION_STAFF_POST_RATE = "4/h"
    staff = _client(_coordinator(tree.ward))
    add = reverse("participation:proposal_add")
    codes = [
        staff.post(
            add,
            {
                "kind": "proposal",
                "title": f"From the paper form {n}",
                "body": "x",
                "place": tree.ward.pk,
            },
        ).status_code
        for n in range(5)
    ]
    # Past the residents' 2, up to the staff's own 4, then refused too.
    assert codes == [302, 302, 302, 302, 400]
    resident = _client(make_resident(tree.ward))
    resident_codes = [
        resident.post(
            reverse("participation:propose"),
            {"kind": "proposal", "title": f"Mine {n}", "body": "x", "place": tree.ward.pk},
        ).status_code
        for n in range(3)
    ]
    assert resident_codes == [302, 302, 400]
