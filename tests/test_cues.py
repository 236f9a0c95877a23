"""Cues on sentences of their own: hedges, denials, open issues, decisions and proposals."""
import datetime as dt

import pytest

from briefing.nlp.cues import find_cues, is_background

ANCHOR = dt.date(2024, 3, 12)


def kinds(nlp, text: str) -> set[str]:
    span = next(iter(nlp(text).sents))
    return {c.kind for c in find_cues(span, ANCHOR)}


@pytest.mark.parametrize("text, kind", [
    ("The ministry did not confirm that the minister would attend the conference.", "unconfirmed"),
    ("Beijing has not officially confirmed the visit.", "unconfirmed"),
    ("The chief executive reportedly plans to step down next year.", "unconfirmed"),
    ("The company declined to comment on the report.", "unconfirmed"),
    ("The union said the employers were open to a shorter working week.", "unconfirmed"),
    ("Analysts said the central bank might accept a weaker currency.", "unconfirmed"),
    ("The cost of the project remained unclear after the hearing.", "unresolved"),
    ("No date or venue has yet been set for the next round.", "unresolved"),
    ("The question of who pays for the clean-up was not discussed.", "unresolved"),
    ("It remains uncertain whether the board will back the merger.", "unresolved"),
    ("The opposition leader rejected the government's budget plan.", "disputed"),
    ("The company denied claims that it had misled investors.", "disputed"),
    ("The two ministers remain at odds over the pace of the reform.", "disputed"),
])
def test_open_question_kinds(nlp, text, kind):
    assert kind in kinds(nlp, text)


@pytest.mark.parametrize("text, kind", [
    ("The European Commission announced a fine of 1.8 billion euros on the company.", "decision"),
    ("The central bank will raise interest rates, the governor said.", "decision"),
    ("The prime minister said the government would impose new tariffs on steel.", "decision"),
    ("The health minister ruled out a new lockdown.", "decision"),
    ("The mayor proposed a congestion charge for the city centre.", "proposal"),
    ("The delegation presented the board with a proposal to sell the division.", "proposal"),
])
def test_decisions_and_proposals(nlp, text, kind):
    assert kind in kinds(nlp, text)


@pytest.mark.parametrize("text", [
    "The company had been under pressure to offer refunds to customers.",  # pressure, not a decision
    "The announcement came at a summit where the president hosted the delegation.",  # context
    "The minister could impose new tariffs, analysts said.",  # hedged: a possibility
    "The government did not approve the plan.",
])
def test_not_decisions(nlp, text):
    assert not kinds(nlp, text) & {"decision", "proposal"}


def test_background_is_history(nlp):
    span = next(iter(nlp("The war began when troops invaded in February 2022.").sents))
    assert is_background(span, ANCHOR)
    span = next(iter(nlp("The minister spoke to reporters on Monday.").sents))
    assert not is_background(span, ANCHOR)


@pytest.mark.parametrize("text", [
    "This year has seen over 14,000 cases, a significant increase from 2023.",
    "Exports rose 4 per cent compared with 2022.",
    "The agency said deaths had exceeded last year's total.",
    "Both sides agreed to revive the security pact that was signed in 2001.",
])
def test_comparisons_and_noun_clauses_are_not_history(nlp, text):
    span = next(iter(nlp(text).sents))
    assert not is_background(span, ANCHOR)


@pytest.mark.parametrize("text", [
    "The bank is considering a bid for its rival, according to people familiar with the matter.",
    "The minister is said to have offered her resignation twice.",
    "Officials speaking on condition of anonymity said the deal was close.",
])
def test_unnamed_sourcing_is_unconfirmed(nlp, text):
    assert "unconfirmed" in kinds(nlp, text)


def test_a_thing_does_not_propose(nlp):
    assert "proposal" not in kinds(nlp, "The mayor's push for a new stadium suggests she still sees a path to re-election.")
    assert "proposal" in kinds(nlp, "The mayor's office proposed a new stadium for the city.")
