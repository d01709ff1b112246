"""What derivation reads of each article graph beyond its names: its operations, tenures, roles, places
and dates, kept per article in the state graph (``ops:derivationInput``, JSON) so that a later build
reads them back in one scan instead of querying every article graph again.

:func:`read` takes them from the article graphs by index lookups (one predicate at a time); the other
functions turn the inputs of all articles into what clustering and the corpus facts compare, on
canonical IRIs.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg import corpus
from kg.errors import StateError
from kg.geonames.graph import CorpusPlace
from kg.kinds import place_rank
from kg.lookups import Lookups, by_subject, typed, value_of
from kg.store import GraphStore
from kg.vocab import OPS, IRIs

INPUT = f"<{OPS.derivationInput}>"
#: (predicate, object or None) -> (subject, article graph) -> objects
Lookup = Callable[..., dict[tuple[str, str], list[str]]]
#: The kinds of operation clustering compares, and the kinds of place whose containment it compares.
OPERATION_KINDS = ("Operation", "Raid", "HelicopterRaid", "AirStrike", "DroneStrike")
PLACE_KINDS = ("Country", "Region", "Province", "District", "City", "Town", "Village", "Camp")


@dataclass(slots=True)
class Operation:
    kinds: list[str] = field(default_factory=list)
    #: [person, killed?] of the named people killed or targeted
    people: list[tuple[str, bool]] = field(default_factory=list)
    #: [place, only near it?]
    places: list[tuple[str, bool]] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Role:
    titles: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    jurisdictions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Inputs:
    """One article graph's inputs to derivation (IRIs as the article has them). A build holds those of
    every article it derives from (:class:`kg.derive.Written`): each string is shared (:meth:`compact`),
    an IRI or kind the corpus repeats (a country, a group, a person named twice in one article) stored
    once. At 8,000 articles, 573,000 strings were 46,000 distinct ones."""

    article: str
    published: str | None = None
    operations: dict[str, Operation] = field(default_factory=dict)
    #: [person, operation] of every ``ops:killedIn``
    deaths: list[tuple[str, str]] = field(default_factory=list)
    #: [tenure, holder, role, ordinal, current, start]
    tenures: list[tuple[str, str, str, str | None, str | None, str | None]] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)
    armed_groups: list[str] = field(default_factory=list)
    #: [earlier tenure, later tenure, directly?]: ``ops:follows`` and ``ops:comesAfter``
    statements: list[tuple[str, str, bool]] = field(default_factory=list)
    located: list[tuple[str, str]] = field(default_factory=list)
    place_kinds: list[tuple[str, str]] = field(default_factory=list)
    #: [place, gazetteer entry, GeoNames IRI] of the places the gazetteer knows
    gazetteer: list[tuple[str, str, str | None]] = field(default_factory=list)
    #: [place, gazetteer entry of a place it is near] of the places it does not know
    near_gazetteer: list[tuple[str, str]] = field(default_factory=list)
    #: entities with a gazetteer entry; places the text locates by another (``ops:near``)
    gazetteer_entities: list[str] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)

    def encode(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @staticmethod
    def decode(text: str) -> Inputs:
        try:
            return Inputs._decode(text)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise StateError(f"an article's derivation input in the state graph does not read back ({exc})") from None

    @staticmethod
    def _decode(text: str) -> Inputs:
        data = json.loads(text)
        if not (isinstance(data, dict) and type(data.get("article")) is str and type(data.get("published")) in _MAYBE
                and isinstance(data.get("operations"), dict) and isinstance(data.get("roles"), dict)):
            raise ValueError("not an object with an article, its operations and roles")
        if not all(isinstance(x, dict) for x in [*data["operations"].values(), *data["roles"].values()]):
            raise ValueError("an operation or role is not an object")
        inputs = Inputs(**{k: v for k, v in data.items() if k not in ("operations", "roles")})
        inputs.operations = {iri: Operation(**op) for iri, op in data["operations"].items()}
        inputs.roles = {iri: Role(**role) for iri, role in data["roles"].items()}
        return inputs.compact()

    def compact(self) -> Inputs:
        """These inputs (changed in place, with their operations) with every string interned and rows as
        tuples; returns them. A list or row that does not hold what it should (inputs decoded from a
        damaged state) is a ``ValueError``."""
        self.article = sys.intern(self.article)
        self.published = _shared(self.published)
        self.operations = {sys.intern(iri): op for iri, op in self.operations.items()}
        for op in self.operations.values():
            op.kinds, op.dates, op.expressions = _strings(op.kinds), _strings(op.dates), _strings(op.expressions)
            op.people, op.places = _rows(op.people, _NAMED), _rows(op.places, _NAMED)
        self.roles = {sys.intern(iri): Role(_strings(r.titles), _strings(r.orgs), _strings(r.jurisdictions))
                      for iri, r in self.roles.items()}
        self.deaths, self.located = _rows(self.deaths, _PAIR), _rows(self.located, _PAIR)
        self.place_kinds, self.near_gazetteer = _rows(self.place_kinds, _PAIR), _rows(self.near_gazetteer, _PAIR)
        self.tenures = _rows(self.tenures, (_TEXT, _TEXT, _TEXT, _MAYBE, _MAYBE, _MAYBE))
        self.statements = _rows(self.statements, (_TEXT, _TEXT, _FLAG))
        self.gazetteer = _rows(self.gazetteer, (_TEXT, _TEXT, _MAYBE))
        self.armed_groups, self.placed = _strings(self.armed_groups), _strings(self.placed)
        self.gazetteer_entities = _strings(self.gazetteer_entities)
        return self


#: the types a row may hold at each position
_TEXT, _MAYBE, _FLAG = (str,), (str, type(None)), (bool,)
_PAIR, _NAMED = (_TEXT, _TEXT), (_TEXT, _FLAG)


def _shared(value: Any) -> Any:
    """A string interned; anything else (``None``, a flag) as it is."""
    return sys.intern(value) if type(value) is str else value


def _strings(values: list[str]) -> list[str]:
    """The strings interned (a ``TypeError`` for anything else)."""
    if type(values) is not list:
        raise ValueError("a list of strings is not a list")
    return [sys.intern(v) for v in values]


def _rows(rows: list[Any], kinds: tuple[tuple[type, ...], ...]) -> list[Any]:
    """The rows as tuples, their strings interned; each must hold a value of ``kinds`` at each position."""
    if type(rows) is not list or not all(
            type(row) in (list, tuple) and len(row) == len(kinds)
            and all(type(v) in k for v, k in zip(row, kinds, strict=True)) for row in rows):
        raise ValueError("a row does not hold what it should")
    return [tuple(_shared(v) for v in row) for row in rows]


def stored(store: GraphStore, iris: IRIs) -> list[Inputs]:
    """The inputs the state graph holds, one per article derived before."""
    return [Inputs.decode(value_of(q.object)) for q in store.quads(str(iris.state_graph), predicate=INPUT)]


def ntriples(inputs: Iterable[Inputs]) -> str:
    from kg.canonical import literal

    return "".join(f"<{i.article}> {INPUT} {literal(i.encode())} .\n" for i in inputs)


def read(lookups: Lookups, graphs: list[str] | None = None) -> list[Inputs]:
    """The inputs of every article graph (or of the given ones), by index lookups."""
    def lookup(predicate: str, obj: str | None = None) -> dict[tuple[str, str], list[str]]:
        return by_subject(lookups, predicate, obj, graphs)

    store, iris = lookups.store, lookups.iris
    out: dict[str, Inputs] = {g: Inputs(g) for g in (graphs if graphs is not None else
                                                       [g for g in store.graph_names() if iris.is_article_graph(g)])}

    def of(graph: str) -> Inputs:
        return out.setdefault(graph, Inputs(graph))

    for (article, graph), dates in lookup(str(DCTERMS.date)).items():
        if article == graph:
            of(graph).published = dates[0]
    _operations(lookups, lookup, of)
    for (person, graph), ops in lookup(str(OPS.killedIn)).items():
        of(graph).deaths += [(person, op) for op in ops]
    roles, ordinals = lookup(str(OPS.ofRole)), lookup(str(OPS.ordinal))
    current, started = lookup(str(OPS.current)), lookup(str(OPS.startDate))
    for (tenure, graph), holders in lookup(str(OPS.holder)).items():
        key = (tenure, graph)
        of(graph).tenures += [(tenure, holder, role, n, c, s) for holder in holders for role in roles.get(key, ())
                              for n in _or_none(ordinals.get(key)) for c in _or_none(current.get(key))
                              for s in _or_none(started.get(key))]
    titles, role_in, jurisdiction = lookup(str(SKOS.altLabel)), lookup(str(OPS.roleIn)), lookup(str(OPS.jurisdiction))
    for role, graph in typed(lookups, str(OPS.Role), graphs):
        key = (role, graph)
        of(graph).roles[role] = Role(titles.get(key, []), role_in.get(key, []), jurisdiction.get(key, []))
    for org, graph in typed(lookups, str(OPS.ArmedGroup), graphs):
        of(graph).armed_groups.append(org)
    for predicate, direct in ((OPS.follows, True), (OPS.comesAfter, False)):
        for (later, graph), earlier in lookup(str(predicate)).items():
            of(graph).statements += [(e, later, direct) for e in earlier]
    for (inner, graph), outer in lookup(str(OPS.locatedIn)).items():
        of(graph).located += [(inner, o) for o in outer]
    for kind in PLACE_KINDS:
        for place, graph in typed(lookups, str(OPS[kind]), graphs):
            of(graph).place_kinds.append((place, kind))
    _gazetteer(lookups, lookup, of, graphs)
    for inputs in out.values():
        for name in ("deaths", "tenures", "statements", "located", "place_kinds", "gazetteer", "near_gazetteer",
                     "gazetteer_entities", "placed", "armed_groups"):
            setattr(inputs, name, sorted(set(getattr(inputs, name)), key=_sort_key))
    return [out[g].compact() for g in sorted(out)]


def _sort_key(row: object) -> str:
    return json.dumps(row)


def _or_none(values: list[str] | None) -> list[str | None]:
    """The values, or one ``None`` when there are none (SPARQL's OPTIONAL)."""
    return list(values or []) or [None]


def _operations(lookups: Lookups, lookup: Lookup, of: Callable[[str], Inputs]) -> None:
    ops: dict[str, Operation] = {}
    where: dict[str, str] = {}
    for kind in OPERATION_KINDS:
        for (op, graph), _types in lookup(str(RDF.type), f"<{OPS[kind]}>").items():
            record = of(graph).operations.setdefault(op, Operation())
            record.kinds.append(kind)
            ops[op], where[op] = record, graph
    names = lookup(str(SKOS.altLabel))
    for relation, killed in ((OPS.killedIn, True), (OPS.targetedIn, False)):
        for (person, graph), targets in lookup(str(relation)).items():
            if (person, graph) not in names:
                continue  # a person the article does not name
            for op in targets:
                if where.get(op) == graph:
                    ops[op].people.append((person, killed))
    near: set[tuple[str, str]] = set()
    for (node, graph), _near in lookup(str(OPS.qualifier), str(ox.Literal("near"))).items():
        fact = {p: o for _s, p, o in lookups.about(node, graph)}
        if fact.get(f"<{RDF.predicate}>") == f"<{OPS.tookPlaceIn}>":
            near.add((fact.get(f"<{RDF.subject}>", "")[1:-1], fact.get(f"<{RDF.object}>", "")[1:-1]))
    for (op, graph), places in lookup(str(OPS.tookPlaceIn)).items():
        if where.get(op) == graph:
            ops[op].places += [(place, (op, place) in near) for place in places]
    for (op, graph), dates in lookup(str(OPS.date)).items():
        if where.get(op) == graph:
            ops[op].dates += dates
    for (op, graph), expressions in lookup(str(OPS.dateExpression)).items():
        if where.get(op) == graph:
            ops[op].expressions += expressions
    for record in ops.values():
        for name in ("kinds", "people", "places", "dates", "expressions"):
            setattr(record, name, sorted(set(getattr(record, name))))


def _gazetteer(lookups: Lookups, lookup: Lookup, of: Callable[[str], Inputs], graphs: list[str] | None) -> None:
    located = typed(lookups, str(OPS.Location), graphs)
    entries, matches = lookup(str(OPS.gazetteerEntry)), lookup(str(SKOS.exactMatch))
    for (entity, graph), names in entries.items():
        of(graph).gazetteer_entities.append(entity)
        if (entity, graph) in located:
            of(graph).gazetteer += [(entity, n, m) for n in names for m in _or_none(matches.get((entity, graph)))]
    for (place, graph), near in lookup(str(OPS.near)).items():
        of(graph).placed.append(place)
        if (place, graph) in located and (place, graph) not in entries:
            # a place the gazetteer does not know, near one it does ("a village near Idlib")
            of(graph).near_gazetteer += [(place, n) for other in near for n in entries.get((other, graph), ())]


# --- what the inputs of all articles give, on canonical IRIs ---------------------------------------------


def operation_records(inputs: Iterable[Inputs], canonical: Mapping[str, str]) -> list[corpus.OperationRecord]:
    """Every operation with what clustering compares (people and places on canonical IRIs)."""
    def canon(iri: str) -> str:
        return canonical.get(iri, iri)

    out = []
    for i in inputs:
        for iri, op in i.operations.items():
            record = corpus.OperationRecord(iri, i.article, set(op.kinds))
            for person, killed in op.people:
                record.people.add(canon(person))
                if killed:
                    record.killed.add(canon(person))
            for place, near in op.places:
                record.places.add(canon(place))
                if near:
                    record.near.add(canon(place))
            record.dates, record.expressions = set(op.dates), set(op.expressions)
            out.append(record)
    return sorted(out, key=lambda r: r.iri)


def places(inputs: Iterable[Inputs], canonical: Mapping[str, str]) -> corpus.Places:
    """Containment between canonical places, and each one's kind (the most specific its IRIs have)."""
    located: set[tuple[str, str]] = set()
    kinds: dict[str, str] = {}
    for i in inputs:
        located |= {(canonical.get(a, a), canonical.get(b, b)) for a, b in i.located}
        for place, kind in i.place_kinds:
            head = canonical.get(place, place)
            if head not in kinds or place_rank(kind) < place_rank(kinds[head]):
                kinds[head] = kind
    return corpus.Places(located, kinds)


def published(inputs: Iterable[Inputs]) -> dict[str, str]:
    """Article graph -> its publication date."""
    return {i.article: i.published for i in inputs if i.published}


def tenures(inputs: Iterable[Inputs], canonical: Mapping[str, str]) -> dict[str, str]:
    """Tenure IRI -> the least tenure IRI of the same (canonical) holder and role."""
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for i in inputs:
        for tenure, holder, role, *_rest in i.tenures:
            groups[(canonical.get(holder, holder), canonical.get(role, role))].add(tenure)
    return {t: min(group) for group in groups.values() for t in group}


def gazetteer_places(inputs: Iterable[Inputs], canonical: Mapping[str, str]) -> list[CorpusPlace]:
    """The places the articles name that the gazetteer knows (or that are near one it knows)."""
    found = set()
    for i in inputs:
        found |= {CorpusPlace(canonical.get(p, p), entry, match) for p, entry, match in i.gazetteer}
        found |= {CorpusPlace(canonical.get(p, p), None, near=entry) for p, entry in i.near_gazetteer}
    return sorted(found, key=lambda p: (p.iri, p.entry or "", p.exact_match or "", p.near or ""))
