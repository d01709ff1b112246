"""Operations told in the plural, and the places a whole article or campaign gives them.

- "drone strikes have killed X and Y": each named victim died in one of several operations
  (:func:`several_operations`), which take the place of the campaign told just before ("a drone
  campaign of more than 100 airstrikes in X", :func:`campaign_places`);
- "in the country": the country the article is about (:func:`main_country`).
"""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from kg.extract.entities import ArticleEntities
from kg.extract.operation import KIND_MODIFIERS, STATE_ACTION_NOUNS, TRIGGERS
from kg.extract.participation import KILL
from kg.model import EntityRef, Span


def several_operations(verb: Token) -> Token | None:
    """The plural subject of a killing that names several operations: "drone strikes have killed X and
    Y", "the raids killed X" (each named victim died in one of them)."""
    if verb.lemma_.lower() not in KILL:
        return None
    for subject in (c for c in verb.children if c.dep_ == "nsubj" and c.tag_ == "NNS"):
        lemma = subject.lemma_.lower()
        if lemma in TRIGGERS and lemma != "operation":
            return subject
        if lemma in STATE_ACTION_NOUNS and any(c.lower_ in KIND_MODIFIERS for c in subject.children):
            return subject  # "the drone attacks"
    return None


def campaign_places(sents: list[SpacySpan], found: ArticleEntities, number: int) -> list[tuple[EntityRef, Span, str]]:
    """Where the strikes of a campaign told in sentence ``number`` or the two before took place: "a drone
    campaign of more than 100 airstrikes in X. This year the strikes killed A and B" (X)."""
    out = []
    for sent in sents[max(number - 2, 0):number + 1]:
        for token in sent:
            lemma = token.lemma_.lower()
            if not ((lemma == "campaign" and _of_operations(token)) or (lemma in TRIGGERS and token.tag_ == "NNS")):
                continue
            holders = [token, token.head] if token.dep_ == "dobj" else [token]  # "included 100 strikes in X"
            for prep in (c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in ("in", "across")):
                for place in (g for g in prep.children if g.dep_ == "pobj"):
                    edge = place.right_edge  # "Korvath province": the name is a compound of the noun
                    ref = found.find(place.left_edge.idx, edge.idx + len(edge.text))
                    if ref is not None and ref.cls == "Location":
                        out.append((ref, Span(sent.start_char, sent.end_char), "in"))
    return out


def _of_operations(campaign: Token) -> bool:
    """A campaign of strikes or raids: "a drone campaign", "a bombing campaign", "a campaign of airstrikes"
    (not "a vaccination campaign")."""
    if any(c.lower_ in KIND_MODIFIERS or c.lemma_.lower() in TRIGGERS for c in campaign.children
           if c.dep_ in ("compound", "amod", "nmod")):
        return True
    return any(g.lemma_.lower() in TRIGGERS for c in campaign.children if c.dep_ == "prep" and c.lower_ == "of"
               for g in c.children)


def main_country(found: ArticleEntities) -> EntityRef | None:
    """The country the article is about, which "in the country" refers to: the one it names most,
    when it names one more than any other."""
    counts = sorted(((len(e.mentions), e.ref) for e in found.entities
                     if e.ref.cls == "Location" and e.kind == "Country"), key=lambda c: -c[0])
    if not counts or (len(counts) > 1 and counts[0][0] == counts[1][0]):
        return None
    return counts[0][1]
