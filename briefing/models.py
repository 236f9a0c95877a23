"""Plain records passed between the stages (collect -> extract -> compose -> render)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ActorKind = Literal["person", "organization", "country", "group"]
QuestionKind = Literal["unconfirmed", "deadline", "disputed", "unresolved"]


@dataclass
class Article:
    """One article as read from a file, a feed entry or a web page."""

    text: str
    title: str = ""
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    path: str | None = None
    # The date relative expressions resolve against: published, else the build date.
    anchor: dt.date | None = None


@dataclass
class Source:
    """An article as the brief cites it (S1, S2, ...)."""

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    path: str | None
    published: str | None
    lead: str | None = None  # the article's opening words, to name it when it has no headline


@dataclass
class Evidence:
    source: str
    quote: str


@dataclass
class Actor:
    name: str
    kind: ActorKind
    role: str | None = None
    aliases: list[str] = field(default_factory=list)
    mentions: int = 0
    sources: list[str] = field(default_factory=list)


@dataclass
class Item:
    """A summary bullet, a decision or an open question, with its provenance."""

    text: str
    sources: list[str]
    evidence: list[Evidence]
    actors: list[str] = field(default_factory=list)
    kind: QuestionKind | None = None
    due: str | None = None
    story: int = 0
    score: float = 0.0


@dataclass
class Quote:
    speaker: str
    text: str
    source: str


@dataclass
class Story:
    """A group of related content; story 0 is the lead story."""

    id: int
    text: str
    sources: list[str]
    evidence: list[Evidence]


@dataclass
class Brief:
    topic: str
    title: str
    date: str
    generated_at: str
    sources: list[Source]
    summary: list[Item]
    actors: list[Actor]
    decisions: list[Item]
    open_questions: list[Item]
    quotes: list[Quote]
    stories: list[Story] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The briefing/1 JSON contract (extend it, never rename keys)."""
        data = asdict(self)
        out: dict[str, Any] = {"schema": "briefing/1"}
        out.update({k: data[k] for k in ("topic", "title", "date", "generated_at", "sources")})
        out["summary"] = [_summary_item(i) for i in data["summary"]]
        out["actors"] = data["actors"]
        out["decisions"] = [_decision_item(i) for i in data["decisions"]]
        out["open_questions"] = [_question_item(i) for i in data["open_questions"]]
        out["quotes"] = data["quotes"]
        out["stories"] = data["stories"]
        return out


def _summary_item(i: dict[str, Any]) -> dict[str, Any]:
    return {k: i[k] for k in ("text", "sources", "evidence", "actors")}


def _decision_item(i: dict[str, Any]) -> dict[str, Any]:
    return {k: i[k] for k in ("text", "actors", "sources", "evidence", "story")}


def _question_item(i: dict[str, Any]) -> dict[str, Any]:
    return {k: i[k] for k in ("text", "kind", "due", "actors", "sources", "evidence", "story")}


def brief_from_json(data: dict[str, Any]) -> Brief:
    """Rebuild a Brief from its JSON (for send, the archive index and tools)."""

    def items(key: str) -> list[Item]:
        out = []
        for i in data.get(key) or []:
            out.append(Item(text=i.get("text", ""), sources=list(i.get("sources") or []),
                            evidence=[Evidence(**e) for e in i.get("evidence") or []],
                            actors=list(i.get("actors") or []), kind=i.get("kind"), due=i.get("due"),
                            story=int(i.get("story") or 0)))
        return out

    return Brief(
        topic=data["topic"], title=data.get("title", ""), date=data["date"],
        generated_at=data.get("generated_at", ""),
        sources=[Source(**s) for s in data.get("sources") or []],
        summary=items("summary"), actors=[Actor(**a) for a in data.get("actors") or []],
        decisions=items("decisions"), open_questions=items("open_questions"),
        quotes=[Quote(**q) for q in data.get("quotes") or []],
        stories=[Story(id=s["id"], text=s["text"], sources=s["sources"],
                       evidence=[Evidence(**e) for e in s.get("evidence") or []])
                 for s in data.get("stories") or []])
