"""Local needs: raised by a place, put before the level above, passed up level by level with a
note, answered (or declined with a reason) only by the level they are with or one above it,
shared by other places, and the answer seen by the place that raised it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import permits
from bridgework.activity.workflows import available_transitions, do_transition
from bridgework.core.tlp import TLP
from bridgework.notifications.models import Notification
from bridgework.notifications.testing import immediate_tasks
from bridgework.places.factories import PlaceFactory, root_place
from bridgework.plans.actions import do_raise_need, do_support_need, do_withdraw_support
from bridgework.plans.choices import AnswerKind, NeedStatus
from bridgework.plans.factories import LocalNeedFactory
from bridgework.plans.models import LocalNeed, NeedReferral, NeedSupport


class Malawi:
    """Malawi > Central Region > Lilongwe (district) > Lilongwe City > Chilinde, and a sibling
    district's city (Dedza Town); a coordinator at each place that has one."""

    def __init__(self):
        world = root_place()
        self.country = PlaceFactory(name="Malawi", code="MW", parent=world)
        self.region = PlaceFactory(name="Central Region", code="MW-C", parent=self.country)
        self.district = PlaceFactory(name="Lilongwe", code="MW-LI", parent=self.region)
        self.city = PlaceFactory(name="Lilongwe City", parent=self.district)
        self.ward = PlaceFactory(name="Chilinde", parent=self.city)
        self.neighbour = PlaceFactory(name="Lilongwe Rural", parent=self.district)
        self.other_district = PlaceFactory(name="Dedza", code="MW-DE", parent=self.region)
        self.far_city = PlaceFactory(name="Dedza Town", parent=self.other_district)
        self.national = self._coordinator("national_coordinator", self.country)
        self.district_user = self._coordinator("local_coordinator", self.district)
        self.city_user = self._coordinator("local_coordinator", self.city)
        self.neighbour_user = self._coordinator("local_coordinator", self.neighbour)
        self.far_user = self._coordinator("local_coordinator", self.far_city)

    @staticmethod
    def _coordinator(role, place):
        user = UserFactory(label=role.split("_")[0])
        RoleAssignmentFactory(user=user, role=role, place=place)
        return user


@pytest.fixture
def mw(db):
    from bridgework.access.policy import sync_default_policy

    sync_default_policy()
    return Malawi()


def _raise(mw, **fields):
    need = LocalNeed(
        title="Training for community mediators",
        place=mw.city,
        category="training",
        tlp=fields.pop("tlp", TLP.GREEN),
        **fields,
    )
    return do_raise_need(need, acting_user=mw.city_user)


def test_a_need_goes_before_the_level_above_and_its_coordinators_hear_of_it(
    mw, django_capture_on_commit_callbacks
):
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        need = _raise(mw)
    assert need.handled_at == mw.district
    assert need.status == NeedStatus.RAISED
    told = set(
        Notification.objects.filter(kind="plans.need_raised").values_list("recipient", flat=True)
    )
    assert told == {mw.district_user.pk}


def test_only_the_level_it_is_with_or_above_may_answer_or_pass_it_up(mw):
    need = _raise(mw)
    assert available_transitions(need, mw.city_user) == [
        step for step in available_transitions(need, mw.city_user) if step.name == "withdraw"
    ]
    with pytest.raises(PermissionDenied):
        do_transition(need, "pass_up", acting_user=mw.city_user, note="Please")
    with pytest.raises(PermissionDenied):
        do_transition(
            need,
            "answer",
            acting_user=mw.city_user,
            note="We answer ourselves",
            changes={"answer_kind": "course", "answer_title": "Self-help"},
        )
    names = {step.name for step in available_transitions(need, mw.district_user)}
    assert {"answer", "pass_up", "decline"} <= names


def test_passing_up_moves_it_one_level_and_keeps_the_trail(mw):
    need = _raise(mw)
    do_transition(need, "pass_up", acting_user=mw.district_user, note="Needs the region's budget")
    need.refresh_from_db()
    assert need.handled_at == mw.region and need.status == NeedStatus.ESCALATED
    do_transition(need, "pass_up", acting_user=mw.national, note="A national programme fits")
    need.refresh_from_db()
    assert need.handled_at == mw.country
    trail = list(NeedReferral.objects.filter(need=need).order_by("pk"))
    assert [(r.from_place, r.to_place) for r in trail] == [
        (mw.district, mw.region),
        (mw.region, mw.country),
    ]
    assert trail[0].note == "Needs the region's budget" and trail[0].referred_by == mw.district_user
    # The district is no longer the level it is with: it may not answer it any more.
    with pytest.raises(PermissionDenied):
        do_transition(
            need,
            "answer",
            acting_user=mw.district_user,
            note="x",
            changes={"answer_kind": "course", "answer_title": "x"},
        )
    # Nothing is above the country.
    with pytest.raises(PermissionDenied):
        do_transition(need, "pass_up", acting_user=mw.national, note="Up again")


def test_passing_up_needs_a_note(mw):
    need = _raise(mw)
    with pytest.raises(ValidationError):
        do_transition(need, "pass_up", acting_user=mw.district_user, note=" ")
    need.refresh_from_db()
    assert need.handled_at == mw.district


def test_an_answer_closes_it_and_the_raising_place_sees_it(mw):
    need = _raise(mw)
    do_transition(need, "pass_up", acting_user=mw.district_user, note="For the nation")
    client = Client()
    client.force_login(mw.national)
    response = client.post(
        reverse("plans:localneed_answer", args=[need.pk]),
        {
            "answer_kind": "course",
            "answer_title": "Mediation for community leaders",
            "answer_url": "https://learning.example.org/mediation",
            "note": "Two places are kept for Lilongwe City in March.",
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED
    assert (need.answer_kind, need.answer_title) == (
        AnswerKind.COURSE,
        "Mediation for community leaders",
    )
    assert need.closed_on is not None
    client.force_login(mw.city_user)
    page = client.get(need.get_absolute_url()).content.decode()
    assert "Mediation for community leaders" in page
    assert "Two places are kept for Lilongwe City in March." in page


def test_an_answer_without_what_it_is_is_refused_and_nothing_changes(mw):
    need = _raise(mw)
    client = Client()
    client.force_login(mw.district_user)
    response = client.post(
        reverse("plans:localneed_answer", args=[need.pk]), {"answer_kind": "course", "note": "x"}
    )
    assert response.status_code == 400
    need.refresh_from_db()
    assert need.status == NeedStatus.RAISED and not need.answer_kind
    with pytest.raises(ValidationError):
        do_transition(
            need,
            "answer",
            acting_user=mw.district_user,
            note="No",
            changes={"answer_kind": "decline", "answer_title": "No"},
        )
    with pytest.raises(ValidationError):
        do_transition(
            need, "answer", acting_user=mw.district_user, note="x", changes={"status": "answered"}
        )


def test_a_decline_keeps_its_reason_as_the_answer(mw):
    need = _raise(mw)
    do_transition(
        need,
        "decline",
        acting_user=mw.district_user,
        note="Mediators are trained by the NGO next door",
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.DECLINED
    assert need.answer_kind == AnswerKind.DECLINE
    assert need.answer_text == "Mediators are trained by the NGO next door"
    do_transition(need, "reopen", acting_user=mw.city_user, note="The NGO closed")
    need.refresh_from_db()
    assert need.status == NeedStatus.RAISED and need.closed_on is None


def test_a_shareable_need_is_read_by_the_places_under_the_level_it_is_with(mw):
    green = _raise(mw)
    amber = _raise(mw, tlp=TLP.AMBER)
    visible = set(LocalNeed.objects.visible_to(mw.neighbour_user).values_list("pk", flat=True))
    assert green.pk in visible and amber.pk not in visible
    # Another district's city reads it once it is before the region above both.
    assert not LocalNeed.objects.visible_to(mw.far_user).filter(pk=green.pk).exists()
    do_transition(green, "pass_up", acting_user=mw.district_user, note="For the region")
    assert LocalNeed.objects.visible_to(mw.far_user).filter(pk=green.pk).exists()
    # Reading is all: they may not change it.
    assert not permits(mw.neighbour_user, "change", green)
    client = Client()
    client.force_login(mw.far_user)
    assert client.get(green.get_absolute_url()).status_code == 200
    assert client.get(reverse("plans:localneed_edit", args=[green.pk])).status_code == 403
    assert client.get(amber.get_absolute_url()).status_code == 404


def test_another_place_shares_a_need_once_and_can_withdraw(mw):
    need = _raise(mw)
    support = do_support_need(
        need, place=mw.neighbour, note="Same here", acting_user=mw.neighbour_user
    )
    need.refresh_from_db()
    assert need.support_count == 1
    with pytest.raises(ValidationError):
        do_support_need(need, place=mw.neighbour, acting_user=mw.neighbour_user)
    do_withdraw_support(support, acting_user=mw.neighbour_user)
    need.refresh_from_db()
    assert need.support_count == 0 and not NeedSupport.objects.exists()


def test_the_raising_place_its_wards_and_the_levels_above_do_not_share_it(mw):
    need = _raise(mw)
    for place, user in (
        (mw.city, mw.city_user),
        (mw.ward, mw.city_user),
        (mw.district, mw.district_user),
    ):
        with pytest.raises(ValidationError):
            do_support_need(need, place=place, acting_user=user)
    with pytest.raises(PermissionDenied):  # speaking for a place one does not coordinate
        do_support_need(need, place=mw.neighbour, acting_user=mw.far_user)


def test_the_need_page_offers_sharing_only_to_other_places(mw):
    need = _raise(mw)
    client = Client()
    client.force_login(mw.city_user)
    assert client.get(need.get_absolute_url()).context["can_support"] is False
    client.force_login(mw.neighbour_user)
    assert client.get(need.get_absolute_url()).context["can_support"] is True


def test_a_need_raised_through_the_page_goes_before_the_district(mw):
    client = Client()
    client.force_login(mw.city_user)
    response = client.post(
        reverse("plans:localneed_add"),
        {
            "title": "Ward-level data on incidents",
            "place": mw.city.pk,
            "category": "data",
            "priority": "high",
            "tlp": TLP.GREEN,
        },
    )
    assert response.status_code == 302
    need = LocalNeed.objects.get(title="Ward-level data on incidents")
    assert need.handled_at == mw.district and need.handled_path == mw.district.path


def test_api_answers_a_need_through_its_transition(mw):
    from bridgework.access.actions import do_create_api_token

    need = LocalNeedFactory(place=mw.city)
    _token, secret = do_create_api_token(user=mw.district_user, name="script")
    response = Client().post(
        reverse("api-1.0.0:transition_need", args=[need.pk]),
        {
            "transition": "answer",
            "note": "Join the district's March course",
            "changes": {"answer_kind": "course", "answer_title": "District mediation course"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "answered" and body["answer_title"] == "District mediation course"
    assert body["answer_text"] == "Join the district's March course"


def test_an_answer_may_point_to_a_record_the_answering_level_can_see(mw):
    from bridgework.actors.factories import OrganisationFactory

    need = _raise(mw)
    programme = OrganisationFactory(place=mw.district, name="District Mediation Programme")
    hidden = OrganisationFactory(place=mw.far_city, name="Dedza Mediators")
    client = Client()
    client.force_login(mw.district_user)
    url = reverse("plans:localneed_answer", args=[need.pk])
    page = client.get(
        url, {"record": f"actors.organisation:{programme.pk}", "answer_kind": "programme"}
    )
    assert page.context["answer_record"] == programme
    refused = client.post(
        url,
        {
            "answer_kind": "programme",
            "answer_title": "Their mediators",
            "note": "Ask them",
            "record": f"actors.organisation:{hidden.pk}",
        },
    )
    assert refused.status_code == 400
    need.refresh_from_db()
    assert need.status == NeedStatus.RAISED
    response = client.post(
        url,
        {
            "answer_kind": "programme",
            "answer_title": "District Mediation Programme",
            "note": "It trains two mediators a ward.",
            "record": f"actors.organisation:{programme.pk}",
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.answer_record == programme
    with pytest.raises(ValidationError):  # the API's changes are checked the same way
        other = _raise(mw)
        do_transition(
            other,
            "answer",
            acting_user=mw.district_user,
            note="x",
            changes={
                "answer_kind": "programme",
                "answer_title": "x",
                "answer_type_id": need.answer_type_id,
                "answer_id": hidden.pk,
            },
        )


def test_the_home_page_shows_the_needs_waiting_for_an_answer_and_ones_own(mw):
    need = _raise(mw)
    client = Client()
    client.force_login(mw.district_user)
    home = client.get("/").content.decode()
    assert "Waiting for your answer" in home and need.title in home
    client.force_login(mw.city_user)
    home = client.get("/").content.decode()
    assert "Raised by your places" in home and need.title in home
    assert "Waiting for your answer" not in home
    client.force_login(mw.far_user)
    assert need.title not in client.get("/").content.decode()


def test_a_need_moves_place_only_while_it_is_with_the_first_level(mw):
    need = _raise(mw)
    client = Client()
    client.force_login(mw.district_user)
    data = {"title": "Trainers", "category": "training", "priority": "high", "tlp": TLP.GREEN}
    url = reverse("plans:localneed_edit", args=[need.pk])
    response = client.post(url, {**data, "place": mw.neighbour.pk})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.place == mw.neighbour and need.handled_at == mw.district
    do_transition(need, "pass_up", acting_user=mw.district_user, note="Up")
    response = client.post(url, {**data, "place": mw.city.pk})
    assert response.status_code == 400
    assert "moved on from its place" in response.content.decode()
    need.refresh_from_db()
    assert need.place == mw.neighbour
