"""The records that flow between the stages: Article -> (Doc) -> Extraction.

They are plain data: no stage reaches back into an earlier one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

#: The core classes an extracted entity can have.
CORE_CLASSES = ("Person", "Organization", "Location", "Operation", "Role")


@dataclass(frozen=True)
class Article:
    """One source document, decoded and cleaned: the unit that is built, replaced or removed."""

    id: str
    text: str
    source: str
    title: str | None = None
    url: str | None = None
    #: ISO date (YYYY-MM-DD) of publication, when known.
    published: str | None = None
    #: Where ``published`` came from: "option", "field", "date-line", "html", "dateline".
    published_from: str | None = None

    @property
    def content_hash(self) -> str:
        return "sha256:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, order=True)
class Span:
    """Character offsets ``[start, end)`` into an article's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the text."""

    text: str
    span: Span
    sentence: Span


@dataclass(frozen=True)
class EntityRef:
    """How facts name an entity before IRIs exist: its core class and canonical key."""

    cls: str
    key: str


@dataclass
class Entity:
    """An entity of one article, with every surface form seen for it."""

    ref: EntityRef
    name: str
    #: A finer class than the core one (``Country``, ``ArmedGroup``, ``Village``...), if known.
    kind: str | None = None
    aliases: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    #: Extra literal attributes (e.g. ``lat``/``long`` from a gazetteer).
    attributes: dict[str, str | float | int | bool] = field(default_factory=dict)
    #: The gazetteer entry this entity is, when it is one.
    gazetteer: str | None = None
    #: The IRI of the same entity in a standard data set, when known: a place's GeoNames feature, a
    #: well-known organization's or person's Wikidata item (``skos:exactMatch``).
    exact_match: str | None = None

    @property
    def surface_forms(self) -> set[str]:
        return {self.name, *self.aliases, *(m.text for m in self.mentions)}


@dataclass(frozen=True)
class Fact:
    """An asserted relation between two entities, or an entity and a literal, with its evidence."""

    subject: EntityRef
    predicate: str
    object: EntityRef | str
    sentence: Span
    #: 1.0 when stated as fact; lower for hedged statements ("believed to be", "claimed").
    certainty: float = 1.0
    #: For literal objects: the XSD datatype local name (``date``, ``gYearMonth``, ``gYear``...).
    datatype: str | None = None
    #: "text" when the sentence states it; "gazetteer" when world knowledge adds it.
    origin: str = "text"
    #: A qualification the statement makes: "near" for a place given as "near X".
    qualifier: str | None = None


@dataclass
class Extraction:
    """Everything read from one article."""

    article: Article
    sentences: list[Span]
    entities: list[Entity]
    facts: list[Fact]

    def entity(self, ref: EntityRef) -> Entity | None:
        for entity in self.entities:
            if entity.ref == ref:
                return entity
        return None
