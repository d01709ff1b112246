"""What an operation mention is: the trigger words, the modifiers that give its kind, and the
operation the reader builds from its mentions (:class:`Event`).

- A trigger noun names an operation: raid, strike, air strike, drone strike, operation... Its
  modifiers give the kind (drone -> DroneStrike, helicopter-borne -> HelicopterRaid).
- "bombing" alone more often names an attack than an operation ("the resort bombing", "a car
  bombing"); with an aerial modifier it is an air raid ("an aerial bombing").
- "the assassination of X", "the killing of X" tell of an operation by its outcome.
- "another", "previous", "second" mark a mention of a new operation, not of the one in focus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from kg.kinds import OPERATION_FAMILY, OPERATION_RANK
from kg.model import EntityRef, Span

#: Trigger lemmas -> the kind they give by themselves.
TRIGGERS = {"raid": "Raid", "strike": "AirStrike", "airstrike": "AirStrike", "operation": "Operation",
            "bombing": "AirStrike", "bombardment": "AirStrike", "assault": "Raid", "incursion": "Raid",
            "ambush": "Raid"}
#: Triggers that, alone, more often name an attack than an operation: they need an aerial modifier or an actor.
GROUND_ATTACK_NOUNS = {"bombing"}
#: Nouns that name an operation only when a state carries it out: "a US attack", "Israel's attack on X"
#: (a group's "attack" is an attack, not an operation).
STATE_ACTION_NOUNS = {"attack"}
#: Verbs that tell of an operation when a state or its forces are their subject: "Israeli jets struck a
#: building", "US forces bombed the compound" (not "a rocket struck a football pitch").
STRIKE_VERBS = {"strike": "AirStrike", "bomb": "AirStrike"}
#: Verbs of killing that tell of an operation when a state's forces are their subject or agent:
#: "security forces killed X", "X was neutralised by French troops".
KILLING_VERBS = {"kill", "eliminate", "neutralize", "neutralise", "assassinate"}
#: Nouns of a fight that are an operation when a state's forces are in it: "killed in an encounter with
#: government troops", "a gunfight with the army".
ENCOUNTER_NOUNS = {"encounter", "clash", "firefight", "gunfight", "shootout", "gunbattle"}
#: Subjects of those verbs that are a state's forces.
FORCE_WORDS = {"force", "forces", "troops", "military", "army", "jet", "jets", "aircraft", "warplane", "warplanes",
               "drone", "drones", "helicopter", "helicopters", "navy", "commandos", "coalition", "soldiers",
               "police", "marines", "personnel", "fighters"}
#: Of those, the ones that name a state's forces without a modifier: "troops killed X", "the army said".
STATE_FORCE_NOUNS = {"troops", "military", "army", "navy", "commandos", "soldiers", "police", "marines", "warplane",
                     "warplanes", "jets"}
#: Modifiers that make a force a state's: "government troops", "security forces", "special forces".
STATE_WORDS = {"government", "security", "special", "federal", "national", "army", "military", "coalition", "police",
               "state", "regime", "allied"}
#: Modifiers that make a force someone else's: "rebel forces", "insurgent fighters", "militia drones".
NON_STATE_WORDS = {"rebel", "rebels", "insurgent", "insurgents", "militant", "militants", "opposition", "jihadist",
                   "islamist", "militia", "guerrilla", "separatist", "tribal", "terrorist", "enemy", "rival"}
AERIAL = {"air", "aerial", "airborne", "jet", "warplane", "bomber"}
#: Modifiers of a trigger -> the finer kind they give.
KIND_MODIFIERS = {"drone": "DroneStrike", "uav": "DroneStrike", "unmanned": "DroneStrike",
                  "air": "AirStrike", "aerial": "AirStrike", "precision": "AirStrike", "missile": "AirStrike",
                  "helicopter": "HelicopterRaid", "helicopter-borne": "HelicopterRaid", "heliborne": "HelicopterRaid",
                  "airborne": "Raid", "commando": "Raid", "ground": "Raid", "special": None}
RANK_OF_KIND = OPERATION_RANK
FAMILY = OPERATION_FAMILY
#: Nouns of killing (:data:`kg.extract.participation.KILL_NOUNS`) that tell of an operation by themselves
#: ("the assassination of X"), not of a death.
KILLING_NOUNS = {"killing", "assassination", "elimination"}
NEW_MARKERS = {"another", "previous", "earlier", "second", "separate", "other", "prior", "similar"}


@dataclass
class Event:
    index: int
    kind: str
    triggers: list[Token] = field(default_factory=list)
    places: list[tuple[EntityRef, Span, str]] = field(default_factory=list)
    dates: list[tuple[str, Span]] = field(default_factory=list)
    #: Who carried it out, with the evidence sentence and the certainty of the credit.
    actors: list[tuple[EntityRef, Span, float]] = field(default_factory=list)
    participants: list[tuple[str, EntityRef, Span, float]] = field(default_factory=list)
    sentences: set[int] = field(default_factory=set)
    #: Dates of statements that report the operation: used only when nothing dates it directly.
    statement_dates: list[tuple[str, Span]] = field(default_factory=list)
    #: Token indices of the verbs that gave it participants ("X was killed ... as he fled from Y").
    verbs: set[int] = field(default_factory=set)
    #: An earlier operation the article recalls ("since X was killed in a raid in 2019", "the 2011 raid").
    recalled: bool = False
    #: Told as another one ("another raid", "a separate strike", one of several): never merged into others.
    new_marked: bool = False
    #: Head nouns of its unnamed participants ("commander" for "a senior commander").
    unnamed_heads: set[str] = field(default_factory=set)

    @property
    def family(self) -> str | None:
        return FAMILY.get(self.kind)

    def killed(self) -> set[EntityRef]:
        return {p for r, p, _s, _c in self.participants if r == "killedIn" and not p.key.startswith("unnamed")}
