"""Deadlines: turn 'within the next week to 10 days', 'by Friday', 'next month' into a due date.

Each expression resolves against an anchor date (the article's date, or the day a
statement was made when the sentence says 'on Monday'). `due` is the latest date
the text allows.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .lexicon import MONTHS, WEEKDAYS

_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15,
            "twenty": 20, "thirty": 30, "few": 3, "couple of": 2, "several": 7}
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}
_UNIT_MONTHS = {"month": 1, "year": 12}
_NUM = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|few|couple of|several)"
_UNIT = r"(days?|weeks?|fortnights?|months?|years?)"
_WD = "|".join(WEEKDAYS)
_MON = "|".join(MONTHS) + "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"

# "within the next week to 10 days", "within two weeks", "in the next 30 days"
_WITHIN = re.compile(rf"\b(?:within|in)\s+(?:the\s+)?(?:next\s+|coming\s+)?(?:{_NUM}\s+)?{_UNIT}"
                     rf"(?:\s+(?:to|or)\s+{_NUM}\s+{_UNIT})?", re.I)
_BY_WEEKDAY = re.compile(rf"\b(?:by|before|until|no later than)\s+(?:next\s+)?({_WD})\b", re.I)
_DATE_DM = rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MON})\.?(?:\s+(\d{{4}}))?"
_DATE_MD = rf"({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"
_BY_DATE = re.compile(rf"\b(by|before|until|no later than|deadline of|due on|due by)\s+(?:the\s+)?(?:{_DATE_DM}|{_DATE_MD})", re.I)
_BY_MONTH = re.compile(rf"\b(by|before|until)\s+(?:the\s+end\s+of\s+|end-|mid-|early\s+|late\s+)?({_MON})\b(?!\s+\d)", re.I)
_END_OF = re.compile(r"\b(?:by|before)\s+the\s+end\s+of\s+(?:the|this)\s+(week|month|year)\b", re.I)
_NEXT = re.compile(r"\b(?:later\s+)?(next|this|coming)\s+(week|month|year)\b", re.I)
_BY_YEAR = re.compile(r"\b(?:by|before|until)\s+(?:the\s+end\s+of\s+|end-|mid-)?((?:19|20)\d\d)\b(?![-/]\d)", re.I)
_TOMORROW = re.compile(r"\btomorrow\b", re.I)
# Something set for a coming day: 'is expected to speak on Wednesday', 'will vote on 20 June'.
_FUTURE_LEAD = r"\b(?:will|is expected to|are expected to|is due to|are due to|is scheduled to|are scheduled to|is set to|are set to|scheduled for|set for|due on)\b[^.;]{0,160}?"
# 'talks will resume in September': a month ahead, due by its end.
_IN_MONTH = re.compile(rf"{_FUTURE_LEAD}\bin\s+(?:early\s+|mid-|late\s+)?({_MON})\b(?!\s+\d)", re.I)
_SCHEDULED_DAY = re.compile(rf"{_FUTURE_LEAD}\bon\s+({_WD})\b", re.I)
_SCHEDULED_DATE = re.compile(rf"{_FUTURE_LEAD}\bon\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MON})|({_MON})\.?\s+(\d{{1,2}}))\b", re.I)
_SAID_ON = re.compile(rf"\b(?:on|last)\s+({_WD})\b", re.I)
# A deadline needs something due: these words make a sentence about future action.
_FUTURE = re.compile(r"\b(will|would|could|should|must|shall|expected|plan|plans|planned|aim|aims|due|"
                     r"deadline|set to|to be|scheduled|ultimatum|promised|pledged|vowed|agreed)\b", re.I)


@dataclass
class Deadline:
    due: dt.date
    phrase: str


def _num(word: str | None) -> int:
    if not word:
        return 1
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS.get(word, 1)


def _add(base: dt.date, count: int, unit: str) -> dt.date:
    """base + count units; months and years by the calendar ('two months' from 10 March is 10 May)."""
    unit = unit.lower().rstrip("s")
    if unit in _UNIT_DAYS:
        return base + dt.timedelta(days=count * _UNIT_DAYS[unit])
    months = base.month - 1 + count * _UNIT_MONTHS[unit]
    year, month = base.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(base.day, calendar.monthrange(year, month)[1]))


def _month_index(name: str) -> int:
    name = name.lower()[:3]
    return [m[:3] for m in MONTHS].index(name) + 1


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def weekday_on_or_before(anchor: dt.date, weekday: str) -> dt.date:
    """'said on Monday' in an article of Tuesday 19 Aug: Monday 18 Aug."""
    target = WEEKDAYS.index(weekday.lower())
    return anchor - dt.timedelta(days=(anchor.weekday() - target) % 7)


def weekday_after(anchor: dt.date, weekday: str) -> dt.date:
    """'by Friday' said on a Monday: that week's Friday (never the anchor day itself)."""
    target = WEEKDAYS.index(weekday.lower())
    return anchor + dt.timedelta(days=(target - anchor.weekday() - 1) % 7 + 1)


def statement_date(sentence: str, anchor: dt.date) -> dt.date:
    """The day a statement was made: 'said on Monday' moves the anchor back to that Monday."""
    for m in _SAID_ON.finditer(sentence):
        if re.search(rf"\b(next|coming|by|before|until)\s+{m.group(1)}", sentence, re.I):
            continue
        if any(f.end() >= m.end() for f in _SCHEDULED_DAY.finditer(sentence)):
            continue  # a day something is set for, not the day it was said
        return weekday_on_or_before(anchor, m.group(1))
    return anchor


def _resolve_day_month(anchor: dt.date, day: str, month: str, year: str | None) -> dt.date | None:
    y = int(year) if year else anchor.year
    try:
        date = dt.date(y, _month_index(month), int(day))
    except ValueError:
        return None
    if not year and date < anchor - dt.timedelta(days=31):
        date = date.replace(year=y + 1)  # "by 10 January" said in December
    return date


def find_deadline(sentence: str, anchor: dt.date) -> Deadline | None:
    """The due date a sentence sets, or None when it sets none."""
    if not _FUTURE.search(sentence):
        return None
    base = statement_date(sentence, anchor)
    m = _WITHIN.search(sentence)
    if m and (m.group(1) or m.group(3) or re.search(r"next|coming", m.group(0), re.I)):
        due = _add(base, _num(m.group(1)), m.group(2))
        if m.group(4):
            due = max(due, _add(base, _num(m.group(3)), m.group(4)))
        return Deadline(due, m.group(0))
    m = _BY_DATE.search(sentence)
    if m:
        day, month, year = (m.group(2), m.group(3), m.group(4)) if m.group(2) else (m.group(6), m.group(5), m.group(7))
        date = _resolve_day_month(base, day, month, year)
        if date:
            if m.group(1).lower() == "before":
                date -= dt.timedelta(days=1)
            return Deadline(date, m.group(0))
    m = _SCHEDULED_DAY.search(sentence)
    if m:
        return Deadline(weekday_after(anchor, m.group(1)), m.group(0))
    m = _SCHEDULED_DATE.search(sentence)
    if m:
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        date = _resolve_day_month(anchor, day, month, None)
        if date and date >= anchor:
            return Deadline(date, m.group(0))
    m = _BY_WEEKDAY.search(sentence)
    if m:
        due = weekday_after(base, m.group(1))
        if "next" in m.group(0).lower():
            due += dt.timedelta(days=7)
        if m.group(0).lower().startswith("before"):
            due -= dt.timedelta(days=1)
        return Deadline(due, m.group(0))
    m = _END_OF.search(sentence)
    if m:
        return Deadline(_end_of_period(base, m.group(1).lower(), 0), m.group(0))
    m = _BY_MONTH.search(sentence)
    if m:
        month = _month_index(m.group(2))
        year = base.year + (1 if month < base.month else 0)
        if m.group(1).lower() == "before" and "end" not in m.group(0).lower():
            return Deadline(dt.date(year, month, 1) - dt.timedelta(days=1), m.group(0))
        day = 15 if "mid" in m.group(0).lower() else None
        return Deadline(dt.date(year, month, day) if day else _end_of_month(year, month), m.group(0))
    m = _BY_YEAR.search(sentence)
    if m and int(m.group(1)) >= base.year:
        year = int(m.group(1))
        if m.group(0).lower().startswith("before"):
            return Deadline(dt.date(year - 1, 12, 31), m.group(0))
        return Deadline(dt.date(year, 6, 30) if "mid" in m.group(0).lower() else dt.date(year, 12, 31), m.group(0))
    m = _IN_MONTH.search(sentence)
    if m:
        month = _month_index(m.group(1))
        year = base.year + (1 if month < base.month else 0)
        return Deadline(_end_of_month(year, month), m.group(0))
    m = _NEXT.search(sentence)
    if m:
        offset = 0 if m.group(1).lower() == "this" else 1
        return Deadline(_end_of_period(base, m.group(2).lower(), offset), m.group(0))
    m = _TOMORROW.search(sentence)
    if m:
        return Deadline(base + dt.timedelta(days=1), m.group(0))
    return None


def _end_of_period(base: dt.date, unit: str, offset: int) -> dt.date:
    if unit == "week":
        return base + dt.timedelta(days=6 - base.weekday() + 7 * offset)
    if unit == "month":
        month = base.month + offset
        year = base.year + (month - 1) // 12
        return _end_of_month(year, (month - 1) % 12 + 1)
    return dt.date(base.year + offset, 12, 31)
