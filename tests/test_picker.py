"""The one record picker endpoint (``record_pick``): places for a form, and scoped records."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation
from bridgework.core.tlp import TLP
from bridgework.places.actions import do_create_place
from bridgework.places.models import Place
from bridgework.web.testing import covers
from bridgework.web.widgets import PlacePicker, RecordPicker

URL = "/pick/"


def pick(client, **params):
    return client.get(reverse("record_pick"), params)


def labels(response) -> list[str]:
    """What each radio button says, as a screen reader would read its label."""
    return [
        f"{m.record} ({m.context})" if m.context else str(m.record)
        for m in response.context["matches"]
    ]


@pytest.fixture
def chilindes(tree):
    """Two places named Chilinde: one below the city, one below the sibling city."""
    return (
        do_create_place(Place(name="Chilinde", parent=tree.ward, pcode="XA010101")),
        do_create_place(Place(name="Chilinde", parent=tree.sibling)),
    )


def test_the_endpoint_is_the_one_url():
    assert reverse("record_pick") == URL


@covers("record_pick")
def test_place_picker_for_a_form_offers_only_places_the_user_may_act_on(client, tree, chilindes):
    client.force_login(tree.in_scope)  # national coordinator at the city
    form = {"model": "places.place", "field": "place", "for": "actors.organisation"}
    found = pick(client, **form, action="add", place__search="chilinde")
    assert found.status_code == 200
    assert [m.record for m in found.context["matches"]] == [chilindes[0]]  # not the sibling's
    riverton = pick(client, **form, action="change", place__search="riverton")
    assert [m.record for m in riverton.context["matches"]] == [tree.city, tree.ward]  # by depth
    # The region above the city is readable, but no organisation may be added there.
    assert not pick(client, **form, action="add", place__search="northern").context["matches"]
    # By exact code as well as by name.
    by_code = pick(client, **form, action="add", place__search="xa010101")
    assert [m.record for m in by_code.context["matches"]] == [chilindes[0]]


def test_place_labels_name_the_places_above_so_namesakes_differ(client, tree, chilindes):
    client.force_login(tree.ancestor)  # national coordinator at the country: sees both
    found = pick(
        client,
        model="places.place",
        field="place",
        **{"for": "actors.organisation"},
        action="add",
        place__search="chilinde",
    )
    assert sorted(labels(found)) == [
        "Chilinde (Hillbury, Northern Region, Xanadu)",
        "Chilinde (Riverton Ward 1, Riverton, Northern Region, Xanadu)",
    ]
    body = found.content.decode()
    assert "XA010101" in body  # the code is shown too
    assert body.count('type="radio"') == 2 and body.count("<label") == 2  # each radio labelled
    assert "World" not in body


def test_ancestor_names_cost_one_query_whatever_the_number_of_matches(client, tree):
    client.force_login(tree.ancestor)
    params = {"model": "places.place", "field": "p", "p__search": "spot"}
    do_create_place(Place(name="Spot 0", parent=tree.ward))
    pick(client, **params)  # warm the caches (the reader's access, content types)
    with CaptureQueriesContext(connection) as one:
        assert len(pick(client, **params).context["matches"]) == 1
    for n in range(1, 25):
        do_create_place(Place(name=f"Spot {n}", parent=tree.sibling if n % 2 else tree.ward))
    with CaptureQueriesContext(connection) as many:
        matches = pick(client, **params).context["matches"]
    assert len(matches) == 20  # at most 20
    assert len(many) == len(one)


def test_without_for_a_place_picker_offers_the_places_the_user_may_view(client, tree):
    client.force_login(tree.in_scope)
    found = pick(client, model="places.place", field="p", p__search="r")  # too short
    assert found.context["matches"] == []
    found = pick(client, model="places.place", field="p", p__search="northern")
    assert [m.record for m in found.context["matches"]] == [tree.region]  # a place above
    assert not pick(client, model="places.place", field="p", p__search="hillbury").context[
        "matches"
    ]


def test_organisation_picker_offers_only_organisations_the_user_may_read(client, tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)  # reads up to TLP:GREEN
    for name, tlp, place in [
        ("Riverton Green Forum", TLP.GREEN, tree.city),
        ("Riverton Amber Forum", TLP.AMBER, tree.city),
        ("Hillbury Green Forum", TLP.GREEN, tree.sibling),
    ]:
        Organisation.objects.create(
            name=name, sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=place, tlp=tlp
        )
    query = {"model": "actors.organisation", "field": "organisation"}
    client.force_login(partner)
    found = pick(client, **query, organisation__search="forum")
    assert labels(found) == ["Riverton Green Forum (Riverton)"]
    client.force_login(tree.in_scope)  # a national coordinator reads AMBER too
    found = pick(client, **query, organisation__search="forum")
    assert [str(m.record) for m in found.context["matches"]] == [
        "Riverton Amber Forum",
        "Riverton Green Forum",
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"model": "no.such", "field": "x", "x__search": "riverton"},
        {"model": "nonsense", "field": "x", "x__search": "riverton"},
        {"model": "access.user", "field": "x", "x__search": "own"},  # not searchable
        {"model": "places.place", "field": "not an identifier", "x__search": "riverton"},
        {"model": "places.place", "field": "x", "action": "delete", "x__search": "riv"},
        {"model": "places.place", "field": "x", "for": "no.such", "x__search": "riverton"},
    ],
)
def test_bad_requests_answer_404(client, tree, params):
    client.force_login(tree.in_scope)
    assert pick(client, **params).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, tree):
    response = pick(client, model="places.place", field="x", x__search="riverton")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_widgets_ask_the_one_endpoint_for_what_the_field_offers():
    place = PlacePicker(for_model="actors.organisation", action="change")
    assert place.lookup_query("place") == {
        "model": "places.place",
        "field": "place",
        "for": "actors.organisation",
        "action": "change",
    }
    assert PlacePicker().lookup_query("place") == {"model": "places.place", "field": "place"}
    org = RecordPicker(model_label="actors.organisation")
    assert org.lookup_query("organisation") == {
        "model": "actors.organisation",
        "field": "organisation",
    }
    html = org.render("organisation", None, attrs={"id": "id_organisation"})
    assert 'hx-get="/pick/?model=actors.organisation&amp;field=organisation"' in html
    assert 'aria-live="polite"' in html and 'role="radiogroup"' in html


def test_a_form_with_many_places_gets_a_place_picker_for_its_own_model_and_action(tree):
    from bridgework.actors.forms import OrganisationForm

    for n in range(51):
        do_create_place(Place(name=f"Block {n}", parent=tree.ward))
    form = OrganisationForm(user=tree.in_scope, action="change")
    widget = form.fields["place"].widget
    assert isinstance(widget, PlacePicker)
    assert (widget.for_model, widget.action) == ("actors.organisation", "change")
    assert "<option" not in str(form["place"])


def test_a_filters_place_picker_names_places_by_reference(client, tree, chilindes):
    """A filter's picker (a GET form): its radio buttons send what the filtered page's address
    will show, a code or a name, never a number; and they come marked as picked matches."""
    client.force_login(tree.ancestor)
    assert PlacePicker(by_reference=True).lookup_query("place")["ref"] == "1"
    found = pick(client, model="places.place", field="place", ref="1", place__search="chilinde")
    assert sorted(m.value for m in found.context["matches"]) == ["Chilinde, Hillbury", "XA010101"]
    body = found.content.decode()
    assert 'name="place__picked"' in body
    assert f'value="{chilindes[0].pk}"' not in body
    # A form's picker (a POST form whose field reads numbers) keeps sending numbers.
    numbers = pick(client, model="places.place", field="place", place__search="chilinde")
    assert sorted(m.value for m in numbers.context["matches"]) == sorted(p.pk for p in chilindes)


def test_typed_text_wins_over_a_stale_choice_but_not_over_a_picked_match():
    widget = RecordPicker(model_label="actors.organisation")
    assert widget.value_from_datadict({"org": "3"}, {}, "org") == "3"
    assert widget.value_from_datadict({"org__search": "Forum"}, {}, "org") == "Forum"
    stale = {"org": "3", "org__search": "Forum"}
    assert widget.value_from_datadict(stale, {}, "org") == "Forum"
    picked = {"org": "3", "org__search": "Forum", "org__picked": "1"}
    assert widget.value_from_datadict(picked, {}, "org") == "3"
    assert widget.value_from_datadict({}, {}, "org") is None


@pytest.fixture
def many_blocks(tree):
    return [do_create_place(Place(name=f"Block {n}", parent=tree.ward)) for n in range(51)]


def test_a_field_of_several_places_gets_a_picker_of_several(tree, many_blocks):
    from bridgework.funding.forms import FundForm
    from bridgework.web.widgets import PlacesPicker

    form = FundForm(user=tree.in_scope, action="add")
    widget = form.fields["eligible_places"].widget
    assert isinstance(widget, PlacesPicker)
    assert widget.lookup_query("eligible_places")["multiple"] == "1"
    # A single place stays a single picker.
    assert not isinstance(
        FundForm(user=tree.in_scope, action="add").fields["owner"].widget, PlacesPicker
    )


def test_the_picker_of_several_shows_the_chosen_ticked_and_reads_them_all(tree, many_blocks):
    from bridgework.funding.forms import FundForm

    form = FundForm(user=tree.in_scope, action="add", initial={"eligible_places": many_blocks[:2]})
    html = str(form["eligible_places"])
    for place in many_blocks[:2]:
        assert f'type="checkbox" name="eligible_places" value="{place.pk}" checked' in html
    assert f'value="{many_blocks[2].pk}"' not in html and "<option" not in html
    widget = form.fields["eligible_places"].widget
    data = QueryDict(mutable=True)
    data.setlist("eligible_places", [str(many_blocks[0].pk), str(many_blocks[3].pk)])
    assert widget.value_from_datadict(data, {}, "eligible_places") == [
        str(many_blocks[0].pk),
        str(many_blocks[3].pk),
    ]
    # Without JavaScript, a place named in the search box is added; unknown text is kept for
    # the field to refuse; matches offered (picked) are what counts then.
    data["eligible_places__search"] = "Block 7"
    assert widget.value_from_datadict(data, {}, "eligible_places")[-1] == str(many_blocks[7].pk)
    data["eligible_places__search"] = "Nowhere at all"
    assert widget.value_from_datadict(data, {}, "eligible_places")[-1] == "Nowhere at all"
    data["eligible_places__picked"] = "1"
    assert len(widget.value_from_datadict(data, {}, "eligible_places")) == 2
    # Nothing ticked is a choice too (none), not a field left out.
    assert widget.value_omitted_from_data(QueryDict(), {}, "eligible_places") is False


def test_the_picker_of_several_is_offered_checkboxes(client, tree, many_blocks):
    client.force_login(tree.in_scope)
    found = pick(
        client,
        model="places.place",
        field="eligible_places",
        multiple="1",
        eligible_places__search="block 1",
    )
    body = found.content.decode()
    assert 'type="checkbox" name="eligible_places"' in body and 'type="radio"' not in body
