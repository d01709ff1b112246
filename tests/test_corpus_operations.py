"""Which reports of operations from different articles are one operation (:func:`kg.corpus.cluster_operations`).

Records stand for what each article's graph says of an operation, with canonical IRIs; the places and
people are invented.
"""

from __future__ import annotations

import pytest

import kg.corpus
from kg.corpus import OperationRecord, Places, cluster_operations

TOWN, OTHER_TOWN, PROVINCE = "loc:marzin", "loc:abu-zahra", "loc:harzan"
PLACES = Places({(TOWN, PROVINCE), (OTHER_TOWN, PROVINCE)},
                {TOWN: "Town", OTHER_TOWN: "Town", PROVINCE: "Province"})


def record(iri: str, article: str, kind: str, killed: set[str], places: set[str], dates: set[str]) -> OperationRecord:
    return OperationRecord(iri, article, kinds={kind}, people=set(killed), killed=set(killed), places=places,
                           dates=dates)


def merged(*records: OperationRecord) -> bool:
    canonical, _decisions = cluster_operations(list(records), PLACES)
    return len(set(canonical.values())) == 1


def test_a_raid_and_a_strike_that_killed_the_same_person_are_one_operation() -> None:
    assert merged(record("op:a", "a", "HelicopterRaid", {"p:nabil"}, {TOWN}, {"2023-03-09"}),
                  record("op:b", "b", "AirStrike", {"p:nabil", "p:omar"}, set(), {"2023-03"}))


def test_a_raid_and_a_strike_with_nobody_in_common_stay_apart() -> None:
    assert not merged(record("op:a", "a", "Raid", set(), {TOWN}, {"2023-03-09"}),
                      record("op:b", "b", "AirStrike", set(), {TOWN}, {"2023-03-09"}))


def test_one_strike_on_one_town_that_day_whose_reports_name_different_dead() -> None:
    assert merged(record("op:a", "a", "AirStrike", {"p:nabil"}, {TOWN}, {"2023-03-09"}),
                  record("op:b", "b", "AirStrike", {"p:omar"}, {TOWN}, {"2023-03-09"}))


def test_strikes_with_different_dead_on_other_days_or_towns_stay_apart() -> None:
    assert not merged(record("op:a", "a", "AirStrike", {"p:nabil"}, {TOWN}, {"2023-03-09"}),
                      record("op:b", "b", "AirStrike", {"p:omar"}, {TOWN}, {"2023-03-10"}))
    assert not merged(record("op:a", "a", "AirStrike", {"p:nabil"}, {TOWN}, {"2023-03-09"}),
                      record("op:b", "b", "AirStrike", {"p:omar"}, {OTHER_TOWN}, {"2023-03-09"}))
    assert not merged(record("op:a", "a", "AirStrike", {"p:nabil"}, {PROVINCE}, {"2023-03-09"}),
                      record("op:b", "b", "AirStrike", {"p:omar"}, {PROVINCE}, {"2023-03-09"}))


def test_outlets_a_day_apart_report_one_night_s_raid() -> None:
    assert merged(record("op:a", "a", "Raid", {"p:nabil"}, {TOWN}, {"2023-03-09"}),
                  record("op:b", "b", "Raid", {"p:nabil"}, {TOWN}, {"2023-03-10"}))
    assert not merged(record("op:a", "a", "Raid", {"p:nabil"}, {TOWN}, {"2023-03-09"}),
                      record("op:b", "b", "Raid", {"p:nabil"}, {TOWN}, {"2023-03-11"}))


def test_reports_with_no_person_or_specific_place_in_common_are_never_compared(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compared = []
    original = kg.corpus._evidence

    def counting(a: OperationRecord, b: OperationRecord, places: Places) -> str | None:
        compared.append((a.iri, b.iri))
        return original(a, b, places)

    monkeypatch.setattr(kg.corpus, "_evidence", counting)
    records = [record(f"op:{n}", f"a{n}", "AirStrike", {f"p:{n}"}, {PROVINCE}, {"2023-03-09"}) for n in range(300)]
    records += [record("op:x", "x", "AirStrike", {"p:7"}, set(), {"2023-03"})]
    canonical, _decisions = cluster_operations(records, PLACES)
    assert compared == [("op:7", "op:x")]  # the one pair that shares someone; not 45,150 pairs
    assert canonical["op:x"] == canonical["op:7"]
