"""Property tests on budgets and tranche schedules: whatever is typed, parsing either refuses
it with a message or gives lines that the checks accept exactly when they add up and fit."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from bridgework.funding.budgets import (
    add_years,
    budget_text,
    budget_total,
    check_budget,
    check_schedule,
    parse_budget,
    parse_criteria,
    parse_schedule,
    schedule_text,
    weighted_score,
)

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
years = st.integers(min_value=2000, max_value=2100)


@given(st.text(max_size=300))
def test_any_text_is_a_budget_or_a_clear_refusal(text):
    try:
        budget = parse_budget(text)
    except ValidationError as refused:
        assert refused.messages and all(m.strip() for m in refused.messages)
    else:
        assert all(len(year) == 4 and Decimal(amount) > 0 for year, amount in budget.items())


@given(st.dictionaries(years, amounts, min_size=1, max_size=10))
def test_a_budget_survives_being_shown_and_typed_again(lines):
    budget = {str(year): str(amount) for year, amount in lines.items()}
    again = parse_budget(budget_text(budget))
    assert budget_total(again) == sum(lines.values())
    assert {int(y) for y in again} == set(lines)


@given(
    st.integers(min_value=2000, max_value=2090),
    st.lists(amounts, min_size=1, max_size=10),
    st.integers(min_value=-2, max_value=2),
)
def test_a_budget_is_accepted_exactly_when_it_adds_up_and_fits(first_year, yearly, shift):
    budget = {str(first_year + n + shift): str(amount) for n, amount in enumerate(yearly)}
    total = sum(yearly)
    fits = shift >= 0 and shift + len(yearly) <= len(yearly)  # within the project's years
    try:
        check_budget(budget, amount=total, first_year=first_year, years=len(yearly))
    except ValidationError:
        assert not fits
    else:
        assert fits
    if len(yearly) and fits:
        try:
            check_budget(
                budget, amount=total + Decimal("0.01"), first_year=first_year, years=len(yearly)
            )
        except ValidationError as refused:
            assert "add up" in refused.messages[0]
        else:
            raise AssertionError("a budget one cent short was accepted")


@given(st.text(max_size=300))
def test_any_text_is_a_schedule_or_a_clear_refusal(text):
    try:
        tranches = parse_schedule(text)
    except ValidationError as refused:
        assert refused.messages
    else:
        assert tranches == sorted(tranches)


@given(
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31)),
    st.integers(min_value=1, max_value=10),
    st.lists(st.tuples(st.integers(min_value=0, max_value=4000), amounts), min_size=1, max_size=12),
)
def test_a_schedule_is_accepted_exactly_when_it_adds_up_and_falls_within_the_grant(
    start, term, offsets
):
    tranches = sorted((start + datetime.timedelta(days=d), amount) for d, amount in offsets)
    total = sum(amount for _due, amount in tranches)
    inside = all(start <= due < add_years(start, term) for due, _amount in tranches)
    try:
        check_schedule(tranches, amount=total, starts_on=start, years=term)
    except ValidationError:
        assert not inside
    else:
        assert inside
    assert parse_schedule(schedule_text(tranches)) == tranches


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=6), st.data())
def test_a_weighted_score_stays_on_the_scale(weights, data):
    criteria = parse_criteria("\n".join(f"{w} Criterion {n}" for n, w in enumerate(weights)))
    scores = {c["key"]: data.draw(st.integers(min_value=0, max_value=5)) for c in criteria}
    score = weighted_score(criteria, scores)
    assert score is not None and Decimal("0") <= score <= Decimal("5")
    if len(set(scores.values())) == 1:
        assert score == Decimal(next(iter(scores.values())))
