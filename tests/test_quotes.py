"""Quotes are attributed to the right speaker; phrases inside a reporter's sentence are not quotes."""
import datetime as dt

from briefing.models import Article
from briefing.nlp.actors import find_actors
from briefing.nlp.corpus import build_corpus
from briefing.nlp.quotes import find_quotes

DAY = dt.date(2024, 6, 3)


def quotes_of(nlp, text: str):
    corpus = build_corpus([Article(text=text, anchor=DAY)], nlp)
    return [(q.speaker, q.text) for q in find_quotes(corpus, find_actors(corpus))]


def test_speaker_after_the_quote_and_pronoun_of_the_last_subject(nlp):
    got = quotes_of(nlp, (
        "Health Secretary Wes Streeting met union leader Sharon Graham on Monday.\n"
        "“We will not reopen the pay deal this year under any circumstances,” Streeting said.\n"
        "Streeting dismissed claims that he had misled nurses about Graham and the union.\n"
        "“I know exactly what was agreed and I stand by every word of it,” he said.\n"
        "“Our members are angry and they will not be ignored much longer,” said Graham."))
    assert ("Wes Streeting", "We will not reopen the pay deal this year under any circumstances") in got
    assert ("Wes Streeting", "I know exactly what was agreed and I stand by every word of it") in got
    assert ("Sharon Graham", "Our members are angry and they will not be ignored much longer") in got


def test_short_quoted_phrases_are_not_quotes(nlp):
    got = quotes_of(nlp, "Finance Minister Anna Berg said the plan was “fair and balanced” and "
                         "would bring “real relief” to families.")
    assert got == []
