"""Synthetic graphs in the project's vocabulary, for benchmarks and reasoning tests.

A realistic mix at any size: countries > provinces > cities > villages (containment chains),
armed groups and military units, people with roles, memberships and aliases (owl:sameAs),
operations with kinds, places, dates, participants and conductors, and one evidence node
(reified statement with a quoted sentence) per fact, as article graphs hold them.
"""

from __future__ import annotations

import random

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.vocab import NIF, OPS

BASE = "https://w3id.org/opskg/id/"
KINDS = [OPS.Raid, OPS.HelicopterRaid, OPS.AirStrike, OPS.DroneStrike, OPS.Operation]


def graph(triples: int, seed: int = 7, evidence: bool = True) -> Graph:
    """About ``triples`` asserted triples (within a few percent)."""
    rnd = random.Random(seed)
    g = Graph()

    def iri(kind: str, n: int) -> URIRef:
        return URIRef(f"{BASE}{kind}/{kind}-{n}")

    places: list[URIRef] = []
    n_places = max(8, triples // 60)
    for i in range(n_places):
        place = iri("location", i)
        places.append(place)
        level = i % 4
        g.add((place, RDF.type, [OPS.Country, OPS.Province, OPS.City, OPS.Village][level]))
        g.add((place, RDFS.label, Literal(f"Place {i}")))
        if level:
            parent = places[max(0, i - 1 - rnd.randrange(0, 3))]
            g.add((place, OPS.locatedIn, parent))
    groups = [iri("organization", i) for i in range(max(3, triples // 2000))]
    for i, org in enumerate(groups):
        g.add((org, RDF.type, OPS.ArmedGroup if i % 2 else OPS.MilitaryUnit))
        g.add((org, SKOS.altLabel, Literal(f"Group {i}")))
    roles = []
    for i, org in enumerate(groups):
        for title in ("leader", "official", "commander"):
            role = URIRef(f"{BASE}role/{i}-{title}")
            roles.append(role)
            g.add((role, OPS.roleIn, org))
            g.add((role, RDFS.label, Literal(f"{title} of group {i}")))
    n = 0
    while len(g) < triples:
        person = iri("person", n)
        g.add((person, SKOS.altLabel, Literal(f"Person {n}")))
        role = rnd.choice(roles)
        g.add((person, OPS.holdsRole, role))
        if n % 3 == 0:
            g.add((person, OPS.memberOf, rnd.choice(groups)))
        if n % 25 == 0 and n:
            g.add((person, OWL.sameAs, iri("person", n - 1)))  # two spellings of one person
        op = iri("operation", n)
        g.add((op, RDF.type, rnd.choice(KINDS)))
        g.add((op, OPS.tookPlaceIn, rnd.choice(places)))
        g.add((op, OPS.conductedBy, rnd.choice(groups)))
        g.add((op, OPS.date, Literal(f"20{rnd.randrange(15, 25)}-{rnd.randrange(1, 13):02d}", datatype=XSD.gYearMonth)))
        for relation in (OPS.killedIn, OPS.targetedIn):
            if rnd.random() < 0.7:
                g.add((person, relation, op))
                if evidence:
                    ev = URIRef(f"{BASE}article/a{n // 40}#fact-{n}-{relation.split('#')[-1]}")
                    sentence = URIRef(f"{BASE}article/a{n // 40}#char={n},{n + 80}")
                    g.add((ev, RDF.type, OPS.Evidence))
                    g.add((ev, RDF.subject, person))
                    g.add((ev, RDF.predicate, relation))
                    g.add((ev, RDF.object, op))
                    g.add((ev, OPS.evidence, sentence))
                    g.add((sentence, NIF.anchorOf, Literal(f"Sentence {n} says person {n} was {relation}.")))
        n += 1
    return g
