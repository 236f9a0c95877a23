"""Actors merged across outlets, with roles; places, days and media are not actors."""
import datetime as dt

import pytest

from briefing.models import Article
from briefing.nlp.actors import find_actors
from briefing.nlp.corpus import build_corpus

DAY = dt.date(2024, 3, 12)

ARTICLES = [
    Article(title="Regulator fines carmaker over emissions", anchor=DAY, outlet="Daily Ledger", text=(
        "European Competition Commissioner Margrethe Vestager announced a fine of 2 billion euros on "
        "Volkswagen on Tuesday.\n"
        "Herbert Diess, the chief executive of Volkswagen, said the company would appeal.\n"
        "Vestager told Reuters that the investigation had lasted three years.\n"
        "The decision was announced in Brussels after a meeting of commissioners.\n"
        "Berlin said it would study the ruling carefully.")),
    Article(title="Carmaker to appeal record fine", anchor=DAY, outlet="Morning Wire", text=(
        "Volkswagen chief executive Herbert Diess said on Tuesday that the carmaker would challenge the fine.\n"
        "Ms Vestager said the company had broken the rules for years.\n"
        "German Finance Minister Christian Lindner said the government would not intervene.\n"
        "Diess told Bloomberg News that the firm had done nothing wrong.")),
    Article(title="", anchor=DAY, text=(
        "Vestager, speaking in Brussels, said the fine was proportionate.\n"
        "Lindner said Berlin would respect the independence of the commission.\n"
        "Volkswagen shares fell 3 per cent in Frankfurt on Tuesday.")),
]


@pytest.fixture(scope="module")
def actors(nlp):
    for a in ARTICLES:
        a.anchor = DAY
    return find_actors(build_corpus(ARTICLES, nlp)).actors


def by_name(actors, part):
    return [a for a in actors if part in a.name or any(part in x for x in a.aliases)]


def test_one_entry_per_person_across_outlets(actors):
    for surname in ("Vestager", "Diess", "Lindner"):
        hits = by_name(actors, surname)
        assert len(hits) == 1, (surname, [a.name for a in hits])
        assert hits[0].kind == "person"
    vestager = by_name(actors, "Vestager")[0]
    assert vestager.name == "Margrethe Vestager"
    assert set(vestager.sources) == {"S1", "S2", "S3"}


def test_roles_from_titles_and_appositions(actors):
    assert "commissioner" in (by_name(actors, "Vestager")[0].role or "").lower()
    assert "chief executive" in (by_name(actors, "Diess")[0].role or "").lower()
    assert "finance minister" in (by_name(actors, "Lindner")[0].role or "").lower()


def test_places_days_and_media_are_not_actors(actors):
    names = {a.name.lower() for a in actors}
    for junk in ("brussels", "frankfurt", "tuesday", "reuters", "bloomberg news", "berlin"):
        assert junk not in names, junk


def test_ranked_by_outlets(actors):
    people = [a for a in actors if a.kind == "person"]
    assert people[0].name == "Margrethe Vestager"


def test_spelling_variants_and_joined_names_merge(nlp):
    arts = [
        Article(title="", anchor=DAY, text="Opposition leader Alexei Navalny said on Monday he would return.\n"
                "Navalny has called for protests across the country."),
        Article(title="", anchor=DAY, text="Navalnyy told supporters that the vote was rigged.\n"
                "A planned Navalnyy-Putin debate was cancelled, Kremlin spokesman Dmitry Peskov said."),
    ]
    index = find_actors(build_corpus(arts, nlp))
    hits = [a for a in index.actors if "Naval" in a.name]
    assert len(hits) == 1 and hits[0].kind == "person"
    assert set(hits[0].sources) == {"S1", "S2"}
    peskov = [a for a in index.actors if "Peskov" in a.name]
    assert peskov and "spokesman" in (peskov[0].role or "").lower()


def test_organisation_named_by_several_outlets_is_an_actor(actors):
    orgs = [a for a in actors if a.kind == "organization"]
    assert any("Volkswagen" in a.name for a in orgs), [a.name for a in actors]


def test_people_sharing_a_surname_stay_apart(nlp):
    arts = [Article(title="", anchor=DAY, text=(
        "Prime Minister Shinzo Abe met Akie Abe at the airport on Friday.\n"
        "Akie Abe later told reporters she would lead the charity.\n"
        "Abe said the government would raise the sales tax.")),
        Article(title="", anchor=DAY, text="Shinzo Abe announced the tax rise on Friday.\n"
                "Mr Tanaka, a senior adviser, said Abe had made up his mind.")]
    index = find_actors(build_corpus(arts, nlp))
    names = [a.name for a in index.actors if "Abe" in a.name]
    assert sorted(names) == ["Akie Abe", "Shinzo Abe"], names
    shinzo = next(a for a in index.actors if a.name == "Shinzo Abe")
    assert shinzo.mentions > next(a for a in index.actors if a.name == "Akie Abe").mentions
    assert any(a.name == "Tanaka" and a.kind == "person" for a in index.actors), [a.name for a in index.actors]


def test_news_agencies_reporting_are_not_actors(nlp):
    arts = [Article(title="", anchor=DAY, text=(
        "Reuters reported on Monday that the airline would cut 2,000 jobs.\n"
        "According to AFP, the unions called a strike.\n"
        "The plan was first reported by Bloomberg, citing people familiar with the matter.\n"
        "Chief executive Carsten Spohr said the cuts were unavoidable."))]
    names = {a.name for a in find_actors(build_corpus(arts, nlp)).actors}
    assert not names & {"Reuters", "AFP", "Bloomberg"}, names
    assert "Carsten Spohr" in names
