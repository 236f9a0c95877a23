"""Deadlines turned into dates, against different anchors."""
import datetime as dt

import pytest

from briefing.nlp.deadlines import find_deadline, statement_date, weekday_after, weekday_on_or_before

TUE = dt.date(2025, 8, 19)  # a Tuesday
MON = dt.date(2025, 8, 18)


@pytest.mark.parametrize("sentence, anchor, due", [
    ("The guarantees would be formalised within the next week to 10 days.", MON, "2025-08-28"),
    ("The guarantees would be formalised within the next week to 10 days.", TUE, "2025-08-29"),
    ("She said on Monday the plan would be agreed within 10 days.", TUE, "2025-08-28"),
    ("A meeting could take place within two weeks.", MON, "2025-09-01"),
    ("Lenders must respond by Friday.", TUE, "2025-08-22"),
    ("Lenders must respond by next Friday.", TUE, "2025-08-29"),
    ("The regulator will publish its ruling next month.", TUE, "2025-09-30"),
    ("The bill must pass before 1 September.", TUE, "2025-08-31"),
    ("Talks are expected to resume by the end of the month.", TUE, "2025-08-31"),
    ("The company plans to file its accounts by September 3, 2025.", TUE, "2025-09-03"),
    ("The board will vote by 10 January.", dt.date(2025, 12, 15), "2026-01-10"),
    ("The agency will report within 30 days.", dt.date(2024, 2, 10), "2024-03-11"),
    ("The rules will take effect by mid-October.", TUE, "2025-10-15"),
])
def test_deadline_resolves_to_latest_date_allowed(sentence, anchor, due):
    found = find_deadline(sentence, anchor)
    assert found is not None, sentence
    assert found.due.isoformat() == due


@pytest.mark.parametrize("sentence", [
    "The leaders met on Friday in the capital.",  # a past event, not something due
    "The war began three years ago.",
    "Officials will work on the details over the coming days.",  # vague: no date to give
])
def test_no_deadline_without_a_due_time(sentence):
    assert find_deadline(sentence, TUE) is None


def test_weekday_resolution():
    assert weekday_on_or_before(TUE, "monday") == MON
    assert weekday_on_or_before(TUE, "tuesday") == TUE
    assert weekday_after(TUE, "tuesday") == dt.date(2025, 8, 26)
    assert weekday_after(TUE, "friday") == dt.date(2025, 8, 22)
    # "said on Monday" in a Tuesday article moves the anchor back a day, "by Monday" does not.
    assert statement_date("He said on Monday that talks would go on.", TUE) == MON
    assert statement_date("Talks must end by Monday.", TUE) == TUE


@pytest.mark.parametrize("sentence, anchor, due", [
    ("The embassies will reopen within two months.", dt.date(2023, 3, 10), "2023-05-10"),
    ("The governor is expected to explain the decision when he speaks on Wednesday morning.",
     dt.date(2023, 6, 6), "2023-06-07"),
    ("Parliament will vote on the bill on 20 June.", dt.date(2023, 6, 6), "2023-06-20"),
    ("The treaty will be signed within a year.", dt.date(2024, 2, 29), "2025-02-28"),
])
def test_calendar_months_and_scheduled_days(sentence, anchor, due):
    found = find_deadline(sentence, anchor)
    assert found is not None and found.due.isoformat() == due


@pytest.mark.parametrize("sentence, due", [
    ("The company will stop selling petrol cars by 2030.", "2030-12-31"),
    ("The bank is expected to cut rates in September.", "2025-09-30"),
    ("The committee will publish its report later this month.", "2025-08-31"),
    ("The minister will announce the budget tomorrow.", "2025-08-20"),
])
def test_years_months_ahead_and_tomorrow(sentence, due):
    found = find_deadline(sentence, TUE)
    assert found is not None and found.due.isoformat() == due, found
