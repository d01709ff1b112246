"""Kinds of places and operations: how large a place is, how specific an operation's kind is."""

from __future__ import annotations

#: How large a kind of place is: a place can only be in a larger one.
PLACE_RANK = {"Camp": 1, "Airport": 1, "MilitaryBase": 1, "Prison": 1, "Village": 1, "Town": 2, "City": 2,
              "District": 3, "Province": 4, "Region": 5, "Country": 6}
#: The rank of a place of unknown kind (a named village or town, most often).
UNKNOWN_PLACE_RANK = 1.5

#: Operation kinds -> their family (``None``: a generic operation, compatible with any).
OPERATION_FAMILY: dict[str, str | None] = {
    "Raid": "Raid", "HelicopterRaid": "Raid", "AirStrike": "AirStrike", "DroneStrike": "AirStrike", "Operation": None,
}
#: How specific an operation kind is: the more specific report of one operation wins.
OPERATION_RANK = {"Operation": 0, "Raid": 1, "AirStrike": 1, "HelicopterRaid": 2, "DroneStrike": 2}


def place_rank(kind: str | None) -> float:
    return PLACE_RANK.get(kind or "", UNKNOWN_PLACE_RANK)
