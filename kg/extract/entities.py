"""Entities of one article: mentions from the pipeline's entities, grouped into one entity per referent.

- Each mention gets one core class per surface form in the article (a place phrase or the
  gazetteer outweighs the model's label).
- People are grouped by the grammar of their names, fullest names first: "Al Sinjari" and
  "Abu Talha Hamid al-Sinjari" are one person when no other person in the article
  matches better.
- Aliases join their entity: "X, also known as Y", "X, alias Y", "X (real name Y)", "Long Name
  (ACRONYM)".
- A well-known organization or person carries its Wikidata item as ``exact_match``: an organization
  through its gazetteer entry, a person when one of its spellings is a full name listed in the people
  table (:mod:`kg.people`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from kg import gazetteer as gaz
from kg import people as known_people
from kg import wikidata
from kg.extract import parsed
from kg.model import Entity, EntityRef, Mention, Span
from kg.names import (
    entity_key,
    fold,
    name_words,
    parse_person,
    person_match,
    strip_possessive,
    strip_titles,
    words_match,
)
from kg.nonnames import is_non_name, repair

#: Labels of the pipeline's entities -> core classes.
LABEL_CLASSES = {"PERSON": "Person", "ORG": "Organization", "GPE": "Location", "LOC": "Location",
                 "FAC": "Location", "NORP": "Organization"}
#: Place suffixes that are not part of the name: "Idlib province" is Idlib.
PLACE_SUFFIXES = ("province", "governorate", "district", "region", "countryside")
#: Within one article, a person mention joins a fuller name at or above this score.
WITHIN_ARTICLE_MATCH = 0.7
#: Two full names (two parts or more) that match at or above this score spell one name.
SAME_PERSON = 0.8
_ALIAS_BETWEEN = re.compile(
    r"^\s*(?:['’]s\s+)?,?\s*(?:\(?\s*)?(?:also known as|also called|better known as|known as|a\.k\.a\.?|aka|alias|"
    r"nicknamed|referred to as|also referred to as|known by the nom de guerre|nom de guerre|"
    r"whose real name (?:is|was)|(?:real|true|full|birth) name(?: (?:is|was))?|born)\s*:?\s*[\"“‘']?\s*$",
    re.I,
)
#: "Y (X)" and Y "X": a person's other name in brackets or quotes right after the name.
_BRACKETED = re.compile(r"^\s*[(\"“‘]\s*$")
_CLOSING = re.compile(r"^\s*[,.]?\s*[)\"”’]")
#: Head nouns of group names: a personal name never ends with one ("X Brigades", "Y Front").
GROUP_HEADS = frozenset({
    "brigade", "brigades", "battalion", "battalions", "force", "forces", "front", "army", "movement",
    "council", "party", "corps", "committee", "organization", "organisation", "ministry", "militia",
    "militias", "group", "network", "unit", "units", "division", "regiment", "command", "agency",
    "college", "university", "league", "union", "alliance", "coalition", "faction", "factions",
})
#: Arabic words that head group names, as transliterated ("Jaysh al-X" army, "Liwa X" brigade,
#: "Harakat X" movement, "Jabhat X" front, "Kataib X" battalions, "Saraya X" companies, "Hashd"
#: mobilisation): a personal name holds none of them.
ARABIC_GROUP_WORDS = frozenset({
    "jaysh", "jaish", "jeish", "liwa", "liwaa", "harakat", "harakah", "haraka", "jabhat", "jabhah",
    "kataib", "kataeb", "saraya", "hashd", "tanzim", "jamaat", "jamaah", "jamaa", "hayat", "tahrir",
    "firqat", "faylaq", "quwat",
})
#: Prepositions of place: a "person" right after one of them is a place ("in Khan X", "near Tal Y").
_LOCATIVE = re.compile(r"\b(?:in|near|at|outside|around|into|towards?|across|from the town of|in the town of)\s+$",
                       re.I)


@dataclass
class RawMention:
    text: str
    start: int
    end: int
    sentence: Span
    label: str
    kind: str | None
    canonical: str | None
    cls: str = ""
    #: The words on the page when the name was repaired ("al- Rifai" for "al-Rifai").
    page_text: str = ""


@dataclass
class ArticleEntities:
    """The entities of an article and where each is mentioned."""

    entities: list[Entity]
    #: (start, end) character offsets of each mention -> its entity.
    at: dict[tuple[int, int], EntityRef] = field(default_factory=dict)

    def by_ref(self, ref: EntityRef) -> Entity | None:
        return next((e for e in self.entities if e.ref == ref), None)

    def find(self, start: int, end: int) -> EntityRef | None:
        """The entity of the mention that overlaps ``[start, end)`` the most."""
        best, overlap = None, 0
        for (s, e), ref in self.at.items():
            o = min(e, end) - max(s, start)
            if o > overlap:
                best, overlap = ref, o
        return best


def extract_entities(doc: Doc, gazetteer: gaz.Gazetteer | None = None,
                     people: known_people.People | None = None) -> ArticleEntities:
    g = gazetteer or gaz.default()
    known = people if people is not None else known_people.default()
    mentions = [m for m in (_raw(ent) for ent in doc.ents) if m is not None]
    mentions = [m for m in mentions if m.canonical or not _concatenation(m.page_text or m.text, g)]
    _people_by_context(doc, mentions)
    _people_named_like_groups(doc, mentions)
    _groups_by_context(mentions)
    _places_by_context(doc, mentions)
    _consistent_classes(mentions)
    aliases = _alias_pairs(doc, mentions)
    groups: list[list[RawMention]] = []
    groups += _group_people([m for m in mentions if m.cls == "Person"], aliases)
    groups += _group_by_key([m for m in mentions if m.cls == "Organization"], aliases, places=False)
    groups += _group_by_key([m for m in mentions if m.cls == "Location"], aliases, places=True)
    result = ArticleEntities([])
    for group in groups:
        entity = _entity(group, g, known)
        result.entities.append(entity)
        for m in group:
            result.at[(m.start, m.end)] = entity.ref
    result.entities.sort(key=lambda e: (e.ref.cls, e.ref.key))
    return result


def _raw(ent: SpacySpan) -> RawMention | None:
    cls = LABEL_CLASSES.get(ent.label_)
    if cls is None or (ent.label_ == "NORP" and not ent._.opskg_canonical):
        return None
    if cls == "Person" and (ent._.opskg_canonical or "").startswith("org:"):
        cls = "Organization"  # a group named like a man: the context decides (_people_named_like_groups)
    text = strip_possessive(ent.text.strip().strip(",.;:\"'“”‘’()"))
    start = ent.start_char + ent.text.find(text) if text and text in ent.text else ent.start_char
    for article in ("the ", "The "):
        if text.startswith(article):
            text, start = text[len(article):], start + len(article)
    if cls == "Person":
        name, _titles = strip_titles(text)
        start += text.find(name) if name in text else 0
        text = name
    if not _plausible(text):
        return None
    end = start + len(text)
    page_text = text
    if not ent._.opskg_canonical:
        fixed = repair(text)
        if fixed != text and text.startswith(fixed):
            end, page_text = start + len(fixed), fixed  # a footnote mark dropped from the end
        text = fixed  # else the span keeps the page's words ("al- Tikriti"), the name is repaired
        if is_non_name(text, person=cls == "Person"):
            return None
    sent = ent.sent
    return RawMention(text, start, end, Span(sent.start_char, sent.end_char), ent.label_,
                      ent._.opskg_kind, ent._.opskg_canonical, cls, page_text)


def _plausible(text: str) -> bool:
    """Names have letters, start with a capital or digit, and are not captions or credits."""
    if not text or not any(c.isalpha() for c in text) or text.islower():
        return False
    if any(c in text for c in "_/©@#|") or len(text) > 80 or len(text.split()) > 8:
        return False
    return not re.fullmatch(r"[\W\d]+", text)


def _concatenation(text: str, g: gaz.Gazetteer) -> bool:
    """Layout debris such as "ISISReuters": known names run together without a space."""
    if " " in text:
        return False
    for i in range(1, len(text)):
        if text[i].isupper() and (text[i - 1].islower() or (i + 1 < len(text) and text[i + 1].islower()
                                                             and text[i - 1].isupper())):
            left, right = text[:i], text[i:]
            if g.find_organization(left) or g.find_places(left) or g.find_organization(right) \
                    or g.find_places(right):
                return True
    return False


def _people_by_context(doc: Doc, mentions: list[RawMention]) -> None:
    """Names the model took for a place or group but the context shows to be a person.

    "the Karim al-Haddad regime": a regime is named after a person. "loyal to Al-Haddad" after
    "Karim al-Haddad": a shorter form of a person's name in the same article.
    """
    people = [parse_person(m.text) for m in mentions if m.cls == "Person"]
    text = parsed.text(doc)
    for m in mentions:
        if m.cls == "Person" or m.canonical or m.kind:
            continue  # a place phrase ("the village of X") outweighs the model's label
        following = text[m.end:m.end + 12].lower()
        name = parse_person(m.text)
        named_regime = re.match(r"(?:'s|’s)?\s+regime\b", following) and (name.nisbas or len(name.parts) >= 2)
        short_form = name.parts and any(person_match(name, p) >= WITHIN_ARTICLE_MATCH
                                        and len(p.parts) + bool(p.kunya) > len(name.parts) + bool(name.kunya)
                                        for p in people)  # a strictly shorter form of a person's name
        # another spelling of a person's full name ("Abdelkarim X" after "Abdul Karim X")
        spelling = len(name.parts) >= 2 and any(person_match(name, p) >= SAME_PERSON for p in people)
        if named_regime or short_form or spelling:
            m.cls, m.kind = "Person", None


#: Verbs whose object is a person, not a group: "troops killed Abu X and captured his wife".
PERSON_OBJECT_VERBS = {"kill", "capture", "arrest", "detain", "assassinate", "eliminate", "wound", "marry",
                       "interrogate", "execute", "behead"}
#: Titles before a name that make it a person's: "ISIS leader Abu X", "a commander named Abu X".
PERSON_TITLES = {"leader", "commander", "emir", "chief", "official", "spokesman", "financier", "militant",
                 "operative", "deputy", "cleric", "wife", "husband", "son", "daughter", "brother"}
#: Words after a name that make it a group's: "Abu X militants", "the Abu X group".
GROUP_FOLLOWERS = {"group", "militants", "fighters", "members", "rebels", "gunmen", "network", "faction",
                   "movement", "cell", "cells", "insurgents", "terrorists", "militia"}


def _people_named_like_groups(doc: Doc, mentions: list[RawMention]) -> None:
    """A group whose name is a man's name with a kunya ("Abu X") that the article uses for a man: the
    object of a killing or a capture, or a name after a title ("ISIS leader Abu X"), and never with a
    group's word after it ("Abu X militants") or "the" before it. Every mention of that name in the
    article then names the man."""
    personal: set[str] = set()
    for m in mentions:
        if m.cls != "Organization" or not m.canonical or not parse_person(m.text).kunya:
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        if before == "the" or after in GROUP_FOLLOWERS:
            continue
        root = span.root
        objected = root.dep_ in ("dobj", "nsubjpass") and root.head.lemma_.lower() in PERSON_OBJECT_VERBS
        titled = before in PERSON_TITLES or (root.dep_ == "appos" and root.head.lemma_.lower() in PERSON_TITLES)
        if objected or titled:
            personal.add(fold(m.text))
    for m in mentions:
        if m.cls == "Organization" and fold(m.text) in personal:
            m.cls, m.kind, m.canonical = "Person", None, None


def _groups_by_context(mentions: list[RawMention]) -> None:
    """Names the model took for a person but that are a group's: another spelling of a group of
    the same article ("X al-Sahraa" after the known "X al-Sahra"), a name ending with a group's
    head noun ("X Brigades") or holding an Arabic one ("Jaysh al-X")."""
    groups = [name_words(m.text) for m in mentions if m.cls == "Organization"]
    for m in mentions:
        if m.cls != "Person" or m.canonical:
            continue
        words = name_words(m.text)
        folded = fold(m.text).split()
        headed = len(words) >= 2 and (folded[-1] in GROUP_HEADS or bool(ARABIC_GROUP_WORDS & set(folded)))
        if headed or (len(words) >= 2 and any(words_match(words, g) >= SAME_PERSON for g in groups)):
            m.cls, m.kind = "Organization", None


#: Nouns after a name that make it a place's: "the X area", "the X refugee camp", "X neighbourhood".
_PLACE_AFTER = re.compile(r"\s+(?:refugee\s+|displacement\s+)?(?:area|camp|neighbou?rhood|district|suburb|"
                          r"village|town|region|valley|countryside)\b", re.I)


#: What comes before such a place: "the" or a preposition of place ("struck a Northern Front camp": a group).
_PLACE_BEFORE = re.compile(r"(?:\bthe|\bin|\bnear|\bat|\bon|\baround|\bfrom)\s+$", re.I)


def _places_by_context(doc: Doc, mentions: list[RawMention]) -> None:
    """Names the model took for a person but a preposition of place shows to be a place.

    "a blast in Khan Dabbas": people are not *in* a name; a kunya ("near Abu X") stays a person,
    and so does a name someone is said to be elsewhere in the article ("Ali Zaid, who ...").
    """
    text = parsed.text(doc)
    for m in mentions:
        if m.cls in ("Person", "Organization") and not m.canonical and _PLACE_AFTER.match(text[m.end:m.end + 30]) \
                and _PLACE_BEFORE.search(text[max(0, m.start - 12):m.start]) \
                and not GROUP_HEADS & set(fold(m.text).split()):
            m.cls, m.kind = "Location", None  # "in the X area", "on the X camp": a place, whatever the model said
            continue
        if m.cls != "Person" or m.canonical or parse_person(m.text).kunya or len(m.text.split()) < 2:
            continue
        possessive = text[m.end:m.end + 2] in ("'s", "’s")  # "at Ali Zaid's house"
        if not possessive and _LOCATIVE.search(text[max(0, m.start - 24):m.start]):
            m.cls, m.kind = "Location", None


def _consistent_classes(mentions: list[RawMention]) -> None:
    """One class per surface form in an article: gazetteer, then place phrases, then the majority."""
    by_key: dict[str, list[RawMention]] = defaultdict(list)
    for m in mentions:
        by_key[_place_key(m.text)].append(m)
    for group in by_key.values():
        classes = {m.cls for m in group}
        if len(classes) == 1:
            continue
        canonical = [m for m in group if m.canonical]
        placed = [m for m in group if m.kind and m.cls == "Location"]
        if canonical:
            winner = canonical[0].cls
        elif placed:
            winner = "Location"  # "the village of X" says what X is, whatever the model said elsewhere
        else:
            winner = Counter(m.cls for m in group).most_common(1)[0][0]
        for m in group:
            if m.cls != winner:
                m.cls = winner
                if not m.canonical:
                    m.kind = next((x.kind for x in group if x.cls == winner and x.kind), None)


def _alias_pairs(doc: Doc, mentions: list[RawMention]) -> list[tuple[RawMention, RawMention]]:
    """(main, alias) pairs: "X, also known as Y", "X (real name Y)", "Long Name (ACRONYM)"."""
    text = parsed.text(doc)
    ordered = sorted(mentions, key=lambda m: m.start)
    pairs = []
    for a, b in pairwise(ordered):
        between = text[a.end:b.start]
        if a.cls == b.cls == "Person" and (_ALIAS_BETWEEN.match(between) or (
                _BRACKETED.match(between) and _CLOSING.match(text[b.end:b.end + 3]))):
            pairs.append((a, b))
        elif re.fullmatch(r"\s*\(\s*", between) and text[b.end:b.end + 2].lstrip().startswith(")"):
            acronym = b.text.replace(".", "")
            if acronym.isupper() and a.cls in ("Organization", "Location") and b.cls in ("Organization",
                                                                                          "Location"):
                pairs.append((a, b))
    return pairs


def _group_people(people: list[RawMention],
                  aliases: list[tuple[RawMention, RawMention]]) -> list[list[RawMention]]:
    """Cluster person mentions: fullest names first, shorter ones join their best match."""
    alias_of = {id(b): a for a, b in aliases if a.cls == b.cls == "Person"}
    parsed = {id(m): parse_person(m.text) for m in people}

    def fullness(m: RawMention) -> tuple[int, int, int]:
        p = parsed[id(m)]
        return (len(p.parts) + (1 if p.kunya else 0), len(m.text), -m.start)

    clusters: list[list[RawMention]] = []
    home: dict[int, list[RawMention]] = {}
    alias_texts = {b.text: a for a, b in aliases if a.cls == b.cls == "Person"}
    for m in sorted(people, key=fullness, reverse=True):
        if id(m) not in alias_of and m.text in alias_texts and alias_texts[m.text] is not m:
            alias_of[id(m)] = alias_texts[m.text]  # a later "Y" after "X, also known as Y"
        if id(m) in alias_of and id(alias_of[id(m)]) in home:
            target = home[id(alias_of[id(m)])]
            target.append(m)
            home[id(m)] = target
            continue
        best: list[RawMention] | None = None
        best_key: tuple[float, int] = (0.0, 0)
        for cluster in clusters:
            score = max((person_match(parsed[id(m)], parsed[id(x)]) for x in cluster
                         if id(x) not in alias_of or not parsed[id(x)].is_single), default=0.0)
            nearest = max((x.start for x in cluster), default=0)
            key = (score, -abs(m.start - nearest))
            if score >= WITHIN_ARTICLE_MATCH and (best is None or key > best_key):
                best, best_key = cluster, key
        if best is None:
            best = []
            clusters.append(best)
        best.append(m)
        home[id(m)] = best
    # Aliases that came before their main name ("Ali" sorted before "Tarek Saleh") join it now.
    for a, b in aliases:
        if a.cls == b.cls == "Person" and id(a) in home and id(b) in home and home[id(a)] is not home[id(b)]:
            moving = home[id(b)]
            if moving in clusters:
                clusters.remove(moving)
                for x in moving:
                    home[id(a)].append(x)
                    home[id(x)] = home[id(a)]
    return clusters


def _place_key(text: str) -> str:
    key = entity_key(text)
    for suffix in PLACE_SUFFIXES:
        if key.endswith(" " + suffix):
            key = key[: -len(suffix) - 1]
    return " ".join(w for w in key.split() if w not in ("al", "el")) or key


def _group_by_key(mentions: list[RawMention], aliases: list[tuple[RawMention, RawMention]],
                  places: bool) -> list[list[RawMention]]:
    """Organizations and places: one group per gazetteer entry, else per name (transliteration-tolerant)."""
    groups: list[list[RawMention]] = []
    index: dict[str, list[RawMention]] = {}
    for m in sorted(mentions, key=lambda m: (m.canonical is None, m.start)):
        key = m.canonical or _place_key(m.text)
        target = index.get(key)
        if target is None and not m.canonical:
            # a variant spelling joins a name seen before, a known one's included ("Harakat X al-Sahraa")
            target = next((g for g in groups if any(_same_name(_place_key(x.text), key) for x in g)), None)
        if target is None:
            target = []
            groups.append(target)
        target.append(m)
        index.setdefault(key, target)
    for a, b in aliases:
        ga = next((g for g in groups if a in g), None)
        gb = next((g for g in groups if b in g), None)
        if ga is not None and gb is not None and ga is not gb:
            ga.extend(gb)
            groups.remove(gb)
    return groups


def _same_name(a: str, b: str) -> bool:
    return words_match(name_words(a), name_words(b)) >= 0.8


def _entity(group: list[RawMention], g: gaz.Gazetteer, known: known_people.People) -> Entity:
    cls = group[0].cls
    canonical = next((m.canonical for m in group if m.canonical), None)
    kind = next((m.kind for m in group if m.kind), None)
    attributes: dict[str, str | float | int | bool] = {}
    exact_match = None
    if canonical:
        source, entry = canonical.split(":", 1)
        name = entry
        if source == "place" and entry in g.places:
            place = g.places[entry]
            kind = place.kind
            if place.lat is not None and place.lon is not None:
                attributes["lat"], attributes["long"] = place.lat, place.lon
            if place.geonameid is not None:
                exact_match = f"https://sws.geonames.org/{place.geonameid}/"
        elif source == "org" and entry in g.organizations:
            org = g.organizations[entry]
            kind = org.kind
            if org.wikidata:
                exact_match = wikidata.iri(org.wikidata)
    elif cls == "Person":
        name = max((m.text for m in group), key=lambda t: (len(parse_person(t).parts)
                                                           + (1 if parse_person(t).kunya else 0), len(t)))
        person = known.find(m.text for m in group)
        if person is not None:
            exact_match = person.iri
    else:
        name = _display(max(group, key=lambda m: (sum(x.text == m.text for x in group), len(m.text))).text)
    entity = Entity(ref=EntityRef(cls, fold(name) if not canonical else canonical.split(":", 1)[1].lower()),
                    name=name, kind=_kind_class(cls, kind), attributes=attributes,
                    gazetteer=canonical.split(":", 1)[1] if canonical else None, exact_match=exact_match)
    for m in sorted(group, key=lambda m: m.start):
        entity.mentions.append(Mention(m.page_text or m.text, Span(m.start, m.end), m.sentence))
        if m.text != name:
            entity.aliases.add(m.text)
    return entity


def _display(text: str) -> str:
    """A place's name without the administrative noun: "Hasekeh province" -> "Hasekeh"."""
    words = text.split()
    if len(words) > 1 and words[-1].lower() in PLACE_SUFFIXES:
        return " ".join(words[:-1])
    return text


def _kind_class(cls: str, kind: str | None) -> str | None:
    if kind is None:
        return None
    if cls == "Location":
        return gaz.PLACE_CLASSES.get(kind)
    if cls == "Organization":
        return gaz.ORG_CLASSES.get(kind)
    return None
