"""Synthetic graphs in the project's vocabulary, for benchmarks and reasoning tests.

A realistic mix at any size: countries > provinces > cities > villages (containment chains),
armed groups and military units, people with roles, memberships and aliases (owl:sameAs),
operations with kinds, places, dates, participants and conductors, and one evidence node
(reified statement with a quoted sentence) per fact, as article graphs hold them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.vocab import NIF, OPS

BASE = "https://w3id.org/opskg/id/"
KINDS = ["Raid", "HelicopterRaid", "AirStrike", "DroneStrike", "Operation"]
Triple = tuple[str, str, str]


def _i(kind: str, n: int | str) -> str:
    return f"<{BASE}{kind}/{kind}-{n}>"


def _o(name: str) -> str:
    return f"<{OPS[name]}>"


TYPE, LABEL, ALT, SAME = f"<{RDF.type}>", f"<{RDFS.label}>", f"<{SKOS.altLabel}>", f"<{OWL.sameAs}>"


def triples(count: int, seed: int = 7, evidence: bool = True) -> Iterator[Triple]:
    """About ``count`` triples as N-Triples terms (exactly ``count`` or a few more)."""
    rnd = random.Random(seed)
    emitted = 0

    def emit(s: str, p: str, o: str) -> Triple:
        nonlocal emitted
        emitted += 1
        return s, p, o

    places: list[str] = []
    for i in range(max(8, count // 60)):
        place = _i("location", i)
        places.append(place)
        level = i % 4
        yield emit(place, TYPE, _o(["Country", "Province", "City", "Village"][level]))
        yield emit(place, LABEL, f'"Place {i}"')
        if level:
            yield emit(place, _o("locatedIn"), places[max(0, i - 1 - rnd.randrange(0, 3))])
    groups = [_i("organization", i) for i in range(max(3, count // 2000))]
    for i, org in enumerate(groups):
        yield emit(org, TYPE, _o("ArmedGroup" if i % 2 else "MilitaryUnit"))
        yield emit(org, ALT, f'"Group {i}"')
    roles = []
    for i, org in enumerate(groups):
        for title in ("leader", "official", "commander"):
            role = f"<{BASE}role/{i}-{title}>"
            roles.append(role)
            yield emit(role, _o("roleIn"), org)
            yield emit(role, LABEL, f'"{title} of group {i}"')
    n = 0
    while emitted < count:
        person, op = _i("person", n), _i("operation", n)
        yield emit(person, ALT, f'"Person {n}"')
        yield emit(person, _o("holdsRole"), rnd.choice(roles))
        if n % 3 == 0:
            yield emit(person, _o("memberOf"), rnd.choice(groups))
        if n % 25 == 0 and n:
            yield emit(person, SAME, _i("person", n - 1))  # two spellings of one person
        yield emit(op, TYPE, _o(rnd.choice(KINDS)))
        yield emit(op, _o("tookPlaceIn"), rnd.choice(places))
        yield emit(op, _o("conductedBy"), rnd.choice(groups))
        yield emit(op, _o("date"), f'"20{rnd.randrange(15, 25)}-{rnd.randrange(1, 13):02d}"^^<{XSD.gYearMonth}>')
        for relation in ("killedIn", "targetedIn"):
            if rnd.random() < 0.7:
                yield emit(person, _o(relation), op)
                if evidence:
                    article = f"{BASE}article/a{n // 40}"
                    ev, sentence = f"<{article}#fact-{n}-{relation}>", f"<{article}#char={n},{n + 80}>"
                    yield emit(ev, TYPE, _o("Evidence"))
                    yield emit(ev, f"<{RDF.subject}>", person)
                    yield emit(ev, f"<{RDF.predicate}>", _o(relation))
                    yield emit(ev, f"<{RDF.object}>", op)
                    yield emit(ev, _o("evidence"), sentence)
                    yield emit(sentence, f"<{NIF.anchorOf}>", f'"Sentence {n} says person {n} was {relation}."')
        n += 1


def graph(count: int, seed: int = 7, evidence: bool = True) -> Graph:
    """The same triples as an rdflib graph."""
    data = "\n".join(f"{s} {p} {o} ." for s, p, o in triples(count, seed, evidence))
    return Graph().parse(data=data, format="nt")
