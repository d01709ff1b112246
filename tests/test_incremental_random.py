"""Random small corpora built in steps give the served graphs a build of all their articles at once gives.

Each example draws invented people of one family (full names, kunyas, bare surnames, other spellings),
groups they are members of, places (spellings, kinds, gazetteer entries, "near" statements), and
operations that took place in them (named after their places), spread over a few articles; the
articles are added in two to four steps, each derived incrementally. The case that fails is printed
with its seed (Hypothesis), and ``derandomize`` keeps CI's examples the same.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kg import derive
from kg.store import OxigraphStore
from tests.test_incremental import IRIS, OPS, B, article, assert_handed_on_as_stored, derived, served

KUNYAS = ["", "", "", "Abu Tarek ", "Abu Yasin ", "Abu Tareq "]
GIVEN = ["Omar ", "Salim ", "Omar ", "Umar ", "Karim ", ""]
MIDDLE = ["", "", "Khalil ", "Hadi "]
SURNAMES = ["al-Varani", "al-Varany", "Varani", "al-Varrani", "al-Verani", "al-Zorini"]
LONE = ["Varani", "al-Varani", "Varany", "al-Verani", "Zorini"]
GROUPS = ["Velm Front", "Zorin Brigade", "Velm Frnt", "Velm Front Army"]
PLACES = ["Dasra", "al-Dasra", "Kafr Dasra", "Dasrah", "Zorin", "Zoreen", "Tell Zorin"]
KINDS = ["Location", "Location", "Location Village", "Location Province", "Location Town", "Location Region"]


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(LONE)
    return (rng.choice(KUNYAS) + rng.choice(GIVEN) + rng.choice(MIDDLE) + rng.choice(SURNAMES)).strip()


def corpus(seed: int) -> tuple[list[tuple[str, str]], list[int]]:
    """Article graphs and the indexes at which the steps after the first begin."""
    rng = random.Random(seed)
    operations = random.Random(f"{seed} operations")  # its own draws: the rest of each corpus is as it was
    letters = rng.sample("abcdefghijklmnopqrstuvwxyz", 26)  # the order of IRIs decides ties
    people = [f"person/{letters[i]}{i}" for i in range(rng.randint(2, 7))]
    groups = [f"organization/{letters[i]}g{i}" for i in range(rng.randint(0, 3))]
    places = [f"location/{letters[i]}l{i}" for i in range(rng.randint(0, 4))]
    name = {p: person_name(rng) for p in people} | {g: rng.choice(GROUPS) for g in groups} \
        | {p: rng.choice(PLACES) for p in places}
    gazetteer = {p for p in places if rng.random() < 0.3}
    graphs = []
    for k in range(rng.randint(3, 8)):
        entities, facts, extra = [], [], ""
        for e in rng.sample(people + groups + places, rng.randint(1, min(4, len(people + groups + places)))):
            spelling = name[e] if rng.random() < 0.6 else (
                person_name(rng) if e in people else rng.choice(GROUPS if e in groups else PLACES))
            kind = "Person" if e in people else "Organization" if e in groups else rng.choice(KINDS)
            if (e, kind) not in {(x, c) for x, c, _n in entities}:
                entities.append((e, kind, [spelling]))
            if e in gazetteer:
                extra += f'<{B}{e}> <{OPS}gazetteerEntry> "{name[e]}" .\n'
        named = [e for e, _c, _n in entities]
        for p in (e for e in named if e in people):
            for g in (e for e in named if e in groups):
                if rng.random() < 0.5:
                    facts.append((p, "memberOf", g))
        here = [e for e in named if e in places]  # the places this article names
        if len(here) >= 2 and rng.random() < 0.5:
            facts.append((here[0], "near", here[1]))
        if here and operations.random() < 0.5:  # an operation in one or two of them
            operation = f"operation/{letters[k]}o{k}"
            entities.append((operation, operations.choice(["Raid", "AirStrike"]), []))
            facts += [(operation, "tookPlaceIn", p)
                      for p in operations.sample(here, operations.randint(1, min(2, len(here))))]
        graph, text = article(f"s{seed}a{k}", entities, facts)
        graphs.append((graph, text + extra))
    cuts = sorted(rng.sample(range(1, len(graphs)), rng.randint(1, min(3, len(graphs) - 1))))
    return graphs, cuts


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_a_corpus_built_in_steps_is_served_as_one_built_at_once(seed: int) -> None:
    graphs, cuts = corpus(seed)
    grown = OxigraphStore(None)
    grown.replace_graphs(dict(graphs[:cuts[0]]))
    report = derive.refresh(grown, IRIS)
    hand_on = seed % 2 == 0  # as a build does: each derivation takes what the last one wrote
    for start, end in zip(cuts, [*cuts[1:], len(graphs)], strict=True):
        grown.replace_graphs(dict(graphs[start:end]))
        report = derive.refresh(grown, IRIS, last=report.written if hand_on else None)
        assert_handed_on_as_stored(grown, report.written)
    assert served(grown) == served(derived(graphs))
