"""Cross-article identity on hand-built records: who merges, who never does, and what the identity graph says."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, PROV, RDF, RDFS

import kg.resolve
from kg.identity_graph import Identity
from kg.names import parse_person, person_match
from kg.resolve import (
    CONTEXT_BONUS,
    Decision,
    EntityRecord,
    cluster,
    cluster_labels,
    group_records,
    preferred_name,
)
from kg.vocab import OPS

BASE = "https://example.org/id/"


def identity_graph(articles: Iterable[str], graph_iri: str, digest: str, canonical: Mapping[str, str],
                   decisions: list[Decision], links: Mapping[str, str] | None = None) -> Graph:
    """The identity graph of ``articles`` (without their content hashes) as an rdflib graph; ``links``: by
    default each IRI to its canonical IRI."""
    if links is None:
        links = {iri: head for iri, head in canonical.items() if iri != head}
    text = Identity(graph_iri, digest, {}, links, decisions).ntriples()
    text += "".join(f"<{graph_iri}> <{PROV.wasDerivedFrom}> <{a}> .\n" for a in sorted(set(articles)))
    return Graph().parse(data=text, format="nt")
GRAPH = BASE + "graph/identity"
PERSON, ORG, PLACE = str(OPS.Person), str(OPS.Organization), str(OPS.Location)
NF = BASE + "organization/northern-front"
HAS = BASE + "organization/harakat-ansar-al-sahra"


def art(n: int) -> str:
    return f"{BASE}article/a{n}"


def record(kind: str, slug: str, forms: list[str], articles: list[int], orgs: tuple[str, ...] = ()) -> EntityRecord:
    cls = {"person": PERSON, "organization": ORG, "location": PLACE}[kind]
    return EntityRecord(f"{BASE}{kind}/{slug}", {cls}, Counter(forms), {art(n) for n in articles}, set(orgs))


def person(slug: str, forms: list[str], articles: list[int], orgs: tuple[str, ...] = ()) -> EntityRecord:
    return record("person", slug, forms, articles, orgs)


def merged(canonical: dict[str, str], a: EntityRecord, b: EntityRecord) -> bool:
    return canonical[a.iri] == canonical[b.iri]


def graph_of(records: list[EntityRecord], fixed: set[str] | None = None) -> Graph:
    """The identity graph of ``records``, clustered as the builder does."""
    canonical, decisions = cluster(records, fixed)
    return identity_graph({a for r in records for a in r.articles}, GRAPH, "sha256:test", canonical, decisions)


@pytest.mark.parametrize(("one", "other"), [
    ("Omar Khalil al-Jubouri", "Umar Khaleel al-Jibouri"),
    ("Abu Usama al-Karkhi", "Abu Osama al-Karkhy"),
    ("Khalid Hamad al-Rawi", "Khaled Hamad Al Rawi"),
])
def test_transliteration_variants_of_one_person_merge(one: str, other: str) -> None:
    a = person("a", [one], [1])
    b = person("b", [other], [2])
    canonical, decisions = cluster([a, b])
    assert merged(canonical, a, b)
    head = canonical[a.iri]
    tail = b.iri if head == a.iri else a.iri
    g = graph_of([a, b])
    links = {(s_, o_) for s_, o_ in g.subject_objects(OWL.sameAs)}
    assert links in ({(URIRef(tail), URIRef(head))}, {(URIRef(head), URIRef(tail))})  # one link, either way
    [decision] = list(g.subjects(RDF.type, OPS.IdentityDecision))
    assert set(g.objects(decision, OPS.mergedEntity)) == {URIRef(a.iri), URIRef(b.iri)}
    score = g.value(decision, OPS.score)
    assert isinstance(score, Literal) and Decimal(str(score)) >= Decimal(str(kg.resolve.CROSS_ARTICLE_MATCH))
    reason = str(g.value(decision, OPS.reason))
    assert one in reason and other in reason
    assert [(d.a, d.b) for d in decisions] == [(a.iri, b.iri)]


@pytest.mark.parametrize(("one", "other"), [
    ("Omar Khalil al-Jubouri", "Omar Khalid al-Jubouri"),
    ("Abu Usama al-Karkhi", "Abu Usama al-Kurdi"),
    ("Abu Usama al-Karkhi", "Abu Asim al-Karkhi"),
])
def test_near_miss_names_stay_apart_even_with_a_shared_org(one: str, other: str) -> None:
    a = person("a", [one], [1], (NF,))
    b = person("b", [other], [2], (NF,))
    canonical, decisions = cluster([a, b])
    assert not merged(canonical, a, b) and decisions == []
    assert not list(graph_of([a, b]).triples((None, OWL.sameAs, None)))


def test_different_kunyas_never_merge_even_with_a_shared_surname_form_and_org() -> None:
    a = person("abu-yahya-al-tikriti", ["Abu Yahya al-Tikriti", "Tikriti"], [1], (NF,))
    b = person("abu-bilal-al-tikriti", ["Abu Bilal al-Tikriti", "Tikriti"], [2], (NF,))
    canonical, decisions = cluster([a, b])
    assert not merged(canonical, a, b)
    assert decisions == []


@pytest.mark.parametrize(("first", "second", "lone"), [
    ("Abu Yahya al-Tikriti", "Abu Bilal al-Tikriti", "Tikriti"),
    ("Omar Khalil al-Jubouri", "Salim Hadi al-Jubouri", "Jubouri"),
])
def test_lone_surname_never_chains_two_different_people(first: str, second: str, lone: str) -> None:
    a = person("first", [first], [1], (NF,))
    b = person("second", [second], [2], (NF,))
    c = person("lone", [lone], [3], (NF,))
    assert person_match(parse_person(first), parse_person(second)) == 0.0
    canonical, _decisions = cluster([a, b, c])
    assert not merged(canonical, a, b)


@pytest.mark.parametrize(("full", "lone"), [
    ("Omar Khalil al-Jubouri", "Jubouri"),
    ("Salim Hadi al-Obeidi", "al-Obeidi"),
    ("Abu Yahya al-Tikriti", "Tikriti"),
])
def test_lone_surname_merges_unless_its_group_differs(full: str, lone: str) -> None:
    a = person("full", [full], [1], (NF,))
    without = person("lone", [lone], [2])
    canonical, _ = cluster([a, without])
    assert merged(canonical, a, without)  # the only person in play with that surname
    elsewhere = person("lone", [lone], [2], (HAS,))
    canonical, _ = cluster([a, elsewhere])
    assert not merged(canonical, a, elsewhere)
    shared = person("lone", [lone], [2], (NF,))
    canonical, _ = cluster([a, shared])
    assert merged(canonical, a, shared)
    assert canonical[a.iri] == a.iri  # the fuller name is the canonical IRI


def test_lone_surname_merges_at_the_threshold_and_not_below(monkeypatch: pytest.MonkeyPatch) -> None:
    a = person("full", ["Omar Khalil al-Jubouri"], [1], (NF,))
    b = person("lone", ["Jubouri"], [2], (NF,))
    score = min(1.0, person_match(parse_person("Jubouri"), parse_person("Omar Khalil al-Jubouri")) + CONTEXT_BONUS)
    assert score < 1.0
    monkeypatch.setattr(kg.resolve, "CROSS_ARTICLE_MATCH", score)
    canonical, decisions = cluster([a, b])
    assert merged(canonical, a, b)
    assert [d.score for d in decisions] == [round(score, 3)]
    assert "both in" in decisions[0].reason and NF in decisions[0].reason
    monkeypatch.setattr(kg.resolve, "CROSS_ARTICLE_MATCH", score + 1e-9)
    # a namesake in play: the surname is no longer that of the only person who has it
    c = person("namesake", ["Salim Hadi al-Jubouri"], [3])
    canonical, decisions = cluster([a, b, c])
    assert not merged(canonical, a, b) and decisions == []


def test_two_gazetteer_iris_never_merge() -> None:
    a = record("location", "al-misra", ["al-Misra"], [1])
    b = record("location", "al-misra-ostania", ["Al Misra"], [2])
    canonical, _ = cluster([a, b])
    assert merged(canonical, a, b)  # the control: the names alone are one place
    canonical, decisions = cluster([a, b], {a.iri, b.iri})
    assert not merged(canonical, a, b) and decisions == []
    g = graph_of([a, b], {a.iri, b.iri})
    assert not list(g.triples((None, OWL.sameAs, None)))


def test_variant_of_a_gazetteer_place_merges_into_the_gazetteer_iri() -> None:
    known = record("location", "kafr-hamoud", ["Kafr Hamoud"], [1])
    variant = record("location", "kafr-hammoud", ["Kafr Hammoud"], [2, 3])
    canonical, _ = cluster([known, variant], {known.iri})
    assert canonical[variant.iri] == known.iri  # although the variant is in more articles and sorts first


def test_records_of_exactly_the_same_articles_are_left_as_the_extractor_decided() -> None:
    a = person("a", ["Omar Khalil al-Jubouri"], [1])
    b = person("b", ["Omar Khalil al-Juburi"], [1])
    canonical, decisions = cluster([a, b])
    assert not merged(canonical, a, b) and decisions == []


def test_different_classes_never_merge() -> None:
    a = person("kafr-hamoud", ["Kafr Hamoud"], [1])
    b = record("location", "kafr-hamoud", ["Kafr Hamoud"], [2])
    canonical, _ = cluster([a, b])
    assert not merged(canonical, a, b)


def test_group_records_counts_articles_per_form() -> None:
    iri = BASE + "person/omar-khalil-al-jubouri"
    rows = [(iri, PERSON, "Omar Khalil al-Jubouri", art(1)), (iri, PERSON, "Omar Khalil al-Jubouri", art(1)),
            (iri, PERSON, "Omar Khalil al-Jubouri", art(2)), (iri, PERSON, "al-Jubouri", art(2))]
    [r] = group_records(rows)
    assert r.forms == Counter({"Omar Khalil al-Jubouri": 2, "al-Jubouri": 1})
    assert r.articles == {art(1), art(2)} and r.core_class == "Person"


#: A small store's worth of records: merges, near misses and gazetteer entries.
RECORDS = [
    person("abu-yahya-al-tikriti", ["Abu Yahya al-Tikriti", "al-Tikriti"], [1], (NF,)),
    person("abou-yahya-al-tikriti", ["Abou Yahya al-Tikriti"], [2]),
    person("abu-bilal-al-tikriti", ["Abu Bilal al-Tikriti"], [3], (NF,)),
    person("omar-khalil-al-jubouri", ["Omar Khalil al-Jubouri", "Abu Usama al-Karkhi"], [1], (HAS,)),
    person("umar-khaleel-al-jibouri", ["Umar Khaleel al-Jibouri"], [2]),
    person("jubouri", ["Jubouri"], [3], (HAS,)),
    person("salim-hadi-al-obeidi", ["Salim Hadi al-Obeidi"], [2], (NF,)),
    person("ann-tull", ["Ann Tull", "Tull"], [1]),
    person("anne-tull", ["Anne Tull"], [3]),
    record("location", "kafr-hamoud", ["Kafr Hamoud"], [1]),
    record("location", "kafr-hammoud", ["Kafr Hammoud"], [2]),
    record("location", "dumayr", ["Dumayr"], [1, 2]),
    record("location", "dumeir", ["Dumeir"], [3]),
    record("organization", "northern-front", ["Northern Front", "NF"], [1, 2, 3]),
    record("organization", "brigade-of-the-black-banner", ["Brigade of the Black Banner", "BBB"], [2]),
    record("organization", "brigade-of-the-black-banners", ["Brigade of the Black Banners"], [3]),
]
FIXED = {BASE + "location/dumayr", BASE + "organization/northern-front"}


@settings(max_examples=60, deadline=None)
@given(st.permutations(RECORDS))
def test_identity_does_not_depend_on_record_order(records: list[EntityRecord]) -> None:
    expected_map, expected_decisions = cluster(RECORDS, FIXED)
    canonical, decisions = cluster(list(records), FIXED)
    assert canonical == expected_map
    assert sorted(decisions, key=repr) == sorted(expected_decisions, key=repr)
    assert isomorphic(graph_of(list(records), FIXED), graph_of(RECORDS, FIXED))


def test_the_fixture_records_do_merge_some_clusters() -> None:
    """What the order test above is about: several real merges, not a trivial identity map."""
    canonical, _ = cluster(RECORDS, FIXED)
    sizes = sorted(Counter(canonical.values()).values(), reverse=True)
    assert sizes[0] >= 2 and sum(1 for s in sizes if s >= 2) >= 3


def test_each_cluster_is_named_once_from_the_forms_of_all_its_iris() -> None:
    canonical, _ = cluster(RECORDS, FIXED)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for r in RECORDS:
        forms[canonical[r.iri]].update(r.forms)
    labels = cluster_labels(RECORDS, canonical)
    assert set(labels) == set(canonical.values())  # one name per cluster, on its canonical IRI only
    for head, label in labels.items():
        assert label == preferred_name(forms[head]), head


def test_the_identity_graph_names_nothing() -> None:
    """Names are the canonical graph's: an alias IRI with a name would be counted as a second person."""
    g = graph_of(RECORDS, FIXED)
    assert not list(g.triples((None, RDFS.label, None)))


@pytest.mark.parametrize("order", [RECORDS, RECORDS[::-1]])
def test_gazetteer_place_is_canonical_in_its_cluster(order: list[EntityRecord]) -> None:
    canonical, _ = cluster(order, FIXED)
    assert canonical[BASE + "location/dumeir"] == BASE + "location/dumayr"


def test_a_lone_surname_joins_the_only_person_in_play_who_has_it() -> None:
    full = person("full", ["Hamza bin Tahir"], [1])
    lone = person("lone", ["bin Tahir"], [2])
    other = person("other", ["Salim Hadi"], [3])
    canonical, decisions = cluster([full, lone, other])
    assert merged(canonical, full, lone)
    assert not merged(canonical, full, other)
    assert any("only person" in d.reason for d in decisions)


def test_a_lone_surname_two_people_share_stays_apart() -> None:
    one = person("one", ["Omar Khalil al-Jubouri"], [1])
    two = person("two", ["Salim Hadi al-Jubouri"], [2])
    lone = person("lone", ["Jubouri"], [3])
    canonical, _ = cluster([one, two, lone])
    assert not merged(canonical, lone, one) and not merged(canonical, lone, two)
    assert not merged(canonical, one, two)


@pytest.mark.parametrize(("one", "other"), [
    ("Saif ad-Din Brigades", "Saifaddin Brigade"),   # a compound written apart, a plural
    ("Associated Wire", "Associate Wire"),           # one slip in a long word
])
def test_group_spellings_merge(one: str, other: str) -> None:
    a = record("organization", "a", [one], [1])
    b = record("organization", "b", [other], [2])
    canonical, _ = cluster([a, b])
    assert merged(canonical, a, b)


def test_opposite_compass_places_never_merge() -> None:
    a = record("location", "a", ["northeastern Velmar"], [1])
    b = record("location", "b", ["northwestern Velmar"], [2])
    canonical, _ = cluster([a, b])
    assert not merged(canonical, a, b)


def test_a_name_reported_by_hundreds_of_articles_still_merges() -> None:
    # 200 mentions share every blocking key: far above the block limit, none may be skipped.
    records = [person(f"abu-tarek-{n}", ["Abu Tarek al-Marzini"], [n]) for n in range(200)]
    canonical, _decisions = cluster(records)
    assert len(set(canonical.values())) == 1


def test_a_large_block_is_split_by_the_whole_name_not_merged_wholesale() -> None:
    # 240 mentions share the family name's key; the two men of that family stay two.
    records = [person(f"karim-{n}", ["Karim Haddad"], [n]) for n in range(120)]
    records += [person(f"omar-{n}", ["Omar Haddad"], [1000 + n]) for n in range(120)]
    canonical, _decisions = cluster(records)
    assert len(set(canonical.values())) == 2
    assert len({canonical[r.iri] for r in records[:120]}) == 1


def _abu_tareks() -> list[EntityRecord]:
    """Sixty men who share the kunya Abu Tarek, each with a family name of his own: one block, split
    into parts by kunya and family name (one man each)."""
    families = [f"al-{a.upper()}{b}o{c}ezi" for a, b, c in
                itertools.islice(itertools.product("bdgklmnprstvz", repeat=3), 60)]
    return [person(f"m-{n:02d}", [f"Abu Tarek {f}"], [n]) for n, f in enumerate(families)]


def test_a_bare_kunya_in_a_large_block_meets_one_man_of_every_part() -> None:
    # A bare "Abu Tarek" has no family name to put it in a part: like a bare surname, it is compared
    # with each part's representative (its least IRI), not with no one.
    records = _abu_tareks()
    bare = person("z-bare", ["Abu Tarek"], [100])
    pairs = kg.resolve._candidate_pairs({("Person", "k:TRK"): [r.iri for r in [*records, bare]]},
                                        {r.iri: r for r in [*records, bare]})
    parts: dict[str, set[str]] = defaultdict(set)  # some family names sound alike: one part
    for r in records:
        for second in kg.resolve.second_keys(r):
            parts[second].add(r.iri)
    assert len(parts) > 1
    assert {a if b == bare.iri else b for a, b in pairs if bare.iri in (a, b)} == {min(p) for p in parts.values()}


def test_two_men_also_called_by_their_kunya_alone_stay_apart_in_a_large_block() -> None:
    # Abu Tarek al-Marzini and Abu Tarek al-Harzani are each also called "Abu Tarek": each is in his
    # own part (his family name), not with the bare kunyas, and the two are not compared.
    records = _abu_tareks()
    one = person("n-marzini", ["Abu Tarek al-Marzini", "Abu Tarek"], [200, 201])
    two = person("n-harzani", ["Abu Tarek al-Harzani", "Abu Tarek"], [300, 301])
    canonical, _decisions = cluster([*records, one, two])
    assert not merged(canonical, one, two)


@pytest.mark.parametrize("spelt", ["Abu Tarek", "Abu Tarik"])
def test_two_men_a_kunya_shortens_stay_apart(spelt: str) -> None:
    # Each article shortens its man's name to the kunya he shares with the other (however it spells it):
    # the bare "Abu Tarek" shortens a full name, and says nothing more than it.
    one = person("marzini", [f"{spelt} al-Marzini", "Abu Tarek"], [1])
    two = person("harzani", [f"{spelt} al-Harzani", "Abu Tarek"], [2])
    canonical, _decisions = cluster([one, two])
    assert not merged(canonical, one, two)


def test_a_mothers_kunya_is_not_her_sons_fathers() -> None:
    # "Umm Tarek" is not a shortening of Abu Tarek al-Marzini's name: a record with both keeps it.
    names = [parse_person(n) for n in ["Abu Tarek al-Marzini", "Umm Tarek"]]
    assert [n.text for n in kg.resolve._fullest(names)] == [n.text for n in names]


def test_a_kunya_a_man_is_known_by_besides_his_name_is_a_name_of_his_own() -> None:
    # "Salim Hadi Zorin, known as Abu Yasin": the kunya is not in his name, and another article calls him
    # only by it.
    named = person("zorin", ["Salim Hadi Zorin", "Abu Yasin"], [1])
    kunya = person("abu-yasin", ["Abu Yasin"], [2])
    canonical, _decisions = cluster([named, kunya])
    assert merged(canonical, named, kunya)


# -- stable canonical IRIs, one link per IRI ---------------------------------------------------------------


def test_a_fresh_cluster_is_a_star_on_its_canonical_iri() -> None:
    canonical = {f"x:{n}": "x:0" for n in range(6)}
    final, links = kg.resolve.stable_links(canonical, {})
    assert final == canonical
    assert links == {f"x:{n}": "x:0" for n in range(1, 6)}  # n - 1 links, not n (n - 1) / 2


def test_a_growing_cluster_keeps_its_canonical_iri_and_its_links() -> None:
    # The clustering now prefers x:c (say, a fuller name), but x:a was canonical before: it stays.
    final, links = kg.resolve.stable_links({"x:a": "x:c", "x:b": "x:c", "x:c": "x:c"}, {"x:b": "x:a"})
    assert set(final.values()) == {"x:a"}
    assert links == {"x:b": "x:a", "x:c": "x:a"}


def test_two_clusters_that_merge_keep_the_larger_canonical_iri_and_link_the_retired_one() -> None:
    stored = {"x:b": "x:a", "x:e": "x:a", "x:d": "x:c"}
    final, links = kg.resolve.stable_links({i: "x:d" for i in ("x:a", "x:b", "x:c", "x:d", "x:e")}, stored)
    assert set(final.values()) == {"x:a"}
    assert links == {"x:b": "x:a", "x:e": "x:a", "x:d": "x:c", "x:c": "x:a"}  # the retired x:c still resolves


def test_a_link_across_clusters_that_split_is_dropped() -> None:
    final, links = kg.resolve.stable_links({"x:a": "x:a", "x:b": "x:b"}, {"x:b": "x:a"})
    assert final == {"x:a": "x:a", "x:b": "x:b"} and links == {}


def test_the_identity_graph_writes_the_links_it_is_given() -> None:
    records = [person("a", ["Nabil Osman"], [1]), person("b", ["Nabil Othman"], [2]), person("c", ["Nabil Osman"], [3])]
    canonical = {r.iri: records[0].iri for r in records}
    links = {records[1].iri: records[0].iri, records[2].iri: records[1].iri}
    g = identity_graph({a for r in records for a in r.articles}, GRAPH, "sha256:test", canonical, [], links=links)
    assert {(str(s), str(o)) for s, o in g.subject_objects(OWL.sameAs)} == set(links.items())


def test_two_men_of_one_family_in_one_group_stay_apart_though_one_article_shortens_a_name() -> None:
    # A later mention shortened to the family name is no evidence against another man of that family.
    yusuf = person("yusuf", ["Yusuf Faisal al-Marzini", "al-Marzini"], [1], orgs=(NF,))
    zuhair = person("zuhair", ["Zuhair Karim al-Marzini"], [2], orgs=(NF,))
    canonical, _decisions = cluster([yusuf, zuhair])
    assert not merged(canonical, yusuf, zuhair)


def test_a_cluster_keeps_its_canonical_iri_when_the_old_canonical_iri_left_it() -> None:
    # c was linked to a, which is now another thing; d was linked to c: c is the canonical IRI left.
    final, links = kg.resolve.stable_links({"x:a": "x:a", "x:b": "x:a", "x:c": "x:d", "x:d": "x:d"},
                                           {"x:c": "x:a", "x:d": "x:c", "x:b": "x:a"})
    assert final == {"x:a": "x:a", "x:b": "x:a", "x:c": "x:c", "x:d": "x:c"}
    assert links == {"x:b": "x:a", "x:d": "x:c"}


def test_unrelated_people_sharing_a_family_name_do_not_split_a_settled_cluster() -> None:
    # 46 reports of one man; then six of another man of his family push the family's block over the
    # limit: the first man's reports must still be one cluster with the same canonical IRI.
    base = [person("full", ["Karim Ahmad Haddad"], [9999, 9998])]
    base += [person(f"k{i}", ["Karim Haddad"], [i]) for i in range(45)]
    first, links = kg.resolve.stable_links(cluster(base)[0], {})
    grown = base + [person(f"o{i}", ["Omar Haddad"], [500 + i]) for i in range(6)]
    second, new_links = kg.resolve.stable_links(cluster(grown)[0], links)
    assert {second[r.iri] for r in base} == {first[base[0].iri]}
    assert set(links.items()) <= set(new_links.items())


def test_a_canonical_iri_alone_in_its_cluster_survives_a_merge_with_a_new_report() -> None:
    """A canonical resource with no alias has no link to show it was canonical: ``known`` says so, and a
    new article's IRI joining it does not rename it (whatever the clustering would prefer)."""
    canonical = {"x:old": "x:new", "x:new": "x:new"}
    final, links = kg.resolve.stable_links(canonical, {}, {"x:old"})
    assert final == {"x:old": "x:old", "x:new": "x:old"} and links == {"x:new": "x:old"}
    assert kg.resolve.stable_links(canonical, {})[0]["x:old"] == "x:new"  # without it, the old IRI is renamed


def _place(slug: str, forms: list[str], article: int, *kinds: str) -> EntityRecord:
    r = record("location", slug, forms, [article])
    r.classes |= {str(OPS[k]) for k in kinds}
    return r


def test_a_village_is_not_the_province_of_a_like_name() -> None:
    village = _place("al-marzina", ["al-Marzina"], 1, "Village")
    province = _place("marzina-province", ["Marzina"], 2, "Province")
    town = _place("marzina", ["Marzina"], 3, "Village")
    canonical, _ = cluster([village, province, town])
    assert canonical[village.iri] != canonical[province.iri]
    assert canonical[village.iri] == canonical[town.iri]  # two villages of one name still merge


def test_a_place_the_text_locates_by_another_is_not_the_gazetteer_place_of_its_name() -> None:
    """"al-Marzina, 20 km west of Tell Kanar": the gazetteer did not know it, so its Marzina is another place."""
    placed = _place("al-marzina", ["al-Marzina"], 1, "Village")
    known = _place("marzina", ["Marzina"], 2, "City")
    canonical, _ = cluster([placed, known], {known.iri}, {placed.iri})
    assert canonical[placed.iri] != canonical[known.iri]
    canonical, _ = cluster([placed, known], {known.iri})
    assert canonical[placed.iri] == canonical[known.iri]  # what the rule prevents


def test_clustering_takes_the_scores_it_is_given_and_may_join_follows_the_thresholds() -> None:
    """Adding articles scores a pair once, to find who a new name could join, and clustering takes that
    score (given for another pair, it would decide that pair)."""
    a = person("khalid-hamad-al-varani", ["Khalid Hamad al-Varani"], [1])
    b = person("khaled-hamad-al-varani", ["Khaled Hamad Al Varani"], [2])
    pair = (b.iri, a.iri)  # as clustering orders it: the least IRI first
    score = kg.resolve.person_score(a, b)
    assert kg.resolve.may_join(a, b, score[0]) and score[0] >= kg.resolve.CROSS_ARTICLE_MATCH
    canonical, _ = cluster([a, b], scores={pair: score})
    assert merged(canonical, a, b)
    canonical, decisions = cluster([a, b], scores={pair: (0.0, "given")})
    assert not merged(canonical, a, b) and not decisions
    lone = person("varani", ["Varani"], [3])
    assert kg.resolve.may_join(lone, a, kg.resolve.LONE_SURNAME_MATCH)
    assert not kg.resolve.may_join(b, a, kg.resolve.LONE_SURNAME_MATCH)  # two full names need the higher score
