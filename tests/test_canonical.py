"""The canonical graph: each article's facts restated once on canonical IRIs, with their sources."""

from __future__ import annotations

from kg.canonical import canonical_graph, fact_iri, for_reasoning

B = "https://example.org/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OPS = "https://w3id.org/opskg/ontology#"
PROV = "http://www.w3.org/ns/prov#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
TYPE, KILLED_IN, DATE, TOOK_PLACE_IN = f"<{RDF}type>", f"<{OPS}killedIn>", f"<{OPS}date>", f"<{OPS}tookPlaceIn>"
LOCATED_IN = f"<{OPS}locatedIn>"
DAY = "<http://www.w3.org/2001/XMLSchema#date>"
MONTH = "<http://www.w3.org/2001/XMLSchema#gYearMonth>"


def iri(path: str) -> str:
    return f"<{B}{path}>"


def article(name: str, facts: list[tuple[str, str, str]], sentence: str) -> tuple[str, list[tuple[str, str, str]]]:
    """An article graph: its facts, each with an evidence node quoting ``sentence``."""
    graph = f"{B}article/{name}"
    node = f"<{graph}>"
    quote = f"<{graph}#char=0,{len(sentence)}>"
    triples = [(node, TYPE, f"<{OPS}Article>"), (node, f"<{OPS}contentHash>", '"sha256:x"'),
               (quote, f"<{NIF}anchorOf>", f'"{sentence}"')]
    for i, (s, p, o) in enumerate(facts):
        triples.append((s, p, o))
        evidence = f"<{graph}#fact-{i}>"
        triples += [(evidence, TYPE, f"<{OPS}Evidence>"), (evidence, f"<{RDF}subject>", s),
                    (evidence, f"<{RDF}predicate>", p), (evidence, f"<{RDF}object>", o),
                    (evidence, f"<{OPS}evidence>", quote), (evidence, f"<{OPS}article>", node)]
    return graph, triples


# Two articles report one raid under their own IRIs and spellings of the dead man.
FIRST = article("first", [(iri("person/abu-salim"), KILLED_IN, iri("operation/raid-1")),
                          (iri("operation/raid-1"), DATE, f'"2024-05-02"^^{DAY}'),
                          (iri("operation/raid-1"), TOOK_PLACE_IN, iri("location/kafr-tamur"))],
                "Abu Salim was killed in the raid on Kafr Tamur on 2 May.")
SECOND = article("second", [(iri("person/abou-salim"), KILLED_IN, iri("operation/raid-2")),
                            (iri("operation/raid-2"), DATE, f'"2024-05"^^{MONTH}'),
                            (iri("operation/raid-2"), TOOK_PLACE_IN, iri("location/marzin-province")),
                            (iri("location/kafr-tamur"), LOCATED_IN, iri("location/marzin-province"))],
                 "Abou Salim died in a raid in Marzin province in May.")
CANONICAL = {f"{B}person/abou-salim": f"{B}person/abu-salim", f"{B}person/abu-salim": f"{B}person/abu-salim",
             f"{B}operation/raid-2": f"{B}operation/raid-1", f"{B}operation/raid-1": f"{B}operation/raid-1"}


def build() -> set[tuple[str, str, str]]:
    return canonical_graph(B, [FIRST, SECOND], CANONICAL, {f"{B}person/abu-salim": "Abu Salim"})


def test_a_fact_two_articles_state_is_one_statement_on_the_canonical_iris() -> None:
    g = build()
    killed = {t for t in g if t[1] == KILLED_IN}
    assert killed == {(iri("person/abu-salim"), KILLED_IN, iri("operation/raid-1"))}
    assert not any("abou-salim" in s or "raid-2" in s for s, _p, _o in g)


def test_the_fused_statement_keeps_every_source_and_counts_the_articles() -> None:
    g = build()
    node = fact_iri(B, (iri("person/abu-salim"), KILLED_IN, iri("operation/raid-1")))
    assert (node, f"<{OPS}sources>", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>') in g
    sources = {o for s, p, o in g if s == node and p == f"<{PROV}wasDerivedFrom>"}
    assert sources == {f"<{B}article/first#fact-0>", f"<{B}article/second#fact-0>"}
    articles = {o for s, p, o in g if s in sources and p == f"<{OPS}article>"}
    assert articles == {f"<{B}article/first>", f"<{B}article/second>"}
    quotes = {o for s, p, o in g if p == f"<{NIF}anchorOf>"}
    assert '"Abou Salim died in a raid in Marzin province in May."' in quotes


def test_a_refined_value_is_left_out_and_the_precise_one_kept() -> None:
    g = build()
    assert {o for s, p, o in g if p == DATE} == {f'"2024-05-02"^^{DAY}'}
    # the province contains the village: the village is where the raid took place
    assert {o for s, p, o in g if p == TOOK_PLACE_IN} == {iri("location/kafr-tamur")}
    dropped = fact_iri(B, (iri("operation/raid-1"), DATE, f'"2024-05"^^{MONTH}'))
    assert not any(s == dropped for s, _p, _o in g)


def test_values_that_contradict_each_other_are_both_kept() -> None:
    other = article("third", [(iri("operation/raid-3"), DATE, f'"2024-05-04"^^{DAY}')], "On 4 May, a raid.")
    g = canonical_graph(B, [FIRST, SECOND, other], {**CANONICAL, f"{B}operation/raid-3": f"{B}operation/raid-1"}, {})
    assert {o for s, p, o in g if p == DATE} == {f'"2024-05-02"^^{DAY}', f'"2024-05-04"^^{DAY}'}


def test_a_region_of_a_country_gives_way_to_a_place_in_that_country() -> None:
    """"northern Korvath" beside a village in Korvath: the village is the more specific place."""
    region = article("fourth", [(iri("operation/raid-4"), TOOK_PLACE_IN, iri("location/north-korvath")),
                                (iri("location/north-korvath"), LOCATED_IN, iri("location/korvath"))], "A raid.")
    village = article("fifth", [(iri("operation/raid-5"), TOOK_PLACE_IN, iri("location/kafr-tamur")),
                                (iri("location/kafr-tamur"), LOCATED_IN, iri("location/korvath"))], "A raid.")
    same = {f"{B}operation/raid-5": f"{B}operation/raid-4", f"{B}operation/raid-4": f"{B}operation/raid-4"}
    g = canonical_graph(B, [region, village], same, {}, regions={f"{B}location/north-korvath"})
    assert {o for s, p, o in g if p == TOOK_PLACE_IN} == {iri("location/kafr-tamur")}
    # without knowing the region is one, both places stay (neither contains the other)
    g = canonical_graph(B, [region, village], same, {})
    assert len({o for s, p, o in g if p == TOOK_PLACE_IN}) == 2


def test_names_sources_and_bookkeeping_are_not_reasoned_over() -> None:
    g = build()
    reasoned = for_reasoning(g)
    assert (iri("person/abu-salim"), KILLED_IN, iri("operation/raid-1")) in reasoned
    assert not any(p in (f"<{PROV}wasDerivedFrom>", f"<{OPS}sources>", f"<{RDF}subject>",
                         "<http://www.w3.org/2000/01/rdf-schema#label>") for _s, p, _o in reasoned)
    assert not any(p == f"<{OPS}contentHash>" for _s, p, _o in g)  # an article's bookkeeping stays in its graph


def test_an_area_of_one_province_does_not_give_way_to_a_town_of_another() -> None:
    """Both in Korvath, but the area is part of Orsa province and the town is in Kessa province: neither
    refines the other, so both stay (a conflict ``kg check`` lists)."""
    area = article("sixth", [(iri("operation/raid-6"), TOOK_PLACE_IN, iri("location/east-velmar")),
                             (iri("location/east-velmar"), LOCATED_IN, iri("location/orsa-province")),
                             (iri("location/orsa-province"), LOCATED_IN, iri("location/korvath"))], "A raid.")
    town = article("seventh", [(iri("operation/raid-7"), TOOK_PLACE_IN, iri("location/tell-dunan")),
                               (iri("location/tell-dunan"), LOCATED_IN, iri("location/kessa-province")),
                               (iri("location/kessa-province"), LOCATED_IN, iri("location/korvath"))], "A raid.")
    same = {f"{B}operation/raid-7": f"{B}operation/raid-6", f"{B}operation/raid-6": f"{B}operation/raid-6"}
    g = canonical_graph(B, [area, town], same, {}, regions={f"{B}location/east-velmar"})
    assert {o for s, p, o in g if p == TOOK_PLACE_IN} == {iri("location/east-velmar"), iri("location/tell-dunan")}
