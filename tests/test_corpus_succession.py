"""Ordering the holders of a position across articles: stated successions, ordinals, dates, contradictions."""

from __future__ import annotations

from kg.corpus import Statement, Tenure, order_successions, succession

ROLE = "role/front-leader"
TITLES = {ROLE: "leader", "role/front-spokesman": "spokesman", "role/front-head": "head"}


def tenure(holder: str, role: str = ROLE, **kwargs: object) -> Tenure:
    return Tenure(f"tenure/{holder}-{role.rsplit('/', 1)[-1]}", holder, role, **kwargs)  # type: ignore[arg-type]


def said(earlier: str, later: str, article: str, direct: bool = True, role: str = ROLE) -> Statement:
    suffix = role.rsplit("/", 1)[-1]
    return Statement(f"tenure/{earlier}-{suffix}", f"tenure/{later}-{suffix}", direct, article)


def pairs(tenures: list[Tenure], statements: list[Statement], groups: dict[str, str] | None = None) \
        -> dict[tuple[str, str], bool]:
    result = order_successions(tenures, TITLES, statements, groups)
    return {(s.predecessor, s.successor): s.direct for s in result.successions}


def test_a_stated_chain_across_articles() -> None:
    tenures = [tenure(p) for p in ("amin", "badr", "kamal")]
    got = pairs(tenures, [said("amin", "badr", "a1"), said("badr", "kamal", "a2")])
    assert got == {("amin", "badr"): True, ("badr", "kamal"): True}


def test_a_statement_outranks_the_dates() -> None:
    # The end dates say kamal's tenure ended first; an article says badr came before kamal.
    tenures = [tenure("badr", ended="2021-05-01"), tenure("kamal", ended="2020-01-01")]
    assert pairs(tenures, [said("badr", "kamal", "a1")]) == {("badr", "kamal"): True}
    assert pairs(tenures, []) == {("kamal", "badr"): False}


def test_a_contradiction_is_resolved_by_the_number_of_articles_and_reported() -> None:
    tenures = [tenure("amin"), tenure("badr")]
    statements = [said("amin", "badr", "a1"), said("amin", "badr", "a2"), said("badr", "amin", "a3")]
    result = order_successions(tenures, TITLES, statements)
    assert [(s.predecessor, s.successor) for s in result.successions] == [("amin", "badr")]
    [conflict] = result.conflicts
    assert (conflict.kept, conflict.dropped) == (("amin", "badr"), ("badr", "amin"))
    assert (conflict.kept_articles, conflict.dropped_articles) == (2, 1)
    assert "2 article(s)" in conflict.describe()


def test_never_a_cycle() -> None:
    tenures = [tenure(p) for p in ("amin", "badr", "kamal")]
    statements = [said("amin", "badr", "a1"), said("badr", "kamal", "a2"), said("kamal", "amin", "a3")]
    result = order_successions(tenures, TITLES, statements)
    order = {(s.predecessor, s.successor) for s in result.successions}
    assert order == {("amin", "badr"), ("badr", "kamal")}


def test_an_indirect_statement_and_a_direct_one_make_a_chain() -> None:
    # "his predecessors, amin and badr" (kamal came after both), and "badr was replaced by kamal".
    tenures = [tenure(p) for p in ("amin", "badr", "kamal")]
    statements = [said("amin", "kamal", "a1", direct=False), said("badr", "kamal", "a1", direct=False),
                  said("badr", "kamal", "a2")]
    got = pairs(tenures, statements)
    # Kamal directly followed badr, so amin, also before kamal, came before badr.
    assert got == {("amin", "badr"): False, ("badr", "kamal"): True}


def test_two_direct_successors_of_one_holder_are_not_ordered_between_them() -> None:
    tenures = [tenure(p) for p in ("amin", "badr", "kamal")]
    got = pairs(tenures, [said("amin", "badr", "a1"), said("amin", "kamal", "a2")])
    assert got == {("amin", "badr"): True, ("amin", "kamal"): True}


def test_ordinals_and_current_as_before() -> None:
    tenures = [tenure("amin", ordinal=1), tenure("badr", ordinal=2), tenure("kamal", current=True)]
    got = {(s.predecessor, s.successor): s.direct for s in succession(tenures, TITLES)}
    assert got == {("amin", "badr"): True, ("badr", "kamal"): False}


def test_start_dates_order_holders() -> None:
    tenures = [tenure("amin", started="2009"), tenure("badr", started="2015")]
    assert pairs(tenures, []) == {("amin", "badr"): False}


def test_positions_held_by_many_are_not_ordered() -> None:
    role = "role/front-spokesman"
    tenures = [tenure("amin", role), tenure("badr", role)]
    assert pairs(tenures, [said("amin", "badr", "a1", role=role)]) == {}


def test_one_position_under_two_spellings() -> None:
    # "head of the Guard" and "leader of the Guard": grouped by the caller as one position.
    other = "role/front-head"
    tenures = [tenure("amin", ROLE), tenure("badr", other), tenure("kamal", other)]
    statements = [Statement("tenure/amin-front-leader", "tenure/badr-front-head", True, "a1"),
                  Statement("tenure/badr-front-head", "tenure/kamal-front-head", True, "a2")]
    # A statement whose tenures are in two positions says nothing until they are known to be one.
    assert pairs(tenures, statements) == {("badr", "kamal"): True}
    grouped = pairs(tenures, statements, {ROLE: "front", other: "front"})
    assert grouped == {("amin", "badr"): True, ("badr", "kamal"): True}


def test_a_title_in_no_known_organization_is_ordered_only_by_statements() -> None:
    # "prime minister" of two different governments in two articles: their dates say nothing.
    tenures = [tenure("amin", ended="2020-01-01"), tenure("badr", ended="2021-01-01"), tenure("kamal")]
    assert pairs(tenures, [said("badr", "kamal", "a1")], {}) == {("badr", "kamal"): True}
    assert pairs(tenures, [said("badr", "kamal", "a1")], {ROLE: "front leader"}) == {
        ("amin", "badr"): False, ("badr", "kamal"): True}
