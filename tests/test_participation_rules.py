"""Hand-written tests of the participation rules: posting (photo, limits, hostile input),
supports, the public read, answers published, referral up, outcomes in the plans module,
reports, auto-hide and moderation, comments one level deep, residents' privacy."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.activity.workflows import do_transition
from bridgework.notifications.models import Notification
from bridgework.notifications.testing import immediate_tasks
from bridgework.participation.actions import (
    check_photo,
    do_comment,
    do_make_outcome,
    do_moderate,
    do_publish_answer,
    do_report,
    do_support,
)
from bridgework.participation.choices import Moderation, ProposalStatus
from bridgework.participation.factories import (
    CommentFactory,
    ProposalFactory,
    SupportThresholdFactory,
    make_resident,
)
from bridgework.participation.models import Proposal, ProposalReferral
from bridgework.participation.selectors import support_threshold_for
from bridgework.web.testing import covers

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _private_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _coordinator(place, role="local_coordinator"):
    user = UserFactory.create(label="coordinator")
    RoleAssignmentFactory.create(user=user, role=role, place=place)
    return user


# --- posting ---------------------------------------------------------------------------------


@covers("participation:propose", "participation:public_proposal", "participation:photo")
def test_a_resident_posts_a_proposal_with_a_photo_that_anyone_can_read(tree):
    resident = make_resident(tree.ward, public_name="Chisomo W.")
    response = _client(resident).post(
        reverse("participation:propose"),
        {
            "kind": "proposal",
            "title": "Lights on the market path",
            "body": "It is dark after six.",
            "place": tree.ward.pk,
            "photo": SimpleUploadedFile("path.png", PNG, content_type="image/png"),
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_public_url()
    assert proposal.author == resident and proposal.handled_at == tree.ward
    assert proposal.photo.name.endswith(".png")
    page = Client().get(proposal.get_public_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lights on the market path" in html and "Chisomo W." in html
    assert resident.email not in html and resident.full_name not in html
    photo = Client().get(reverse("participation:photo", args=[proposal.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == PNG


def test_a_photo_is_checked_by_what_it_is_not_by_its_name(settings):
    assert check_photo(SimpleUploadedFile("a.jpg", JPEG)) == "jpg"
    with pytest.raises(ValidationError):
        check_photo(SimpleUploadedFile("a.png", b"<script>alert(1)</script>" * 4))
    settings.PARTICIPATION_PHOTO_MAX_BYTES = 32
    with pytest.raises(ValidationError):
        check_photo(SimpleUploadedFile("a.png", PNG))


def test_a_page_disguised_as_a_photo_is_refused_and_nothing_is_saved(tree):
    resident = make_resident(tree.ward)
    response = _client(resident).post(
        reverse("participation:propose"),
        {
            "kind": "concern",
            "title": "Rubbish",
            "body": "x",
            "place": tree.ward.pk,
            "photo": SimpleUploadedFile("x.png", b"<html><script>x</script></html>"),
        },
    )
    assert response.status_code == 400
    assert "JPEG, PNG or WebP" in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_resident_may_post_only_where_they_live(tree):
    resident = make_resident(tree.ward)
    response = _client(resident).post(
        reverse("participation:propose"),
        {"kind": "proposal", "title": "Elsewhere", "body": "x", "place": tree.sibling.pk},
    )
    assert response.status_code == 400 and not Proposal.objects.exists()
    assert _client(tree.no_role).get(reverse("participation:propose")).status_code == 403
    assert Client().get(reverse("participation:propose")).status_code == 302


def test_script_in_text_is_shown_as_text_and_oversized_text_is_refused(tree):
    resident = make_resident(tree.ward)
    client = _client(resident)
    client.post(
        reverse("participation:propose"),
        {
            "kind": "proposal",
            "title": "<script>alert('x')</script>",
            "body": "<img src=x onerror=alert(1)>",
            "place": tree.ward.pk,
        },
    )
    proposal = Proposal.objects.get()
    html = Client().get(proposal.get_public_url()).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    response = client.post(
        reverse("participation:propose"),
        {"kind": "proposal", "title": "Long", "body": "x" * 5001, "place": tree.ward.pk},
    )
    assert response.status_code == 400 and Proposal.objects.count() == 1


def test_flooding_is_stopped_by_the_posting_limit(tree, settings):
    settings.PARTICIPATION_POST_RATE = "3/h"
    resident = make_resident(tree.ward)
    client = _client(resident)
    codes = [
        client.post(
            reverse("participation:propose"),
            {"kind": "proposal", "title": f"Post {n}", "body": "x", "place": tree.ward.pk},
        ).status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 400, 400]
    assert Proposal.objects.count() == 3
    proposal = Proposal.objects.first()
    with pytest.raises(ValidationError, match="posted a lot"):
        do_comment(proposal, body="one more", acting_user=resident)


# --- supports and thresholds -----------------------------------------------------------------


@covers("participation:support")
def test_residents_support_once_and_never_their_own(tree):
    author = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author)
    neighbour = make_resident(tree.ward)
    client = _client(neighbour)
    client.post(reverse("participation:support", args=[proposal.pk]))
    client.post(reverse("participation:support", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.support_count == 1 and proposal.supports.count() == 1
    with pytest.raises(ValidationError):
        do_support(proposal, acting_user=author)
    with pytest.raises(PermissionDenied):
        do_support(proposal, acting_user=_coordinator(tree.city))  # staff are not residents
    elsewhere = make_resident(tree.sibling)
    assert client.post(reverse("participation:support", args=[999999])).status_code == 404
    assert (
        _client(elsewhere).post(reverse("participation:support", args=[proposal.pk])).status_code
        == 404
    )


def test_the_threshold_is_the_nearest_places(tree, settings):
    settings.PARTICIPATION_SUPPORT_THRESHOLD = 7
    proposal = ProposalFactory(place=tree.ward)
    assert support_threshold_for(proposal) == 7
    SupportThresholdFactory(place=tree.region, supports=100)
    assert support_threshold_for(proposal) == 100
    SupportThresholdFactory(place=tree.city, supports=12)
    assert support_threshold_for(proposal) == 12


# --- answers ---------------------------------------------------------------------------------


@covers(
    "participation:proposal_transition",
    "participation:proposal_publish",
    "participation:public_place",
)
def test_an_answer_is_public_only_once_published(tree, django_capture_on_commit_callbacks):
    author = make_resident(tree.ward)
    supporter = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author)
    do_support(proposal, acting_user=supporter)
    city = _coordinator(tree.city)
    staff = _client(city)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("participation:proposal_transition", args=[proposal.pk]),
            {"transition": "accept", "note": "We will light the path by March."},
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert {author.pk, supporter.pk} <= told
    assert "light the path" not in Client().get(proposal.get_public_url()).content.decode()
    response = staff.get(reverse("participation:proposal_publish", args=[proposal.pk]))
    assert response.status_code == 200
    staff.post(reverse("participation:proposal_publish", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.answer_published_at is not None
    assert "light the path" in Client().get(proposal.get_public_url()).content.decode()
    page = Client().get(reverse("participation:public_place", args=[tree.city.pk]))
    assert page.status_code == 200
    accepted = next(s for s in page.context["states"] if s.status == ProposalStatus.ACCEPTED)
    assert [p.pk for p in accepted.proposals] == [proposal.pk]
    assert page.context["average_days"] < 1
    with pytest.raises(PermissionDenied):
        do_publish_answer(proposal, acting_user=supporter)


def test_a_rejection_needs_its_reason(tree):
    proposal = ProposalFactory(place=tree.ward)
    with pytest.raises(ValidationError):
        do_transition(proposal, "reject", acting_user=_coordinator(tree.city), note=" ")


def test_referring_up_goes_to_the_level_above_the_referrer_and_keeps_the_trail(tree):
    proposal = ProposalFactory(place=tree.ward)
    city = _coordinator(tree.city)
    do_transition(proposal, "refer_up", acting_user=city, note="A regional matter")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFERRED and proposal.handled_at == tree.region
    referral = ProposalReferral.objects.get()
    assert (referral.from_place, referral.to_place) == (tree.ward, tree.region)
    with pytest.raises(PermissionDenied):  # no longer before the city
        do_transition(proposal, "accept", acting_user=city, note="yes")
    region = _coordinator(tree.region)
    do_transition(proposal, "accept", acting_user=region, note="The region funds it")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED


@covers("participation:followup")
def test_follow_up_lists_what_awaits_and_what_arrived_from_below(tree):
    waiting = ProposalFactory(place=tree.city)
    referred = ProposalFactory(place=tree.ward)
    do_transition(referred, "refer_up", acting_user=_coordinator(tree.city), note="Up")
    region = _coordinator(tree.region)
    response = _client(region).get(reverse("participation:followup"))
    assert response.status_code == 200
    assert {p.pk for p in response.context["waiting"]} == {waiting.pk, referred.pk}
    assert [p.pk for p in response.context["referred"]] == [referred.pk]
    city_view = _client(_coordinator(tree.city)).get(reverse("participation:followup"))
    assert [p.pk for p in city_view.context["waiting"]] == [waiting.pk]


@covers("participation:proposal_outcome")
def test_an_accepted_proposal_becomes_a_plan_action_or_a_need(tree):
    from bridgework.plans.factories import LocalPlanFactory, PlanPriorityFactory
    from bridgework.plans.models import LocalNeed, PlanAction

    city = _coordinator(tree.city)
    proposal = ProposalFactory(place=tree.ward, status=ProposalStatus.ACCEPTED)
    priority = PlanPriorityFactory(plan=LocalPlanFactory(place=tree.city))
    client = _client(city)
    assert (
        client.get(reverse("participation:proposal_outcome", args=[proposal.pk])).status_code == 200
    )
    response = client.post(
        reverse("participation:proposal_outcome", args=[proposal.pk]),
        {"kind": "plan_action", "priority": priority.pk},
    )
    assert response.status_code == 302
    action = PlanAction.objects.get()
    proposal.refresh_from_db()
    assert proposal.outcome == action and action.title == proposal.title
    with pytest.raises(ValidationError):
        do_make_outcome(proposal, kind="local_need", acting_user=city)
    open_one = ProposalFactory(place=tree.ward)
    with pytest.raises(ValidationError):
        do_make_outcome(open_one, kind="local_need", acting_user=city)
    second = ProposalFactory(place=tree.ward, status=ProposalStatus.ACCEPTED)
    need = do_make_outcome(second, kind="local_need", acting_user=city)
    assert isinstance(need, LocalNeed) and need.place == tree.ward


# --- withdrawal ------------------------------------------------------------------------------


@covers("participation:withdraw")
def test_only_the_author_withdraws(tree):
    author = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author)
    _client(make_resident(tree.ward)).post(reverse("participation:withdraw", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.NOT_ANSWERED
    _client(author).post(reverse("participation:withdraw", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN


# --- reports and moderation ------------------------------------------------------------------


@covers("participation:report", "participation:moderation", "participation:proposal_moderate")
def test_three_reports_hide_a_proposal_the_author_is_told_and_a_moderator_restores_it(
    tree, django_capture_on_commit_callbacks
):
    author = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author, title="Market stalls")
    reporters = [make_resident(tree.ward) for _ in range(3)]
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        for reporter in reporters:
            _client(reporter).post(
                reverse("participation:report", args=[proposal.pk]), {"reason": "offensive"}
            )
    proposal.refresh_from_db()
    assert proposal.moderation == Moderation.HIDDEN and proposal.report_count == 3
    assert Notification.objects.filter(
        recipient=author, kind="participation.content_hidden"
    ).exists()
    assert Client().get(proposal.get_public_url()).status_code == 404
    assert Proposal.objects.filter(pk=proposal.pk).exists()  # kept, never deleted
    city = _coordinator(tree.city)
    client = _client(city)
    queue = client.get(reverse("participation:moderation"))
    assert [p.pk for p in queue.context["proposals"]] == [proposal.pk]
    response = client.post(
        reverse("participation:proposal_moderate", args=[proposal.pk]),
        {"decision": "restore", "reason": ""},
    )
    assert response.status_code == 400  # a reason is required
    client.post(
        reverse("participation:proposal_moderate", args=[proposal.pk]),
        {"decision": "restore", "reason": "Criticism, not abuse"},
    )
    proposal.refresh_from_db()
    assert proposal.moderation == Moderation.CLEARED
    assert proposal.moderation_reason == "Criticism, not abuse"
    assert Client().get(proposal.get_public_url()).status_code == 200
    assert _client(reporters[0]).get(reverse("participation:moderation")).status_code == 403


def test_one_report_per_person_per_item(tree, settings):
    settings.PARTICIPATION_HIDE_AFTER_REPORTS = 2
    proposal = ProposalFactory(place=tree.ward)
    reporter = make_resident(tree.ward)
    do_report(proposal, reason="spam", acting_user=reporter)
    with pytest.raises(ValidationError):
        do_report(proposal, reason="spam", acting_user=reporter)
    proposal.refresh_from_db()
    assert proposal.report_count == 1 and proposal.moderation == Moderation.REPORTED


def test_a_comment_is_hidden_and_moderated_on_its_own(tree):
    proposal = ProposalFactory(place=tree.ward)
    comment = CommentFactory(proposal=proposal, body="Go back where you came from")
    for _ in range(3):
        do_report(
            proposal, reason="offensive", comment=comment, acting_user=make_resident(tree.ward)
        )
    comment.refresh_from_db()
    proposal.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN
    assert proposal.moderation == Moderation.VISIBLE
    assert "Go back where" not in Client().get(proposal.get_public_url()).content.decode()
    city = _coordinator(tree.city)
    response = _client(city).get(reverse("participation:moderation"))
    assert [c.pk for c in response.context["comments"]] == [comment.pk]
    do_moderate(proposal, decision="hide", reason="Hateful", comment=comment, acting_user=city)
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN and comment.moderation_reason == "Hateful"
    with pytest.raises(PermissionDenied):
        do_moderate(proposal, decision="restore", reason="x", acting_user=make_resident(tree.ward))


# --- comments --------------------------------------------------------------------------------


@covers("participation:comment")
def test_comments_are_threaded_one_level(tree):
    proposal = ProposalFactory(place=tree.ward)
    resident = make_resident(tree.ward, public_name="Tiwonge")
    client = _client(resident)
    client.post(reverse("participation:comment", args=[proposal.pk]), {"body": "Agreed"})
    first = proposal.comments.get()
    client.post(
        reverse("participation:comment", args=[proposal.pk]),
        {"body": "And the school path", "parent": first.pk},
    )
    reply = proposal.comments.exclude(pk=first.pk).get()
    assert reply.parent == first
    with pytest.raises(ValidationError):
        do_comment(proposal, body="deeper", parent=reply, acting_user=resident)
    html = Client().get(proposal.get_public_url()).content.decode()
    assert "And the school path" in html and "Tiwonge" in html and resident.email not in html


# --- the public index and API ----------------------------------------------------------------


@covers("participation:public_index", "api-1.0.0:public_proposals")
def test_the_public_read_needs_no_account_and_leaves_out_what_is_not_public(tree):
    shown = ProposalFactory(place=tree.ward, answer="Draft answer", status="accepted")
    hidden = ProposalFactory(place=tree.ward, moderation=Moderation.HIDDEN)
    index = Client().get(reverse("participation:public_index"))
    assert index.status_code == 200
    assert [(p.pk, n) for p, n in index.context["rows"]] == [(tree.ward.pk, 1)]
    body = Client().get(reverse("api-1.0.0:public_proposals") + f"?place={tree.city.pk}").json()
    assert [item["id"] for item in body["items"]] == [shown.pk]
    assert body["items"][0]["answer"] == ""
    assert "email" not in body["items"][0] and hidden.pk not in [i["id"] for i in body["items"]]
    assert Client().get(reverse("api-1.0.0:public_proposals") + "?place=0").status_code in (
        400,
        422,
    )


@covers("api-1.0.0:support_proposal", "api-1.0.0:comment_proposal", "api-1.0.0:report_proposal")
def test_residents_write_through_the_api(tree):
    proposal = ProposalFactory(place=tree.ward)
    client = _client(make_resident(tree.ward))
    headers = {"X-CSRFToken": "x"}
    client.cookies["csrftoken"] = "x"
    url = reverse("api-1.0.0:support_proposal", args=[proposal.pk])
    assert client.post(url, headers=headers).status_code == 200
    url = reverse("api-1.0.0:comment_proposal", args=[proposal.pk])
    response = client.post(url, {"body": "Yes"}, content_type="application/json", headers=headers)
    assert response.status_code == 201 and response.json()["author_name"].startswith("Neighbour")
    url = reverse("api-1.0.0:report_proposal", args=[proposal.pk])
    response = client.post(
        url, {"reason": "spam"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 201
    proposal.refresh_from_db()
    assert (proposal.support_count, proposal.report_count) == (1, 1)
    assert (
        Client().post(url, {"reason": "spam"}, content_type="application/json").status_code == 401
    )


def test_a_hidden_proposals_photo_is_not_served_to_the_public(tree):
    proposal = ProposalFactory(place=tree.ward, moderation=Moderation.HIDDEN)
    proposal.photo.save("proposal.png", io.BytesIO(PNG), save=True)
    assert Client().get(reverse("participation:photo", args=[proposal.pk])).status_code == 404
    staff = _client(_coordinator(tree.city))
    assert staff.get(reverse("participation:photo", args=[proposal.pk])).status_code == 200


def test_closed_proposals_are_archived_after_the_configured_months(tree, settings):
    import datetime

    from django.utils import timezone

    from bridgework.core.periodic import jobs
    from bridgework.participation.tasks import archive_closed_proposals

    settings.PARTICIPATION_ARCHIVE_MONTHS = 6
    old_closed = ProposalFactory(place=tree.ward, status=ProposalStatus.IMPLEMENTED)
    old_open = ProposalFactory(place=tree.ward)
    recent = ProposalFactory(place=tree.ward, status=ProposalStatus.REJECTED)
    long_ago = timezone.now() - datetime.timedelta(days=200)
    Proposal.objects.filter(pk__in=[old_closed.pk, old_open.pk]).update(updated_at=long_ago)
    assert archive_closed_proposals.call() == 1
    old_closed.refresh_from_db()
    assert old_closed.archived_at is not None
    assert not Proposal.objects.filter(pk__in=[old_open.pk, recent.pk], archived_at__isnull=False)
    states = (
        Client().get(reverse("participation:public_place", args=[tree.ward.pk])).context["states"]
    )
    listed = {p.pk for state in states for p in state.proposals}
    assert listed == {old_open.pk, recent.pk}
    page = Client().get(old_closed.get_public_url()).content.decode()
    assert "Archived on" in page
    assert "participation.archive" in {job.name for job in jobs()}


def test_coordinators_hear_of_a_new_proposal(tree, django_capture_on_commit_callbacks):
    city = _coordinator(tree.ward)
    resident = make_resident(tree.ward)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        _client(resident).post(
            reverse("participation:propose"),
            {"kind": "concern", "title": "Dumping", "body": "x", "place": tree.ward.pk},
        )
    assert Notification.objects.filter(
        recipient=city, kind="participation.proposal_posted"
    ).exists()


@covers("home")
def test_home_shows_coordinators_what_awaits_and_residents_their_own(tree):
    author = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author, title="Benches at the stop")
    city = _coordinator(tree.city)
    waiting = _client(city).get(reverse("home"))
    shown = dict(waiting.context["sections"])["participation/_home_proposals.html"]
    assert [p.pk for p in shown["waiting"]] == [proposal.pk]
    mine = dict(_client(author).get(reverse("home")).context["sections"])
    assert [p.pk for p in mine["participation/_home_proposals.html"]["mine"]] == [proposal.pk]
    found = _client(city).get(reverse("search") + "?q=Benches")
    assert "Benches at the stop" in found.content.decode()


@covers("api-1.0.0:publish_proposal_answer", "api-1.0.0:moderate_proposal")
def test_staff_publish_and_moderate_through_the_api(tree):
    proposal = ProposalFactory(place=tree.ward, answer="Yes, in March", status="accepted")
    comment = CommentFactory(proposal=proposal)
    city = _client(_coordinator(tree.city))
    headers = {"X-CSRFToken": "x"}
    city.cookies["csrftoken"] = "x"
    url = reverse("api-1.0.0:publish_proposal_answer", args=[proposal.pk])
    response = city.post(url, headers=headers)
    assert response.status_code == 200 and response.json()["answer_published_at"]
    url = reverse("api-1.0.0:moderate_proposal", args=[proposal.pk])
    body = {"decision": "hide", "reason": "Abusive", "comment_id": comment.pk}
    assert city.post(url, body, content_type="application/json", headers=headers).status_code == 200
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN and comment.moderation_reason == "Abusive"
    resident = _client(make_resident(tree.ward))
    resident.cookies["csrftoken"] = "x"
    refused = resident.post(url, body, content_type="application/json", headers=headers)
    assert refused.status_code == 403


def test_hidden_content_exists_only_for_its_moderators(tree):
    author = make_resident(tree.ward)
    proposal = ProposalFactory(place=tree.ward, author=author, moderation=Moderation.HIDDEN)
    neighbour = _client(make_resident(tree.ward))
    assert neighbour.get(proposal.get_absolute_url()).status_code == 404
    assert neighbour.get(reverse("api-1.0.0:get_proposal", args=[proposal.pk])).status_code == 404
    listed = neighbour.get(reverse("api-1.0.0:list_proposals")).json()["items"]
    assert proposal.pk not in [item["id"] for item in listed]
    moderator = _client(_coordinator(tree.city))
    assert moderator.get(proposal.get_absolute_url()).status_code == 200
    assert "Hidden by moderation" in moderator.get(proposal.get_absolute_url()).content.decode()


def test_reaching_the_threshold_tells_the_places_coordinators(
    tree, django_capture_on_commit_callbacks
):
    SupportThresholdFactory(place=tree.ward, supports=2)
    ward_coordinator = _coordinator(tree.ward)
    proposal = ProposalFactory(place=tree.ward)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        do_support(proposal, acting_user=make_resident(tree.ward))
        reached = Notification.objects.filter(kind="participation.threshold_reached")
        assert not reached.exists()
        do_support(proposal, acting_user=make_resident(tree.ward))
    assert list(reached.values_list("recipient_id", flat=True)) == [ward_coordinator.pk]


def test_a_proposal_moves_to_another_place_only_before_anyone_took_it_up(tree):
    proposal = ProposalFactory(place=tree.ward)
    city = _client(_coordinator(tree.city))
    data = {"kind": "proposal", "title": proposal.title, "body": "x", "place": tree.city.pk}
    assert (
        city.post(reverse("participation:proposal_edit", args=[proposal.pk]), data).status_code
        == 302
    )
    proposal.refresh_from_db()
    assert proposal.handled_at == tree.city
    do_transition(proposal, "evaluate", acting_user=_coordinator(tree.city))
    data["place"] = tree.ward.pk
    response = city.post(reverse("participation:proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 400 and "moved on" in response.content.decode()


@covers("api-1.0.0:transition_proposal")
def test_a_script_refers_a_proposal_up_through_the_api(tree):
    from bridgework.access.actions import do_create_api_token

    proposal = ProposalFactory(place=tree.ward)
    city = _coordinator(tree.city)
    _token, secret = do_create_api_token(user=city, name="script")
    response = Client().post(
        reverse("api-1.0.0:transition_proposal", args=[proposal.pk]),
        {"transition": "refer_up", "note": "A regional matter"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "referred" and body["handled_at_id"] == tree.region.pk
    assert body["answer"] == "A regional matter" and body["answer_published_at"] is None
