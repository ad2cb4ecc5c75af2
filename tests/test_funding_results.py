"""A grant's results against the indicators of the national plans: staff name the indicators
and targets, the applicant gives a value per indicator in each progress report, and the grant
page shows the results table; pages and API refuse what does not fit, with nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from bridgework.bodies.factories import BodyFactory
from bridgework.funding.forms import GrantIndicatorForm, ResultForm
from bridgework.funding.models import GrantIndicator, Report, Result
from bridgework.plans.choices import Aggregation
from bridgework.plans.factories import IndicatorFactory

from .test_funding_api import _api, _post
from .test_funding_rules import _award, _client, ca  # noqa: F401 (fixture)


def _indicator(place, **fields):
    return IndicatorFactory(objective__pillar__strategy__owner=BodyFactory(place=place), **fields)


def _report(grant, start, end, kind="progress"):
    return Report.objects.create(
        grant=grant, kind=kind, period_start=start, period_end=end, text="Sessions held"
    )


def _track(ca, grant, indicator, target="200"):  # noqa: F811
    response = _post(
        _api(ca.staff),
        "create_grant_indicator",
        {"grant": grant.pk, "indicator": indicator.pk, "target": target},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_results_are_given_per_report_and_shown_against_the_target(ca):  # noqa: F811
    grant = _award(ca)
    trained = _indicator(ca.country, name="Youth workers trained", unit="people")
    tracked = _track(ca, grant, trained, target="200")
    assert tracked["unit"] == "people"
    partner = _api(ca.partner)
    first = _report(grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    second = _report(grant, datetime.date(2028, 1, 1), datetime.date(2028, 12, 31))
    for report, value in ((first, "60"), (second, "150")):
        created = _post(
            partner,
            "create_grant_result",
            {"report": report.pk, "indicator": trained.pk, "value": value, "note": ""},
        )
        assert created.status_code == 201, created.content
        assert created.json()["grant_id"] == grant.pk

    listed = partner.get(reverse("api-1.0.0:list_grant_results"), {"grant": grant.pk}).json()
    assert sorted(Decimal(row["value"]) for row in listed["items"]) == [60, 150]
    page = _client(ca.partner).get(grant.get_absolute_url()).content.decode()
    table = page[page.index('id="results-heading"') :]
    assert "Youth workers trained" in table
    assert "2027-01-01 – 2027-12-31" in table and "2028-01-01 – 2028-12-31" in table
    assert "150 / 200 (75 %)" in table
    assert f"{reverse('funding:result_add')}?report={first.pk}" in page
    reader = _client(ca.brampton_user).get(grant.get_absolute_url())
    assert reader.status_code == 404  # a neighbour's coordinator does not reach the grant


def test_a_value_for_an_indicator_the_grant_does_not_track_is_refused(ca):  # noqa: F811
    grant = _award(ca)
    _track(ca, grant, _indicator(ca.country))
    untracked = _indicator(ca.country, name="Schools reached")
    report = _report(grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    refused = _post(
        _api(ca.partner),
        "create_grant_result",
        {"report": report.pk, "indicator": untracked.pk, "value": "3"},
    )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "indicator"
    assert "does not report against" in error["message"]
    assert not Result.objects.exists()


def test_one_value_per_indicator_and_report(ca):  # noqa: F811
    grant = _award(ca)
    indicator = _indicator(ca.country)
    _track(ca, grant, indicator)
    report = _report(grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    body = {"report": report.pk, "indicator": indicator.pk, "value": "10"}
    assert _post(_api(ca.partner), "create_grant_result", body).status_code == 201
    again = _post(_api(ca.partner), "create_grant_result", {**body, "value": "12"})
    assert again.status_code == 422
    assert "already gives a value" in again.content.decode()
    assert list(Result.objects.values_list("value", flat=True)) == [Decimal("10")]


def test_a_grant_tracks_an_indicator_once(ca):  # noqa: F811
    grant = _award(ca)
    indicator = _indicator(ca.country)
    _track(ca, grant, indicator)
    again = _post(
        _api(ca.staff),
        "create_grant_indicator",
        {"grant": grant.pk, "indicator": indicator.pk, "target": "5"},
    )
    assert again.status_code == 422
    assert GrantIndicator.objects.count() == 1


def test_counts_cannot_be_negative_but_an_average_change_may(ca):  # noqa: F811
    grant = _award(ca)
    count = _indicator(ca.country, aggregation=Aggregation.SUM)
    change = _indicator(ca.country, aggregation=Aggregation.AVERAGE)
    negative_target = _post(
        _api(ca.staff),
        "create_grant_indicator",
        {"grant": grant.pk, "indicator": count.pk, "target": "-5"},
    )
    assert negative_target.status_code == 422
    assert negative_target.json()["errors"][0]["field"] == "target"
    _track(ca, grant, count)
    _track(ca, grant, change, target="0")
    report = _report(grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    partner = _api(ca.partner)
    negative = _post(
        partner, "create_grant_result", {"report": report.pk, "indicator": count.pk, "value": "-1"}
    )
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "value"
    allowed = _post(
        partner,
        "create_grant_result",
        {"report": report.pk, "indicator": change.pk, "value": "-2.5"},
    )
    assert allowed.status_code == 201, allowed.content
    assert Result.objects.get().indicator == change


def test_results_belong_to_progress_reports(ca):  # noqa: F811
    grant = _award(ca)
    indicator = _indicator(ca.country)
    _track(ca, grant, indicator)
    financial = Report.objects.create(
        grant=grant,
        kind="financial",
        period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        text="Venues",
        spent=Decimal("1000"),
    )
    refused = _post(
        _api(ca.partner),
        "create_grant_result",
        {"report": financial.pk, "indicator": indicator.pk, "value": "1"},
    )
    assert refused.status_code == 422
    assert not Result.objects.exists()


def test_only_indicators_the_writer_sees_are_offered(ca):  # noqa: F811
    grant = _award(ca)
    canadian = _indicator(ca.country, name="Canadian indicator")
    malawian = _indicator(ca.malawi, name="Malawian indicator")
    form = GrantIndicatorForm(user=ca.staff, action="add")
    offered = set(form.fields["indicator"].queryset)
    assert canadian in offered
    assert malawian not in offered
    refused = _post(
        _api(ca.staff),
        "create_grant_indicator",
        {"grant": grant.pk, "indicator": malawian.pk, "target": "5"},
    )
    assert refused.status_code == 422
    assert not GrantIndicator.objects.exists()


def test_the_result_form_offers_the_indicators_the_reports_grant_tracks(ca):  # noqa: F811
    grant = _award(ca)
    tracked, other = _indicator(ca.country), _indicator(ca.country)
    _track(ca, grant, tracked)
    report = _report(grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    form = ResultForm(user=ca.partner, action="add", initial={"report": report.pk})
    assert list(form.fields["indicator"].queryset) == [tracked]
    assert other not in form.fields["indicator"].queryset
