"""The resolution state kept in the store, so that adding articles compares only the names near theirs.

The state graph (``…/id/graph/state``, not served) holds, for every entity IRI of the article graphs:

- ``ops:entityRecord``: what identity resolution compares of it (:class:`kg.resolve.EntityRecord`
  without its list of articles: their number and an order-free digest stand for it), as JSON;
- ``ops:blockingKey``: each of its blocking keys (:func:`kg.resolve.blocking_keys`), URL-encoded: an
  index from a key to the IRIs that have it;
- ``ops:blockingPart``: each of its second keys (:func:`kg.resolve.second_keys`), URL-encoded: what
  splits a block of more than ``BLOCK_LIMIT`` IRIs (a surname hundreds of articles report) into the
  parts that are compared, read without decoding the IRI's record.

A full derivation writes it whole (:func:`ntriples`). When articles were only added,
:func:`neighbourhood` reads the records of the new articles' names from their graphs, adds what the
state held of those IRIs, finds through the index the names they meet in a block, and the last
clusters of all of them (:func:`root` follows the identity links); :func:`recluster` decides again
the new names and every person one of them could join, and so on from those (who a man is depends on
who else is in play), each with its whole last cluster, compares the new names with every place and
group they meet, and keeps every other cluster. Nothing here reads every article: the work follows
the new articles and the blocks they touch. Of a block of more than ``BLOCK_LIMIT`` IRIs, split into
parts by the second keys the index holds, the records read are those of the parts the new names are
in (and of each part's representative, for a bare surname or kunya), and those of every member of a
part itself larger than ``BLOCK_LIMIT`` (whose pairs are windows in name order).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from kg import readers, resolve
from kg.canonical import literal
from kg.errors import StateError
from kg.lookups import Lookups, value_of
from kg.names import KUNYA_MATCH
from kg.resolve import EntityRecord
from kg.store import GraphStore
from kg.vocab import OPS, IRIs

RECORD, KEY, PART = f"<{OPS.entityRecord}>", f"<{OPS.blockingKey}>", f"<{OPS.blockingPart}>"

Key = tuple[str, str]


def root(links: Mapping[str, str], iri: str) -> str:
    """Where an IRI's identity links lead (itself when it has none)."""
    seen = {iri}
    while iri in links and links[iri] not in seen:
        iri = links[iri]
        seen.add(iri)
    return iri


def key_literal(key: Key) -> str:
    """A blocking key as the plain literal the index holds ("Person k%3AHMZ": no quote or backslash)."""
    return _plain(f"{key[0]} {key[1]}")


def _plain(text: str) -> str:
    """``text`` URL-encoded as a plain literal (no quote or backslash in it)."""
    return '"' + quote(text) + '"'


def encode(record: EntityRecord) -> str:
    return json.dumps({"classes": sorted(record.classes), "forms": dict(sorted(record.forms.items())),
                       "articles": record.article_count, "digest": f"{record.article_digest:016x}",
                       "orgs": sorted(record.orgs)}, ensure_ascii=False, separators=(",", ":"))


def decode(iri: str, text: str) -> EntityRecord:
    try:
        data = json.loads(text)
        if not (isinstance(data, dict) and _texts(data.get("classes")) and _texts(data.get("orgs"))
                and isinstance(data.get("forms"), dict) and all(type(n) is int for n in data["forms"].values())
                and type(data.get("articles")) is int and type(data.get("digest")) is str):
            raise ValueError("not an object with classes, forms counted, groups, articles and digest")
        # strings interned: a block's records repeat their classes, forms and groups
        return EntityRecord(iri, set(map(sys.intern, data["classes"])),
                            Counter({sys.intern(form): n for form, n in data["forms"].items()}), set(),
                            set(map(sys.intern, data["orgs"])), int(data["articles"]), int(data["digest"], 16))
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise StateError(f"the record of <{iri}> in the state graph does not read back ({exc})") from None


def _texts(value: object) -> bool:
    """Whether ``value`` is a list of strings."""
    return isinstance(value, list) and all(type(v) is str for v in value)


def ntriples(records: Iterable[EntityRecord]) -> str:
    """The state of ``records``: each one's record, blocking keys and second keys, as N-Triples."""
    lines = []
    for record in records:
        if record.core_class == "Operation":
            continue  # operations are clustered, and named, by what they report (kg.inputs, kg.corpus)
        node = f"<{record.iri}>"
        lines.append(f"{node} {RECORD} {literal(encode(record))} .\n")
        keys = resolve.blocking_keys(record)
        if keys:
            lines += [f"{node} {KEY} {key_literal(k)} .\n" for k in sorted(keys)]
            lines += [f"{node} {PART} {_plain(second)} .\n" for second in sorted(resolve.second_keys(record))]
    return "".join(lines)


def merged(old: EntityRecord, new: EntityRecord) -> EntityRecord:
    """A stored record with what new articles (none of them counted in it yet) say of the same IRI."""
    return EntityRecord(old.iri, old.classes | new.classes, old.forms + new.forms, set(new.articles),
                        old.orgs | new.orgs, old.article_count + new.article_count,
                        old.article_digest ^ new.article_digest)


class State:
    """The state graph of a store, read by index lookups, with the records the new articles changed."""

    def __init__(self, store: GraphStore, iris: IRIs, changed: Mapping[str, EntityRecord]) -> None:
        self.store = store
        self.graph = str(iris.state_graph)
        self._records: dict[str, EntityRecord | None] = dict(changed)
        self._seconds: dict[str, set[str]] = {}
        self._keys: dict[Key, set[str]] = defaultdict(set)
        self._stored_keys: dict[Key, set[str]] = {}
        for record in changed.values():
            for k in resolve.blocking_keys(record):
                self._keys[k].add(record.iri)

    def stored(self, iri: str) -> EntityRecord | None:
        """The record the state graph holds for ``iri``."""
        for q in self.store.quads(self.graph, subject=f"<{iri}>", predicate=RECORD):
            return decode(iri, value_of(q.object))
        return None

    def record(self, iri: str) -> EntityRecord | None:
        if iri not in self._records:
            self._records[iri] = self.stored(iri)
        return self._records[iri]

    def seconds(self, iri: str) -> set[str]:
        """The second keys of ``iri`` (:func:`kg.resolve.second_keys`): of its record if it was read (or
        the new articles changed it), else as the index lists them (its record is not decoded)."""
        if iri not in self._seconds:
            record = self._records.get(iri)
            self._seconds[iri] = resolve.second_keys(record) if record is not None else {
                unquote(value_of(q.object)) for q in self.store.quads(self.graph, subject=f"<{iri}>", predicate=PART)}
        return self._seconds[iri]

    def name(self, iri: str) -> str:
        """The preferred name of ``iri`` (an IRI with a record)."""
        record = self.record(iri)
        if record is None:
            raise StateError(f"<{iri}> is in the state graph's index without a record")
        return resolve.preferred_name(record.forms)

    def members(self, key: Key) -> set[str]:
        """Every IRI that has the blocking key ``key``."""
        return self.stored_members(key) | self._keys.get(key, set())

    def stored_members(self, key: Key) -> set[str]:
        """The IRIs the state graph lists under the blocking key ``key`` (before the new articles): one
        index lookup per key."""
        if key not in self._stored_keys:
            self._stored_keys[key] = {value_of(q.subject)
                                      for q in self.store.quads(self.graph, predicate=KEY, obj=key_literal(key))}
        return self._stored_keys[key]


@dataclass
class Neighbourhood:
    """What clustering reads when articles were added (see :func:`kg.resolve.cluster`)."""

    #: the records of the names clustered again, of those they are compared with, and of every other
    #: member of their last clusters
    records: dict[str, EntityRecord]
    #: the IRIs clustered again: the new articles' names and the people they could join, each with
    #: its whole last cluster
    unsettled: set[str]
    #: the pairs to compare: every pair of a block that contains an IRI clustered again (a pair of two
    #: names that stay in their clusters is not decided again)
    pairs: set[tuple[str, str]]
    #: the person scores of the pairs computed to find who could join whom
    scores: dict[tuple[str, str], tuple[float, str]]
    #: the records the new articles changed (to write back), and the state triples they replace
    changed: list[EntityRecord]
    replaced: str


def neighbourhood(lookups: Lookups, added: list[str], links: Mapping[str, str]) -> Neighbourhood:
    """The names near those of the ``added`` article graphs, given the identity ``links`` of the last
    build."""
    store, iris = lookups.store, lookups.iris
    state = State(store, iris, {})
    changed, previous = {}, {}  # the records the new articles change, and those the state held of them
    for new in readers.entity_records(lookups, graphs=added):
        old = state.stored(new.iri)
        changed[new.iri] = merged(old, new) if old is not None else new
        if old is not None:
            previous[new.iri] = old
    state = State(store, iris, changed)
    blocks: dict[Key, tuple[set[str], set[tuple[str, str]]]] = {}

    def block(key: Key) -> tuple[set[str], set[tuple[str, str]]]:
        """A block's IRIs and the pairs to compare in it, now. A block of more than ``BLOCK_LIMIT`` IRIs
        is split by the second keys the index holds: only the records of a part that large are read
        here (its names give the order of its windows)."""
        if key not in blocks:
            members = state.members(key)
            if len(members) <= resolve.BLOCK_LIMIT:
                members = {m for m in members if state.record(m) is not None}
            blocks[key] = members, resolve.block_pairs(key[0], key[1], members, state.seconds, state.name)
        return blocks[key]

    def pairs_of(iri: str) -> set[tuple[str, str]]:
        record = state.record(iri)
        out: set[tuple[str, str]] = set()
        for key in resolve.blocking_keys(record) if record is not None else ():
            out |= {p for p in block(key)[1] if iri in p}
        return out

    members: dict[str, set[str]] = defaultdict(set)
    for iri in links:
        members[root(links, iri)].add(iri)

    def clusters(heads: Iterable[str]) -> set[str]:
        return set().union(*(members.get(head, set()) | {head} for head in heads))

    # Clustered again, each with its whole last cluster (its canonical IRI included): the new articles'
    # names; a name named again (what a new article says of it may undo the merges it linked); and every
    # person a name clustered again could join, as far as that reaches (who a man is depends on who else
    # is in play: a second man of a family takes a bare surname away from the first, and a name that fits
    # two men who cannot be one goes to the one the order of comparison meets first). A person no name
    # clustered again could join keeps his cluster: nothing in play can change it. A place or group keeps
    # its cluster, and is compared with the names clustered again: its cluster is a connected part of the
    # pairs that match, whatever the order.
    unsettled = set(changed) | clusters({root(links, iri) for iri in previous})
    unsettled |= clusters({root(links, iri) for iri in _shifted(state, changed, previous, block)})
    pairs: set[tuple[str, str]] = set()
    scores: dict[tuple[str, str], tuple[float, str]] = {}

    def may_join(pair: tuple[str, str]) -> bool:
        a, b = state.record(pair[0]), state.record(pair[1])
        if a is None or b is None or not a.core_class == b.core_class == "Person":
            return False
        if pair not in scores:
            scores[pair] = resolve.person_score(a, b)
        return resolve.may_join(a, b, scores[pair][0])

    frontier = set(unsettled)
    while frontier:
        reached = set().union(*(pairs_of(iri) for iri in frontier))
        pairs |= reached
        joined = {root(links, iri) for pair in reached if (pair[0] in unsettled) != (pair[1] in unsettled)
                  and may_join(pair) for iri in pair if iri not in unsettled}
        frontier = clusters(joined) - unsettled
        unsettled |= frontier
    # the last clusters of every IRI in play, whole: who is merged with whom is decided over them
    involved = unsettled | {iri for pair in pairs for iri in pair}
    records = {}
    for iri in involved:
        head = root(links, iri)
        for member in members.get(head, set()) | {head, iri}:
            if member not in records and (record := state.record(member)) is not None:
                records[member] = record
    replaced = "".join(f"{s} {p} {o} .\n" for iri in changed
                       for s, p, o, _g in store.match_quads(f"<{iri}>", None, None, state.graph))
    return Neighbourhood(records, unsettled, pairs, scores, list(changed.values()), replaced)


def _shifted(state: State, changed: Mapping[str, EntityRecord], previous: Mapping[str, EntityRecord],
             block: Callable[[Key], tuple[set[str], set[tuple[str, str]]]]) -> set[str]:
    """The names of the pairs the new names shift in a block over ``BLOCK_LIMIT``, which is compared by
    parts, representatives and windows (:func:`kg.resolve.block_pairs`): a pair compared before and not
    now (a lone surname's or kunya's pair may go to a new representative), or one of two older names compared
    now and not before. Their clusters are decided again: a build of everything compares the pairs of now."""
    def seconds(iri: str) -> set[str]:  # before the new articles
        return resolve.second_keys(previous[iri]) if iri in previous else state.seconds(iri)

    def name(iri: str) -> str:
        return resolve.preferred_name(previous[iri].forms) if iri in previous else state.name(iri)

    out: set[str] = set()
    for key in {k for record in changed.values() for k in resolve.blocking_keys(record)}:
        now, pairs = block(key)
        before = state.stored_members(key)
        if max(len(now), len(before)) <= resolve.BLOCK_LIMIT:
            continue  # every pair, before and now: the new names only add theirs
        then = resolve.block_pairs(key[0], key[1], before, seconds, name)
        out |= {iri for pair in then - pairs for iri in pair}
        out |= {iri for pair in pairs - then if not (set(pair) & changed.keys()) for iri in pair}
    return out - changed.keys()


def recluster(iris: IRIs, near: Neighbourhood, links: Mapping[str, str], gazetteer_iris: set[str],
              placed: set[str], stored: Mapping[str, resolve.Decision | None],
              ) -> tuple[list[EntityRecord], dict[str, str], list[resolve.Decision]]:
    """The clusters after articles were added: those of the names in ``near`` decided again
    (:func:`kg.resolve.cluster`), every other entity's as the identity ``links`` of the last build
    leave it (tenures and operations are clustered again elsewhere). Returns the records read, every
    entity IRI's canonical IRI, and the decisions: the new ones, and those of the last build
    (``stored``: :func:`kg.readers.stored_decisions`) whose two IRIs are still one and were not decided
    again."""
    records = list(near.records.values())
    settled = {iri: root(links, iri) for iri in near.records}
    local, decisions = resolve.cluster(records, gazetteer_iris, placed, settled, near.unsettled, near.pairs,
                                       near.scores)
    canonical = {iri: root(links, iri) for iri in links if iris.kind_of(iri) not in ("operation", "tenure")}
    canonical.update({head: head for head in set(canonical.values())})
    canonical.update(local)
    again = {tuple(sorted((d.a, d.b))) for d in decisions}  # either IRI may be named first
    kept = [d for d in stored.values() if d is not None and iris.kind_of(d.a) != "operation"
            and tuple(sorted((d.a, d.b))) not in again and canonical.get(d.a, d.a) == canonical.get(d.b, d.b)]
    return records, canonical, kept + decisions


@functools.lru_cache(maxsize=1)
def state_format() -> str:
    """The format of the state graph, with a fingerprint of what writes it and of what decided the
    clusters it keeps: the blocking keys and second keys of a few probe names, how alike each two of the
    people among them score, the thresholds and limits of identity resolution, and the fields of an
    entity record and of an article's inputs. A state written by code that keys, records or scores
    these probes otherwise, or with other thresholds, is not read back (everything is derived afresh),
    so such a change cannot leave a stale index, or a merge the code no longer makes, behind. A
    change in scoring that moves none of the probes must change the format's version
    ("opskg-state-N") to have the same effect."""
    from kg.inputs import Inputs

    probes = [EntityRecord(f"urn:probe:{i}", {str(OPS[cls])}, Counter([name]), {"urn:article"})
              for i, (cls, name) in enumerate([("Person", "Abu Yasin al-Varani"), ("Person", "Salim Hadi Zorin"),
                                               ("Organization", "Velm Front"), ("Location", "Kafr Zorin"),
                                               ("Person", "Varadi"), ("Person", "Abu Tarek")])]
    probes += [EntityRecord(f"urn:probe:both-{i}", {str(OPS.Person)}, Counter([name, "Abu Tarek"]), set(), orgs)
               for i, (name, orgs) in enumerate([("Abu Tarek al-Varani", set()), ("Abu Tarik al-Zorini", set()),
                                                 ("Umm Tarek", set()), ("Tarek Hadi al-Varani", {"urn:probe:org"})])]
    parts: list[object] = [sorted(resolve.blocking_keys(p)) for p in probes]
    parts += [sorted(resolve.second_keys(p)) for p in probes]
    people = [p for p in probes if p.core_class == "Person"]
    parts += [round(resolve.person_score(a, b)[0], 6) for a, b in itertools.combinations(people, 2)]
    parts += [resolve.CROSS_ARTICLE_MATCH, resolve.LONE_SURNAME_MATCH, resolve.CONTEXT_BONUS, resolve.BLOCK_LIMIT,
              resolve.WINDOW, KUNYA_MATCH]
    parts += [encode(probes[0]), sorted(Inputs("urn:article").__dataclass_fields__)]
    return "opskg-state-2/" + hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:12]
