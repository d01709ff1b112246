"""The query page at / in headless Chromium, against a live ``kg serve`` of the seeds' graph.

The browser cannot reach any host but loopback, as on a machine without network: YASGUI's CDN
fails, and the page must work with its built-in editor.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from selenium.webdriver.common.by import By

from tests.browser import browser_fixture, copy_store, live_server, script_problems, wait_for
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

browser = browser_fixture()

LEADERS = ["Abu Bakr al-Baghdadi", "Abu Ibrahim Al-Hashemi Al-Quraishi", "Abu Hafs al-Qurayshi"]
RESULT_DOWNLOADS = {"JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml",
                    "CSV": "text/csv", "TSV": "text/tab-separated-values"}
GRAPH_DOWNLOADS = {"Turtle": ("text/turtle", "turtle"), "JSON-LD": ("application/ld+json", "json-ld"),
                   "N-Triples": ("application/n-triples", "nt"), "RDF/XML": ("application/rdf+xml", "xml")}


def readme_table(title: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the output shown under a README example's ``### title``."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split(f"### {title}\n", 1)[1].split("\n### ")[0]
    lines = [line[4:] for line in section.split("```\n\n", 1)[1].splitlines() if line.startswith("    ")]
    header = [c.strip() for c in lines[0].split("|")]
    rows = [[c.strip() for c in line.split("|")] for line in lines[2:] if not line.startswith("(")]
    return header, rows


@pytest.fixture(scope="module")
def server(seeds_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = copy_store(seeds_store_path, tmp_path_factory.mktemp("ui") / "store")
    with live_server(store) as url:
        yield url


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """The query page, freshly loaded."""
    browser.get(server + "/")
    wait_for(browser, lambda d: d.execute_script("return document.readyState") == "complete")
    yield browser
    assert script_problems(browser) == []


def _results(driver: Any) -> tuple[list[str], list[list[Any]]]:
    """Wait for the results table: its column names and its cells (WebElements)."""
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#results table.results"),
             message=f"no results table; status: {driver.find_element(By.ID, 'status').text!r}")
    table = driver.find_element(By.CSS_SELECTOR, "#results table.results")
    header = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = [tr.find_elements(By.TAG_NAME, "td") for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    return header, rows


def _run(driver: Any, query: str) -> None:
    textarea = driver.find_element(By.ID, "query")
    textarea.clear()
    textarea.send_keys(query)
    assert textarea.get_attribute("value") == query
    driver.find_element(By.ID, "run").click()


def _downloads(driver: Any) -> dict[str, str]:
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#downloads a"))
    links = driver.find_elements(By.CSS_SELECTOR, "#downloads a")
    assert all(a.get_attribute("download") is not None for a in links)
    return {a.text: a.get_attribute("href") for a in links}


def test_the_first_example_shows_the_isis_leaders(page: Any) -> None:
    button = page.find_elements(By.CSS_SELECTOR, "#examples button.example")[0]
    assert button.text == "Leadership succession of ISIS"
    button.click()
    header, rows = _results(page)
    shown_header, shown_rows = readme_table("Leadership succession of ISIS")
    assert header == shown_header
    texts = [[td.text for td in row] for row in rows]
    assert texts == shown_rows
    assert [row[header.index("leader")] for row in texts] == LEADERS
    assert page.find_element(By.CSS_SELECTOR, "#results .count").text == "3 row(s)"
    assert page.find_element(By.ID, "status").text == ""
    example = (ROOT / "server" / "queries" / "01-leadership-succession-of-isis.rq").read_text(encoding="utf-8")
    assert page.find_element(By.ID, "query").get_attribute("value") == example.strip()


def test_results_download_in_every_results_format(page: Any) -> None:
    page.find_elements(By.CSS_SELECTOR, "#examples button.example")[0].click()
    header, rows = _results(page)
    table = [[td.text for td in row] for row in rows]
    links = _downloads(page)
    assert set(links) == set(RESULT_DOWNLOADS)
    for name, media in RESULT_DOWNLOADS.items():
        response = requests.get(links[name], timeout=30)
        assert response.status_code == 200, (name, response.text[:200])
        assert response.headers["Content-Type"].split(";")[0] == media, name
    downloaded = list(csv.reader(io.StringIO(requests.get(links["CSV"], timeout=30).text)))
    assert downloaded[0] == header
    assert downloaded[1:] == table
    bindings = requests.get(links["JSON"], timeout=30).json()["results"]["bindings"]
    assert [b["leader"]["value"] for b in bindings] == LEADERS


def test_the_page_works_offline_with_its_built_in_editor(page: Any) -> None:
    # The CDN's stylesheet and script failed and removed themselves; YASGUI never started.
    wait_for(page, lambda d: not d.execute_script(
        "return document.querySelectorAll('script[src*=\"unpkg.com\"], link[href*=\"unpkg.com\"]').length"),
        message="YASGUI's CDN elements are still in the page")
    assert page.execute_script("return typeof window.Yasgui") == "undefined"
    assert page.execute_script("return window.opskgYasguiInstance === undefined")
    assert not page.find_element(By.ID, "yasgui").is_displayed()
    assert page.find_element(By.ID, "editor").is_displayed()
    assert page.find_element(By.ID, "query").is_displayed()
    for example in page.find_elements(By.CSS_SELECTOR, "#examples button.example"):
        title = example.text
        example.click()
        wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#results table.results")
                 and d.find_element(By.ID, "status").text == "", message=f"example {title!r} gave no table")
        count = page.find_element(By.CSS_SELECTOR, "#results .count").text
        assert count != "0 row(s)", f"example {title!r} found nothing"


def test_a_typed_query_shows_its_results_with_iris_as_local_links(page: Any, server: str) -> None:
    _run(page, 'SELECT ?person ?name ?class WHERE {\n  ?person a ?class ; rdfs:label ?name .\n'
               '  FILTER(?class = ops:Person && ?name = "Abu Bakr al-Baghdadi")\n}')
    header, rows = _results(page)
    assert header == ["person", "name", "class"]
    assert len(rows) >= 1
    person, name, cls = rows[0]
    assert name.text == "Abu Bakr al-Baghdadi" and not name.find_elements(By.TAG_NAME, "a")
    person_link = person.find_element(By.TAG_NAME, "a")
    assert person_link.get_attribute("title") == "https://w3id.org/opskg/id/person/abu-bakr-al-baghdadi"
    assert person_link.get_attribute("href") == server + "/opskg/id/person/abu-bakr-al-baghdadi"
    class_link = cls.find_element(By.TAG_NAME, "a")
    assert class_link.get_attribute("href") == server + "/ontology#Person"
    for td in (cell for row in rows for cell in row):
        for a in td.find_elements(By.TAG_NAME, "a"):
            assert a.get_attribute("href").startswith(server + "/"), a.get_attribute("href")
    person_link.click()
    wait_for(page, lambda d: d.current_url.endswith("/opskg/id/person/abu-bakr-al-baghdadi"))
    assert page.find_element(By.TAG_NAME, "h1").text == "Abu Bakr al-Baghdadi"
    assert script_problems(page) == []
    page.get(server + "/ontology#Person")
    assert page.find_element(By.ID, "Person").find_element(By.TAG_NAME, "h2").text.startswith("ops:Person")


def test_a_construct_query_shows_rdf_and_offers_rdf_downloads(page: Any) -> None:
    _run(page, "CONSTRUCT { ?p rdfs:label ?name } WHERE {\n  ?p a ops:Person ; rdfs:label ?name .\n"
               '  FILTER(?name = "Abu Hafs al-Qurayshi")\n}')
    wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#results pre"),
             message=f"no text result; status: {page.find_element(By.ID, 'status').text!r}")
    shown = rdflib.Graph().parse(data=page.find_element(By.CSS_SELECTOR, "#results pre").text, format="turtle")
    assert {str(o) for o in shown.objects()} == {"Abu Hafs al-Qurayshi"}
    links = _downloads(page)
    assert set(links) == set(GRAPH_DOWNLOADS)
    for name, (media, fmt) in GRAPH_DOWNLOADS.items():
        response = requests.get(links[name], timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == media, name
        assert isomorphic(rdflib.Graph().parse(data=response.content, format=fmt), shown), name


def test_a_syntax_error_shows_a_short_message(page: Any) -> None:
    _run(page, "ASK { ?s a ops:Operation }")
    wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#results p.boolean"))
    assert _downloads(page)
    _run(page, "SELECT ?x WHERE { ?x ops:killedIn ")
    status = page.find_element(By.ID, "status")
    wait_for(page, lambda d: status.text not in ("", "Running…"), message="no message after a bad query")
    message = status.text
    assert "does not parse" in message
    assert len(message) <= 200 and "\n" not in message.strip() and "Traceback" not in message
    assert page.find_element(By.ID, "results").text == ""
    assert page.find_element(By.ID, "downloads").text == "", "downloads of the previous query are still offered"
    # A good query afterwards clears the message.
    _run(page, "ASK { ?s a ops:Person }")
    wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#results p.boolean"))
    assert page.find_element(By.CSS_SELECTOR, "#results p.boolean").text == "true"
    assert status.text == ""


def test_readme_table_reader() -> None:
    header, rows = readme_table("Who was killed near Qamishli, and which articles say so?")
    assert header == ["person", "quote", "article"] and len(rows) == 2
    assert json.dumps(rows).count("Rakkan Wahid al-Shammari") == 2
