"""Identity across articles: one cluster per real-world entity, one preferred name per cluster.

A full derivation clusters the entities of all article graphs at once; when articles were only
added, only the names near the new ones are clustered again and the other clusters of the last build
stand (:mod:`kg.identity_state`), so the order in which articles came can change who is whom in a
few cases. Which IRI of a cluster is canonical depends on history, on purpose: a cluster keeps the
canonical IRI of the last build (:func:`stable_links`), so adding articles does not rename things (a
gazetteer IRI is canonical when a cluster first forms).

- Candidates come from a phonetic key (:func:`kg.names.skeleton`) of name parts; they are then
  scored part by part (:func:`kg.names.person_match`) and, for people, by context: a shared
  organization (membership or role).
- Gazetteer entities already share one IRI; places and organizations outside the gazetteer merge
  when their names match part by part (Atmeh / Atme).
- Each merge is recorded as an ``ops:IdentityDecision`` with its score and reason; each member of a
  cluster is linked by one ``owl:sameAs`` towards its canonical IRI (:func:`stable_links`: a star,
  canonical IRIs stable across builds) and shares its ``rdfs:label``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from kg.model import CORE_CLASSES
from kg.names import (
    CACHE_SIZE,
    PersonName,
    kunyas_alike,
    name_words,
    parse_person,
    person_match,
    same_kunya,
    skeleton,
    words_match,
)
from kg.vocab import OPS

log = logging.getLogger(__name__)

#: (class name, its IRI) of the core classes, in order
_CORE_CLASS_IRIS = tuple((cls, str(OPS[cls])) for cls in CORE_CLASSES)

#: Two people in different articles merge at or above this score (names and context together).
CROSS_ARTICLE_MATCH = 0.85
#: A lone surname ("Tamimi") is a fuller name's surname at or above this score (its cap is below
#: the cross-article threshold); it joins that person when no other person in play has it.
LONE_SURNAME_MATCH = 0.7
#: What a shared organization adds to a name score.
CONTEXT_BONUS = 0.15
#: A block of more IRIs than this is split by a second key (:func:`_candidate_pairs`).
BLOCK_LIMIT = 50
#: In a part still larger than ``BLOCK_LIMIT``, each IRI is compared with this many next in name order.
WINDOW = 20


@dataclass
class EntityRecord:
    """An entity IRI as the article graphs describe it."""

    iri: str
    classes: set[str] = field(default_factory=set)
    #: Surface forms with the number of articles that use each.
    forms: Counter[str] = field(default_factory=Counter)
    #: The articles that name it: all of them, or (a record read back from the state graph, with what
    #: new articles say added) only the new ones; ``article_count`` and ``article_digest`` count all.
    articles: set[str] = field(default_factory=set)
    #: Organizations the entity is a member of or holds a role in.
    orgs: set[str] = field(default_factory=set)
    #: How many articles name it, and an order-free digest of which (XOR of their hashes).
    article_count: int = -1
    article_digest: int = 0

    def __post_init__(self) -> None:
        if self.article_count < 0:
            self.article_count, self.article_digest = 0, 0
            for article in self.articles:
                self.article_count += 1
                self.article_digest ^= article_hash(article)

    def add_article(self, article: str) -> None:
        if article not in self.articles:
            self.articles.add(article)
            self.article_count += 1
            self.article_digest ^= article_hash(article)

    def same_articles(self, other: EntityRecord) -> bool:
        """Whether both are named by the same articles (and some): one article's extractor decided."""
        return 0 < self.article_count == other.article_count and self.article_digest == other.article_digest

    @property
    def core_class(self) -> str:
        for cls, iri in _CORE_CLASS_IRIS:
            if iri in self.classes:
                return cls
        return ""


def article_hash(article: str) -> int:
    """64 bits of an article IRI's hash: XORed together, an order-free digest of a set of articles."""
    return int.from_bytes(hashlib.sha1(article.encode()).digest()[:8], "big")


@dataclass(frozen=True)
class Decision:
    a: str
    b: str
    score: float
    reason: str


def preferred_name(forms: Counter[str], person: bool = False) -> str:
    """The fullest name: most name parts (for people: kunya, given names, nisbas; else words), then
    most articles, then the longest spelling, then alphabetical (deterministic)."""
    def parts(form: str) -> int:
        if person:
            name = parse_person(form)
            return len(name.parts) + (1 if name.kunya else 0)
        return len(form.split())

    return min(forms, key=lambda f: (-parts(f), -forms[f], -len(f), f))


def display_name(record: EntityRecord, forms: Counter[str] | None = None) -> str:
    """The name to show for an entity: its preferred name, a dateline's capitals undone for places."""
    name = preferred_name(forms if forms is not None else record.forms, person=record.core_class == "Person")
    if record.core_class == "Location" and name.isupper() and len(name) > 4:
        name = name.title()  # "KARANA, Syria": a dateline is no spelling of the name
    return name


def state_digest(article_hashes: Iterable[str]) -> str:
    """A digest of the article contents the derived graphs were computed from."""
    return "sha256:" + hashlib.sha256("\n".join(sorted(article_hashes)).encode()).hexdigest()


def group_records(rows: Iterable[tuple[str, str, str, str]]) -> list[EntityRecord]:
    """Rows of (entity IRI, class IRI, surface form, article IRI) into records."""
    records: dict[str, EntityRecord] = {}
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for iri, cls, form, article in rows:
        record = records.setdefault(iri, EntityRecord(iri))
        record.classes.add(cls)
        record.add_article(article)
        if (form, article) not in seen[iri]:
            seen[iri].add((form, article))
            record.forms[form] += 1
    return list(records.values())


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def members(self, x: str) -> list[str]:
        """Every element of ``x``'s set (kept per root: no scan of all elements)."""
        root = self.find(x)
        return self._members.get(root, [root])

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            keep, gone = min(ra, rb), max(ra, rb)
            self._members[keep] = self.members(keep) + self.members(gone)
            self._members.pop(gone, None)
            self.parent[gone] = keep


def person_score(a: EntityRecord, b: EntityRecord) -> tuple[float, str]:
    """The best match between any two surface forms, plus the context bonus for a shared organization."""
    # A record that has a full name is known by it: its bare surname, or its own kunya alone
    # ("al-Marzini", "Abu Tarek", as the article later shortens the name), says nothing more, and would
    # match anyone of that family or kunya.
    parsed_a = _fullest([parse_person(f) for f in a.forms])
    parsed_b = _fullest([parse_person(f) for f in b.forms])
    kunyas_a = {p.kunya for p in parsed_a if p.kunya}
    kunyas_b = {p.kunya for p in parsed_b if p.kunya}
    if kunyas_a and kunyas_b and not any(kunyas_alike(x, y) for x in kunyas_a for y in kunyas_b):
        return 0.0, "different kunyas"  # Abu Tarek al-Marzini is not Abu Yasin al-Marzini
    score = max((person_match(x, y) for x in parsed_a for y in parsed_b), default=0.0)
    reason = f"names {preferred_name(a.forms)!r} ~ {preferred_name(b.forms)!r} ({score:.2f})"
    shared = a.orgs & b.orgs
    if score > 0 and shared:
        score = min(1.0, score + CONTEXT_BONUS)
        reason += f"; both in {', '.join(sorted(shared))}"
    return score, reason


def _fullest(names: list[PersonName]) -> list[PersonName]:
    """The names a record is known by: not its bare surname, nor a bare kunya that shortens one of its
    full names ("Abu Tarek" for Abu Tarek al-Marzini), which would match anyone of that family or kunya;
    a kunya no full name of it has is a name of its own ("Salim Hadi Zorin, known as Abu Yasin")."""
    full = [n for n in names if not n.is_single]
    shortened = [n for n in full if n.kunya and n.parts]
    return [n for n in full if n.parts or not any(same_kunya(n, m) for m in shortened)] or names


def _name_score(a: EntityRecord, b: EntityRecord) -> tuple[float, str]:
    best = max((words_match(name_words(fa), name_words(fb)) for fa in a.forms for fb in b.forms), default=0.0)
    return best, f"names {preferred_name(a.forms)!r} ~ {preferred_name(b.forms)!r}"


def _candidate_pairs(blocks: dict[tuple[str, str], list[str]],
                     by_iri: dict[str, EntityRecord]) -> set[tuple[str, str]]:
    """The pairs to compare: those of every block (:func:`block_pairs`)."""
    def seconds(iri: str) -> set[str]:
        return second_keys(by_iri[iri])

    def name(iri: str) -> str:
        return preferred_name(by_iri[iri].forms)

    pairs: set[tuple[str, str]] = set()
    for (cls, key), iris in blocks.items():
        pairs |= block_pairs(cls, key, iris, seconds, name)
    return pairs


def block_pairs(cls: str, key: str, iris: Iterable[str], seconds: Callable[[str], Iterable[str]],
                name: Callable[[str], str]) -> set[tuple[str, str]]:
    """The pairs of one block to compare: every pair; in a block of more than ``BLOCK_LIMIT`` IRIs (a
    name hundreds of articles report) the pairs of each part a second key, the whole name, makes; in a
    part still too large, each IRI with its ``WINDOW`` next in name order (identical names sort
    together, so they still all merge), and the build log says so. No block is skipped. ``seconds``
    gives an IRI's second keys (:func:`second_keys` of its record), ``name`` its preferred name: each is
    asked only in a block that large, ``name`` only in a part that large."""
    members = sorted(set(iris))
    if len(members) <= BLOCK_LIMIT:
        return set(_all_pairs(members))
    pairs: set[tuple[str, str]] = set()
    parts: dict[str, list[str]] = defaultdict(list)
    for iri in members:
        for second in seconds(iri):
            parts[second].append(iri)
    # a bare family name ("Haddad") meets one member of every part, so that it can still join the
    # only person in play who has it (and stays apart when several have it); so does a man named only
    # by a kunya ("Abu Yasin"), who joins one of them as any two names join, by their score
    lone = parts.pop("lone", [])
    representatives = [min(part) for part in parts.values()]
    pairs.update(tuple(sorted((a, b))) for a in lone for b in representatives if a != b)  # type: ignore[misc]
    if lone:
        parts["lone"] = lone
    for second, part in sorted(parts.items()):
        if len(part) <= BLOCK_LIMIT:
            pairs.update(_all_pairs(part))
            continue
        log.info("identity: %d %s names share the keys %s and %s: each is compared with the %d next in "
                 "name order", len(part), cls, key, second, WINDOW)
        ordered = sorted(part, key=lambda i: (name(i).lower(), i))
        for i, a in enumerate(ordered):
            pairs.update(tuple(sorted((a, b))) for b in ordered[i + 1:i + 1 + WINDOW])  # type: ignore[misc]
    return pairs


def _all_pairs(iris: list[str]) -> Iterable[tuple[str, str]]:
    return combinations(sorted(set(iris)), 2)


def second_keys(record: EntityRecord) -> set[str]:
    """A second blocking key within a large block: a person's first name (or kunya) with the last part
    of the name, so that "Karim Haddad" and "Karim Ahmad Haddad" stay together and "Omar Haddad"
    apart; "lone" for a bare family name, and for a person named only by a kunya ("Abu Yasin": no form of
    his has a family name to put him in a part; a man also called by his full name is in its part
    only); the whole name of anything else."""
    keys = set()
    person = record.core_class == "Person"
    for form in record.forms:
        if person:
            name = parse_person(form)
            if name.is_single:
                keys.add("lone")
            elif name.parts:
                first = name.kunya or name.parts[0]
                keys.add(f"{skeleton(first)} {skeleton(name.parts[-1])}")
        else:
            keys.add(" ".join(skeleton(w) for w in name_words(form)))
    if person and not keys and record.forms:
        keys.add("lone")
    return keys


def blocking_keys(record: EntityRecord) -> set[tuple[str, str]]:
    """Blocking keys (class, key): phonetic skeletons of the kunya and last name part of every form (of
    the names of a person, organization or place; nothing else is compared)."""
    cls = record.core_class
    if cls not in ("Person", "Organization", "Location"):
        return set()
    return {(cls, key) for form in record.forms for key in _form_keys(form, cls == "Person")}


@functools.lru_cache(maxsize=CACHE_SIZE)
def _form_keys(form: str, person: bool) -> frozenset[str]:
    keys = set()
    if person:
        name = parse_person(form)
        if name.kunya:
            keys.add("k:" + skeleton(name.kunya))
        if name.parts:
            keys.add("p:" + skeleton(name.parts[-1]))
    else:
        words = name_words(form)
        if words:
            keys.add("n:" + " ".join(skeleton(w) for w in words))
            keys.add("f:" + " ".join(w[:4] for w in words))  # a typing slip may change a skeleton
    return frozenset(keys)


def _cannot_link(uf: _UnionFind, by_iri: dict[str, EntityRecord], a: str, b: str) -> bool:
    """Whether joining the clusters of ``a`` and ``b`` would put two incompatible people together.

    A lone surname may match two different people ("Tamimi" ~ Omar Khalil al-Tamimi and ~ Salim
    Hadi al-Tamimi); merging must not chain them.
    """
    ra, rb = uf.find(a), uf.find(b)
    if ra == rb or by_iri[a].core_class != "Person":
        return False
    # Whether two records are incompatible depends on their spellings alone (what a shared group adds
    # cannot lift a zero), so each distinct set of spellings is compared once: a name reported by a
    # thousand articles is one comparison, not a thousand.
    spellings_a = {frozenset(by_iri[i].forms): by_iri[i] for i in uf.members(ra)}
    spellings_b = {frozenset(by_iri[i].forms): by_iri[i] for i in uf.members(rb)}
    for x in spellings_a.values():
        for y in spellings_b.values():
            if person_score(x, y)[0] == 0.0 and not (_is_lone(x) or _is_lone(y)):
                return True
    return False


def _lone_surnames(records: list[EntityRecord], pairs: set[tuple[str, str]], uf: _UnionFind,
                   by_iri: dict[str, EntityRecord], unsettled: set[str] | None = None) -> list[Decision]:
    """A lone surname ("Tikriti", "bin Tahir") joins the one person in play who has it.

    A surname alone scores below the cross-article threshold (it may be anyone's); when every
    fuller name in the corpus it matches belongs to a single cluster, it is that person. When
    several people share it, or the two are said to be in different groups, it stays
    apart. Incrementally, only the ``unsettled`` surnames are decided again: only their pairs are all
    in play (a settled one's stand, decided when all its pairs were).
    """
    decisions = []
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    for record in sorted(records, key=lambda r: r.iri):
        if record.core_class != "Person" or not _is_lone(record) \
                or (unsettled is not None and record.iri not in unsettled):
            continue
        matches: dict[str, str] = {}
        for other in sorted(neighbours[record.iri]):
            candidate = by_iri[other]
            if candidate.core_class != "Person" or _is_lone(candidate) or uf.find(other) == uf.find(record.iri):
                continue
            if record.orgs and candidate.orgs and not record.orgs & candidate.orgs:
                continue  # said to be in different groups: not the same man
            score = person_score(record, candidate)[0]
            if score >= LONE_SURNAME_MATCH:
                matches.setdefault(uf.find(other), other)
        if len(matches) == 1:
            other = next(iter(matches.values()))
            if not _cannot_link(uf, by_iri, record.iri, other):
                uf.union(record.iri, other)
                decisions.append(Decision(record.iri, other, LONE_SURNAME_MATCH,
                                          f"{preferred_name(record.forms)!r} is the surname of the only person "
                                          f"in play who has it, {preferred_name(by_iri[other].forms)!r}"))
    return decisions


_SETTLEMENTS = {str(OPS.Village), str(OPS.Town)}
_AREAS = {str(OPS.Province), str(OPS.Country), str(OPS.Region)}


def _kinds_clash(a: EntityRecord, b: EntityRecord) -> bool:
    """A village or town is no province, country or region, however alike their names: al-Marzina
    village is not Marzina province."""
    def settlement(r: EntityRecord) -> bool:
        return bool(r.classes & _SETTLEMENTS) and not r.classes & _AREAS

    def area(r: EntityRecord) -> bool:
        return bool(r.classes & _AREAS) and not r.classes & _SETTLEMENTS

    return (settlement(a) and area(b)) or (settlement(b) and area(a))


def may_join(a: EntityRecord, b: EntityRecord, score: float) -> bool:
    """Whether clustering could join two records of people whose :func:`person_score` is ``score``: it
    reaches the cross-article threshold, or one is a lone surname the other's name fits
    (:func:`_lone_surnames`). A merge it refuses counts too: who goes with whom then depends on the
    order of comparison."""
    return score >= CROSS_ARTICLE_MATCH or (score >= LONE_SURNAME_MATCH and (_is_lone(a) or _is_lone(b)))


def _is_lone(record: EntityRecord) -> bool:
    return all(parse_person(f).is_single for f in record.forms)


def cluster(records: list[EntityRecord], gazetteer_iris: set[str] | None = None,
            placed_by_text: set[str] | None = None, settled: Mapping[str, str] | None = None,
            unsettled: set[str] | None = None, pairs: set[tuple[str, str]] | None = None,
            scores: Mapping[tuple[str, str], tuple[float, str]] | None = None) -> tuple[dict[str, str], list[Decision]]:
    """Map every IRI to its cluster's canonical IRI; the decisions that merged them.

    ``gazetteer_iris`` are places of the gazetteer (two of them are two places); ``placed_by_text``
    are places the text locates by another ("a village 20 km west of Marzin"): the gazetteer did not
    know them, so a gazetteer place of a like name is another place.

    Incrementally, for articles added to a clustered corpus (:mod:`kg.identity_state`): ``records``
    are those of the names near the new ones, with every member of their last clusters; ``settled``
    maps each IRI to its cluster then; ``unsettled`` names the IRIs clustered again (the new articles'
    names and every person one of them could join (:func:`may_join`), and so on, each with its whole
    last cluster: a name named again can undo the merges it linked, and a new name a merge of people, as
    a second man of a family takes a bare surname away from the first; places and groups they meet
    keep their clusters and are compared with them), and ``pairs`` every pair of a block that contains
    one of them; ``scores`` the person scores of pairs already computed. The settled clusters of
    every other IRI stand. The decisions returned are those of the IRIs clustered again.
    """
    fixed = gazetteer_iris or set()
    placed = placed_by_text or set()
    by_iri = {r.iri: r for r in records}
    if pairs is None:
        pairs = _candidate_pairs(_blocks(records), by_iri)
    uf = _UnionFind()
    if unsettled is not None:
        # the last build's clusters of everything else stand, joined among themselves only
        groups: dict[str, list[str]] = defaultdict(list)
        for iri, head in (settled or {}).items():
            if iri in by_iri and iri not in unsettled:
                groups[head].append(iri)
        for group in groups.values():
            for iri in group[1:]:
                uf.union(group[0], iri)
    decisions = []
    for a_iri, b_iri in sorted(pairs):
        if unsettled is not None and a_iri not in unsettled and b_iri not in unsettled:
            continue  # decided when both were read
        a, b = by_iri[a_iri], by_iri[b_iri]
        if a_iri in fixed and b_iri in fixed:
            continue  # two gazetteer entries are two places by construction
        if (a_iri in fixed and b_iri in placed) or (b_iri in fixed and a_iri in placed):
            continue
        if uf.find(a_iri) == uf.find(b_iri):
            continue  # already one cluster
        if a.same_articles(b):
            continue  # within one article, the extractor already decided
        if a.core_class == "Location" and _kinds_clash(a, b):
            continue
        if a.core_class == "Person":
            known = scores.get((a_iri, b_iri)) if scores is not None else None
            score, reason = known if known is not None else person_score(a, b)
            threshold = CROSS_ARTICLE_MATCH
        else:
            score, reason = _name_score(a, b)
            threshold = 0.8
        if score >= threshold and not _cannot_link(uf, by_iri, a_iri, b_iri):
            uf.union(a_iri, b_iri)
            decisions.append(Decision(a_iri, b_iri, round(score, 3), reason))
    decisions += _lone_surnames(records, pairs, uf, by_iri, unsettled)
    members: dict[str, list[str]] = defaultdict(list)
    for record in records:
        members[uf.find(record.iri)].append(record.iri)
    canonical: dict[str, str] = {}
    for group in members.values():
        best = min(group, key=lambda i: (i not in fixed, -by_iri[i].article_count,
                                         -len(preferred_name(by_iri[i].forms).split()) if by_iri[i].forms else 0, i))
        for iri in group:
            canonical[iri] = best
    return canonical, decisions


def _blocks(records: list[EntityRecord]) -> dict[tuple[str, str], list[str]]:
    blocks: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in records:
        for key in blocking_keys(record):
            blocks[key].append(record.iri)
    return blocks


def stable_links(canonical: dict[str, str], stored: Mapping[str, str],
                 known: Container[str] = frozenset()) -> tuple[dict[str, str], dict[str, str]]:
    """Keep canonical IRIs stable across builds, with one identity link per IRI.

    ``canonical`` maps every IRI to its cluster's IRI as :func:`cluster` chose it; ``stored`` is the
    links of the last build (IRI -> the IRI it is ``owl:sameAs``), a forest; ``known`` the canonical
    resources of the last build (an IRI alone in its cluster has no link). Returns the canonical
    map to use and the links to write (IRI -> IRI, never more than one per IRI):

    - a cluster that holds a canonical IRI of the last build keeps it (the one most of its members
      were linked to, then the least IRI); an earlier canonical IRI merged into it stays, linked to
      the survivor (a retired IRI still resolves);
    - a link of the last build is kept while both ends stay in one cluster, so links only grow as
      articles are added; a new IRI is linked to its cluster's canonical IRI.

    ``n`` IRIs of one thing need ``n - 1`` links, not ``n (n - 1) / 2``.
    """
    def root(iri: str, inside: set[str]) -> str:
        """Where ``iri``'s stored links lead while they stay in its cluster."""
        seen = {iri}
        while stored.get(iri) in inside and stored[iri] not in seen:
            iri = stored[iri]
            seen.add(iri)
        return iri

    clusters: dict[str, list[str]] = defaultdict(list)
    for iri, head in canonical.items():
        clusters[head].append(iri)
    final: dict[str, str] = {}
    links: dict[str, str] = {}
    for head, members in clusters.items():
        if members == [head]:  # alone: canonical whatever the last build said (no lookup in ``known``)
            final[head] = head
            continue
        inside = set(members)
        # the canonical IRIs of the last build in this cluster, with how many of its members each held
        roots = Counter(root(m, inside) for m in members if m in stored or m in known)
        survivor = min(roots, key=lambda r: (-roots[r], r)) if roots else head
        for member in members:
            final[member] = survivor
            if member == survivor:
                continue
            kept = stored.get(member)
            links[member] = kept if kept in inside else survivor
    return final, links


def cluster_labels(records: Iterable[EntityRecord], canonical: dict[str, str]) -> dict[str, str]:
    """Canonical IRI -> the cluster's preferred name, from the surface forms of all its IRIs (the
    class of the canonical IRI's own record, else of the cluster's least IRI, decides the name's grammar)."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    chosen: dict[str, EntityRecord] = {}
    for record in sorted(records, key=lambda r: r.iri):
        head = canonical.get(record.iri, record.iri)
        forms[head].update(record.forms)
        if head not in chosen or record.iri == head:
            chosen[head] = record
    return {head: display_name(record, forms[head]) for head, record in chosen.items() if forms[head]}
