"""Place containment (``ops:locatedIn``) from the text and from the gazetteer.

From the text: "A, B province", "A, Syria", "A in B", "A, also in B", "the village of A in the
southern countryside of B", "the northern Syrian city of A". From the gazetteer: a known place is
in its nearest ancestor that the article mentions (the gazetteer graph adds the rest of its chain
that the corpus names). A place the gazetteer does not know is near the place the text measures it
from ("X, 8 km north-east of Y"), else, if a village or town, in the country of the nearest known place.
"""

from __future__ import annotations

import re
from itertools import pairwise

from spacy.tokens import Doc

from kg import gazetteer as gaz
from kg.extract import parsed
from kg.extract.entities import ArticleEntities
from kg.gazetteer import demonyms
from kg.kinds import PLACE_RANK
from kg.model import Entity, EntityRef, Fact, Mention, Span
from kg.names import fold

#: How large a kind of place is: a place can only be in a larger one.
RANK = PLACE_RANK
_BETWEEN_IN = re.compile(
    r"^\s*,?\s*(?:also\s+)?(?:in|of)\s+(?:the\s+)?(?:(?:north|south|east|west)(?:ern)?\s+|"
    r"(?:north|south)(?:-?(?:east|west))(?:ern)?\s+)?(?:countryside|outskirts|suburbs|part|province|governorate|"
    r"district|region)?\s*(?:of\s+)?(?:the\s+)?$",
    re.I,
)
#: How far (km) a place measured from another may be to be near it and in its divisions.
NEAR_KM = 30
#: How far (in characters) a known place may be from an unknown village or town to give it its country.
NEIGHBOUR_CHARS = 1500
#: Between a place and the place it is near: "X, some 8 kilometres (5 miles) north-east of the city of Y".
_NEAR_BETWEEN = re.compile(
    r"^\s*(?:village|town|hamlet|area)?\s*,?\s*(?:which\s+|that\s+)?(?:is\s+|lies\s+|sits\s+)?"
    r"(?:located\s+|situated\s+)?(?:some\s+|about\s+|around\s+|roughly\s+|nearly\s+|approximately\s+|just\s+)?"
    r"(?P<distance>[\d.,]+\s*-?\s*(?:km|kms|kilomet(?:er|re)s?|miles?|met(?:er|re)s?)\b\.?\s*(?:\([^)]{0,25}\)\s*)?)?"
    r"(?:to\s+the\s+)?(?P<rel>(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?"
    r"\s+of|from|near|outside(?:\s+of)?|close\s+to)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:(?:city|town|village|capital|border\s+town)\s+of\s+(?:the\s+)?)?$", re.I)
_BETWEEN_COMMA = re.compile(r"^\s*,\s*(?:also\s+in\s+)?$", re.I)
#: "X, a heavily populated Y suburb": an apposition that says what part of Y the place is.
_BETWEEN_APPOSITION = re.compile(r"^\s*,\s*(?:an?|the)\s+(?:[\w-]+\s+){0,3}$", re.I)
_URBAN_PART_AFTER = re.compile(r"^\s*(?:suburb|neighbou?rhood|quarter|district)\b", re.I)
_PLACE_NOUNS = r"(?:city|town|village|province|governorate|district|region|capital|border town|camp)"


def extract_containment(doc: Doc, found: ArticleEntities, g: gaz.Gazetteer) -> list[Fact]:
    facts: dict[tuple[EntityRef, EntityRef], Fact] = {}
    places = sorted(((m, e) for e in found.entities if e.ref.cls == "Location" for m in e.mentions),
                    key=lambda pair: pair[0].span.start)
    text = parsed.text(doc)
    for (ma, a), (mb, b) in pairwise(places):
        if a.ref == b.ref:
            continue
        between = text[ma.span.end:mb.span.start]
        after = text[mb.span.end:mb.span.end + 14].lower()
        b_is_admin = RANK.get(b.kind or "", 0) >= 4 or re.match(r"\s*(province|governorate|district)\b", after)
        listed = re.match(r"\s*(,|and\b|or\b)", after) and not re.match(r"\s*,\s*(?:the\s+)?[a-z]", after)
        if _BETWEEN_APPOSITION.match(between) and _URBAN_PART_AFTER.match(after):
            # "X, a crowded Y suburb": part of the city, whatever administrative division the gazetteer gives
            _add(facts, a.ref, b.ref, ma.sentence, "text")
            continue
        if listed or not _gazetteer_allows(a, b, g):
            continue  # "Ostania, Northland and Mauritania": a list, not containment
        if (_BETWEEN_COMMA.match(between) and b_is_admin and _larger(b, a)) or \
                (_BETWEEN_IN.match(between) and _larger(b, a)):
            _add(facts, a.ref, b.ref, ma.sentence, "text")
    _demonym_containment(doc, found, g, facts)
    _gazetteer_containment(found, g, facts)
    near = _nearby(text, places, facts, found, g)
    _in_country_of_neighbours(text, found, g, facts, near)
    return list(facts.values()) + list(near.values())


def _nearby(text: str, places: list[tuple[Mention, Entity]], facts: dict[tuple[EntityRef, EntityRef], Fact],
            found: ArticleEntities, g: gaz.Gazetteer) -> dict[EntityRef, Fact]:
    """"X, 8 km north-east of Y", "X village some 12 km from the town of Y", "X, near Y": X is near Y
    (``ops:near``, not containment), and the gazetteer graph puts a place it does not know in Y's
    divisions. Only close by (``NEAR_KM``, or "near", "outside"): a place 120 km or only "east" of
    Y is merely in Y's country, and one measured from a border town is in neither's division."""
    near: dict[EntityRef, Fact] = {}
    for (ma, a), (mb, b) in pairwise(places):
        if a.ref == b.ref or a.ref in near or RANK.get(a.kind or "", 0) > RANK["Town"]:
            continue
        between = text[ma.span.end:mb.span.start]
        match = _NEAR_BETWEEN.match(between)
        if match is None or re.search(r"\bborder|\bfrontier", between, re.I):
            continue
        distance = _kilometres(match.group("distance"))
        relation = match.group("rel").lower()
        if (a.ref, b.ref) in facts or (b.ref, a.ref) in facts or (relation == "from" and distance is None):
            continue
        if (distance is not None and distance <= NEAR_KM) or (distance is None and relation.split()[0] in
                                                              ("near", "outside", "close")):
            near[a.ref] = Fact(a.ref, "near", b.ref, ma.sentence)
        elif a.gazetteer is None and b.gazetteer in g.places:
            country = g.country_of(g.places[b.gazetteer])
            outer = next((e for e in found.entities if country is not None and e.gazetteer == country.name
                          and e.kind == "Country" and e.mentions), None)
            if outer is not None and outer.ref != a.ref:
                _add(facts, a.ref, outer.ref, ma.sentence, "gazetteer")
    return near


def _kilometres(distance: str | None) -> float | None:
    """"12 kilometres (7 miles)" -> 12.0; "30 miles" -> 48.3; "500 metres" -> 0.5."""
    if not distance:
        return None
    match = re.match(r"([\d.,]+)\s*-?\s*(\w+)", distance)
    if match is None:
        return None
    try:
        value = float(match.group(1).replace(",", ""))
    except ValueError:
        return None
    unit = match.group(2).lower()
    return value * 1.609 if unit.startswith("mile") else value / 1000 if unit.startswith("met") else value


def _in_country_of_neighbours(text: str, found: ArticleEntities, g: gaz.Gazetteer,
                              facts: dict[tuple[EntityRef, EntityRef], Fact], near: dict[EntityRef, Fact]) -> None:
    """A village or town nothing else places ("in the village of X") is in the country of the
    nearest place the article names that the gazetteer knows below a country (within a few
    paragraphs), when the article names that country: not the country of an actor ("US forces"),
    and not when its sentence speaks of a border."""
    placed = {inner for inner, _outer in facts} | set(near)
    countries = {e.gazetteer: e for e in found.entities
                 if e.ref.cls == "Location" and e.kind == "Country" and e.gazetteer and e.mentions}
    known = []
    for entity in found.entities:
        place = g.places.get(entity.gazetteer or "") if entity.ref.cls == "Location" else None
        country = g.country_of(place) if place is not None and place.kind != "country" else None
        if country is not None and country.name in countries:
            known += [(m.span.start, countries[country.name]) for m in entity.mentions]
    for entity in found.entities:
        if entity.ref.cls != "Location" or entity.kind not in ("Village", "Town") or entity.gazetteer \
                or entity.ref in placed or not entity.mentions:
            continue
        sentence = entity.mentions[0].sentence
        if re.search(r"\bborders?\b|\bfrontier|\bcrossed into\b", text[sentence.start:sentence.end], re.I):
            continue  # "fled across the border to X": the country of the places around is not X's
        at = entity.mentions[0].span.start
        nearest = min(known, key=lambda pair: abs(pair[0] - at), default=None)
        if nearest is not None and abs(nearest[0] - at) <= NEIGHBOUR_CHARS:
            _add(facts, entity.ref, nearest[1].ref, entity.mentions[0].sentence, "gazetteer")


def _gazetteer_allows(inner: Entity, outer: Entity, g: gaz.Gazetteer) -> bool:
    """When the gazetteer knows both places, ``outer`` must be one of ``inner``'s ancestors."""
    if inner.gazetteer in g.places and outer.gazetteer in g.places:
        return outer.gazetteer in {a.name for a in g.ancestors(g.places[inner.gazetteer])}
    return True


def _larger(outer: Entity, inner: Entity) -> bool:
    """Whether ``outer`` can contain ``inner``: a place of unknown kind (one no gazetteer knows: a
    village, most often) can contain only another place of unknown kind or a settlement."""
    ro, ri = RANK.get(outer.kind or "", 0), RANK.get(inner.kind or "", 0)
    if ri == RANK["Country"]:
        return False
    if ro == 0:
        return ri < RANK["District"]
    return ri == 0 or ro > ri


def _add(facts: dict[tuple[EntityRef, EntityRef], Fact], inner: EntityRef, outer: EntityRef,
         sentence: Span, origin: str) -> None:
    if inner != outer and (inner, outer) not in facts and (outer, inner) not in facts:
        facts[(inner, outer)] = Fact(inner, "locatedIn", outer, sentence, origin=origin)


def _demonym_containment(doc: Doc, found: ArticleEntities, g: gaz.Gazetteer,
                         facts: dict[tuple[EntityRef, EntityRef], Fact]) -> None:
    """"the northern Syrian city of Qamishli": Qamishli is in Syria."""
    names = demonyms()
    text = parsed.text(doc)
    pattern = re.compile(r"\b([A-Z][a-zA-Z.]+)\s+" + _PLACE_NOUNS + r"\s+of\s+(?:the\s+)?$")
    for entity in found.entities:
        if entity.ref.cls != "Location":
            continue
        for mention in entity.mentions:
            head = text[max(0, mention.span.start - 40):mention.span.start]
            match = pattern.search(head)
            if not match or fold(match.group(1)) not in names:
                continue
            country = names[fold(match.group(1))]
            outer = _country_entity(found, g, country)
            if outer is not None and outer.ref != entity.ref:
                _add(facts, entity.ref, outer.ref, mention.sentence, "text")


def _gazetteer_containment(found: ArticleEntities, g: gaz.Gazetteer,
                           facts: dict[tuple[EntityRef, EntityRef], Fact]) -> None:
    mentioned = {e.gazetteer: e for e in found.entities if e.ref.cls == "Location" and e.gazetteer}
    for entity in list(found.entities):
        if entity.ref.cls != "Location" or entity.gazetteer not in g.places or not entity.mentions:
            continue
        if any(inner == entity.ref for inner, _outer in facts):
            continue  # the text already says where it is
        place = g.places[entity.gazetteer]
        # the nearest container the article names; the gazetteer graph adds those other articles name
        outer = next((mentioned[a.name] for a in g.ancestors(place) if a.name in mentioned), None)
        if outer is not None:
            _add(facts, entity.ref, outer.ref, entity.mentions[0].sentence, "gazetteer")


def _country_entity(found: ArticleEntities, g: gaz.Gazetteer, country: str) -> Entity | None:
    """The article's entity for a country, created from the gazetteer when the text does not name it."""
    for entity in found.entities:
        if entity.ref.cls == "Location" and entity.gazetteer == country:
            return entity
    place = g.places.get(country)
    if place is None:
        return None
    entity = Entity(EntityRef("Location", country.lower()), country, kind="Country", gazetteer=country)
    if place.lat is not None and place.lon is not None:
        entity.attributes.update({"lat": place.lat, "long": place.lon})
    found.entities.append(entity)  # known from the gazetteer, not mentioned: it has no mentions
    return entity


_DIRECTION = r"(north|south|east|west|central|north-?east|north-?west|south-?east|south-?west)(?:ern)?"
_BEFORE_COUNTRY = re.compile(r"\b" + _DIRECTION + r"\s+$", re.I)
_PART_OF_COUNTRY = re.compile(r"\bthe\s+" + _DIRECTION + r"\s+part\s+of\s+the\s+country\b", re.I)


def _direction(word: str) -> str:
    return word.lower().replace("-", "")


def extract_regions(doc: Doc, found: ArticleEntities, g: gaz.Gazetteer) -> list[Fact]:
    """Regions of a country: "northern Syria", "north-east Syria", "the northern part of the country".

    Each becomes a Location of kind Region (one per direction and country) in its country.
    """
    facts: dict[tuple[EntityRef, EntityRef], Fact] = {}
    text = parsed.text(doc)
    countries = [(m, e) for e in found.entities if e.ref.cls == "Location" and e.kind == "Country"
                 for m in e.mentions]
    for mention, country in countries:
        match = _BEFORE_COUNTRY.search(text[max(0, mention.span.start - 20):mention.span.start])
        if match:
            start = mention.span.start - (len(text[max(0, mention.span.start - 20):mention.span.start]) - match.start())
            _add_region(found, facts, match.group(1), country, Span(start, mention.span.end),
                        text[start:mention.span.end], mention.sentence)
    for match in _PART_OF_COUNTRY.finditer(text):
        sentence = next((s for s in doc.sents if s.start_char <= match.start() < s.end_char), None)
        if sentence is None:
            continue
        here = [e for m, e in countries if sentence.start_char <= m.span.start < sentence.end_char]
        owner = here[0] if here else _main_country(found)
        if owner is not None:
            span = Span(match.start(), match.end())
            _add_region(found, facts, match.group(1), owner, span,
                        f"{match.group(0).split()[1]} {owner.name}", Span(sentence.start_char, sentence.end_char))
    return list(facts.values())


def _main_country(found: ArticleEntities) -> Entity | None:
    countries = [e for e in found.entities if e.ref.cls == "Location" and e.kind == "Country" and e.mentions]
    return max(countries, key=lambda e: len(e.mentions)) if countries else None


def _add_region(found: ArticleEntities, facts: dict[tuple[EntityRef, EntityRef], Fact], direction: str,
                country: Entity, span: Span, surface: str, sentence: Span) -> None:
    ref = EntityRef("Location", f"{_direction(direction)} {country.ref.key}")
    existing = found.by_ref(ref)
    region = existing if existing is not None else Entity(ref, surface, kind="Region")
    if existing is None:
        found.entities.append(region)
    region.mentions.append(Mention(surface, span, sentence))
    if surface != region.name:
        region.aliases.add(surface)
    found.at[(span.start, span.end)] = ref
    _add(facts, ref, country.ref, sentence, "text")
