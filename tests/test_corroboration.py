"""Paraphrases across outlets merge into one item; distinct points stay apart; stories split."""
import datetime as dt

import pytest

from briefing.extract import extract
from briefing.models import Article

DAY = dt.date(2024, 5, 7)


def article(text: str, title: str = "") -> Article:
    return Article(text=text, title=title, anchor=DAY)


ARTICLES = [
        article("Finance Minister Rachel Reeves announced a cut in fuel duty on Tuesday.\n"
                "Reeves said the cut would take effect within two weeks.\n"
                "Opposition leader Kemi Badenoch rejected the plan as too small.\n"
                "The cost of the measure remained unclear after the statement."),
        article("Chancellor Rachel Reeves has reduced fuel duty, she told parliament on Tuesday.\n"
                "Badenoch dismissed the reduction as a gimmick.\n"
                "The Treasury did not confirm how the cut would be funded."),
        article("Britain will lower the duty on fuel, Reeves said in a statement.\n"
                "Separately, floods in the north of England forced hundreds of families from their homes.\n"
                "Rescue teams evacuated residents from flooded streets in three towns overnight.\n"
                "Rescue teams said the floods were the worst in the region for decades."),
]


@pytest.fixture(scope="module")
def extraction():
    return extract(ARTICLES)


def test_paraphrases_merge_into_one_decision(extraction):
    cut = [d for d in extraction.decisions if "duty" in d.text.lower() or
           any("duty" in e.quote.lower() for e in d.evidence)]
    assert cut, [d.text for d in extraction.decisions]
    assert set(cut[0].sources) == {"S1", "S2", "S3"}, cut[0].sources


def test_every_evidence_quote_is_verbatim(extraction):
    texts = {s.id: a.title + "\n" + a.text for s, a in zip(extraction.sources, ARTICLES)}
    for item in extraction.decisions + extraction.open_questions + extraction.facts:
        assert item.evidence
        for ev in item.evidence:
            assert ev.source in item.sources
            assert ev.quote in texts[ev.source]


def test_open_questions_of_each_kind(extraction):
    kinds = {q.kind for q in extraction.open_questions}
    assert {"deadline", "unresolved", "unconfirmed", "disputed"} <= kinds, kinds
    deadline = next(q for q in extraction.open_questions if q.kind == "deadline")
    assert deadline.due == "2024-05-21"


def test_distinct_points_stay_apart(extraction):
    for d in extraction.decisions:
        words = " ".join([d.text] + [e.quote for e in d.evidence]).lower()
        assert not ("duty" in words and "flood" in words), d


def test_unrelated_story_is_split_off(extraction):
    assert any("flood" in s.text.lower() for s in extraction.stories), extraction.stories
    lead_items = [f for f in extraction.facts if f.story == 0]
    assert all("flood" not in f.text.lower() for f in lead_items)


def test_articles_about_another_event_are_another_story():
    budget = ("Finance Minister Rachel Reeves announced a cut in fuel duty on Tuesday.\n"
              "Reeves said the cut in fuel duty would help drivers and hauliers with rising costs.")
    quake = ("A magnitude 6.1 earthquake struck central Chile on Tuesday, the geological survey said.\n"
             "Rescue teams searched collapsed buildings in two towns after the earthquake.")
    extraction = extract([article(budget), article(budget.replace("Tuesday", "Tuesday morning")),
                          article(budget.replace("drivers", "motorists")), article(quake),
                          article(quake.replace("two towns", "three towns"))])
    quake_story = [s for s in extraction.stories if "earthquake" in s.text.lower()]
    assert quake_story and set(quake_story[0].sources) == {"S4", "S5"}
    assert all("earthquake" not in f.text.lower() for f in extraction.facts if f.story == 0)
    assert any("duty" in f.text.lower() for f in extraction.facts if f.story == 0)
