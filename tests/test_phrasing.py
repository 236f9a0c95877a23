"""Brief lines are made by deletion only: asides go, words are never added or changed."""
import pytest

from briefing.nlp.phrasing import shorten


@pytest.mark.parametrize("text, want", [
    ("Speaking to reporters after the vote on Tuesday, the minister said the bill would pass.",
     "The minister said the bill would pass."),
    ("The regulator did not approve the merger, leaving the deal in doubt.",
     "The regulator did not approve the merger."),
    ("The company did not confirm that it would close the plant or cut jobs in the region, even after "
     "unions and local officials asked it to do so at a meeting on Monday.",
     "The company did not confirm that it would close the plant or cut jobs in the region."),
    ("The council approved the budget because revenues rose.", "The council approved the budget because revenues rose."),
])
def test_shorten_drops_asides(nlp, text, want):
    assert shorten(next(iter(nlp(text).sents))) == want


def test_shorten_only_deletes(nlp):
    text = "Officials said the plan, which was first proposed in March, would cost about 2 billion euros."
    out = shorten(next(iter(nlp(text).sents)))
    words = text.replace(",", " ").split()
    assert all(w.strip(".,") in " ".join(words) for w in out.replace(",", " ").split())


@pytest.mark.parametrize("text, want", [
    ('I have accepted that advice," the director-general told a press conference in Geneva."',
     '"I have accepted that advice," the director-general told a press conference in Geneva.'),
    ("We will not give up,\u201d the minister said.", "\u201cWe will not give up,\u201d the minister said."),
    ("The minister said \u201cwe will not give up.", "The minister said \u201cwe will not give up.\u201d"),
    ('The minister called the plan "a disgrace" on Monday.', 'The minister called the plan "a disgrace" on Monday.'),
])
def test_quote_marks_are_paired(nlp, text, want):
    assert shorten(next(iter(nlp(text).sents))) == want
