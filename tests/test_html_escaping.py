"""Nothing from an article runs in a browser: names, sentences, titles and URLs are shown as text.

An invented article puts script payloads into person and place names, sentences and aliases; a
JSON Lines article has markup in its title (a ``javascript:`` URL is refused at ingest: see
``tests/test_ingest_sources.py``). Both are built with ``kg
build`` and served; headless Chromium opens the query page (listing every name, title and source
URL), the page of every entity and article, and the ontology page. On every page no payload ran
(``window.__pwned`` stays undefined, no dialog opened), no ``on*`` attribute carries a payload, no
link is ``javascript:``, and the payloads are visible as text.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html
import pytest
import requests
from markupsafe import escape
from selenium.webdriver.common.by import By

from tests.browser import browser_fixture, kg_command, live_server, script_problems, wait_for

pytestmark = pytest.mark.slow

browser = browser_fixture()

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror="window.__pwned=1">'
JS_LINK = "javascript:window.__pwned=1"
TITLE = f"Raid {SCRIPT} {IMG} 'quoted' \"report\""
ARTICLE = (
    f"Coalition forces carried out a raid in the village of Tal-{SCRIPT}-Zira near Dumayr on Monday, officials said.\n"
    f"The raid killed Hamid Karran {SCRIPT}, a senior official of the Northern Front responsible for finances.\n"
    f"US forces killed Samir Jaber{IMG} in a second raid near Dumayr on Tuesday, officials said.\n"
    f"A source, Omar Nasser, also known as Abu \"Ali\" or {JS_LINK}, said the raid in Dumayr killed "
    "Khalid 'The Accountant' Mansour.\n"
)
SOURCE = "https://example.org/news/raid-report?id=7&ref=home"
RECORD = {"url": SOURCE, "title": TITLE, "published": "2024-03-05",
          "text": "US forces killed Ahmad Rahimi in a raid near Raqqa on Tuesday, officials said. "
                  f"Witnesses said {SCRIPT} was written on a wall in {JS_LINK} letters."}
BASE = "https://w3id.org/opskg/id/"
#: Every name, title and source URL of the articles' resources (not the ontology's).
NAMES = """SELECT DISTINCT ?resource ?property ?value WHERE {
  ?resource ?property ?value .
  FILTER(?property IN (rdfs:label, skos:altLabel, dct:title, dct:source, nif:anchorOf))
  FILTER(STRSTARTS(STR(?resource), "https://w3id.org/opskg/id/"))
} ORDER BY ?resource ?property ?value"""


@dataclass(frozen=True)
class Site:
    url: str
    names: list[dict[str, str]]

    def page(self, iri: str) -> str:
        assert iri.startswith(BASE), iri
        return self.url + "/opskg/id/" + iri[len(BASE):]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("xss")
    (folder / "payloads.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "records.jsonl").write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    store = folder / "store"
    built = subprocess.run([kg_command(), "build", str(folder / "payloads.txt"), str(folder / "records.jsonl"),
                            "--store", str(store)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert "2 new" in built.stderr, built.stderr
    with live_server(store) as url:
        response = requests.get(url + "/sparql", params={"query": NAMES}, timeout=30)
        assert response.status_code == 200, response.text
        names = [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]
        yield Site(url, names)


def _with(site: Site, prop: str, test: Any) -> list[dict[str, str]]:
    suffix = {"label": "#label", "altLabel": "#altLabel", "title": "/title", "source": "/source",
              "anchorOf": "#anchorOf"}[prop]
    return [r for r in site.names if r["property"].endswith(suffix) and test(r)]


def test_the_store_really_holds_the_payloads(site: Site) -> None:
    """The corpus does what it is for: markup reached names, aliases, sentences, the title and the URL."""
    labels = _with(site, "label", lambda r: any(c in r["value"] for c in "<>\""))
    assert any("/person/" in r["resource"] for r in labels), "no person name carries markup"
    assert any("/location/" in r["resource"] for r in labels), "no place name carries markup"
    assert _with(site, "altLabel", lambda r: '"' in r["value"]), "no alias carries a quote"
    quotes = [r["value"] for r in _with(site, "anchorOf", lambda r: True)]
    assert any(SCRIPT in q for q in quotes) and any(IMG in q for q in quotes) and any(JS_LINK in q for q in quotes)
    assert [r["value"] for r in _with(site, "title", lambda r: True)] == [TITLE]
    assert [r["value"] for r in _with(site, "source", lambda r: True)] == [SOURCE]


def _article(site: Site, from_json: bool) -> str:
    """The page of the JSON Lines article (the one with a source URL) or of the text article."""
    with_source = {r["resource"] for r in _with(site, "source", lambda r: True)}
    articles = {r["resource"].split("#", 1)[0] for r in site.names if "/article/" in r["resource"]}
    assert len(with_source) == 1 and len(articles) == 2, articles
    return site.page(next(iter(with_source if from_json else articles - with_source)))


def _open(driver: Any, url: str) -> None:
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    assert driver.find_elements(By.TAG_NAME, "h1"), f"{url} did not load"


def _visible_text(driver: Any) -> str:
    text: str = driver.find_element(By.TAG_NAME, "body").text
    return text


def test_the_query_page_shows_every_name_as_text(browser: Any, site: Site) -> None:
    _open(browser, site.url + "/")
    textarea = browser.find_element(By.ID, "query")
    textarea.clear()
    textarea.send_keys(NAMES)
    browser.find_element(By.ID, "run").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results table.results"),
             message=f"no results; status: {browser.find_element(By.ID, 'status').text!r}")
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#results table.results td:nth-child(3)")]
    # IRIs (the source URL) are shown as links with a short label; every literal is shown whole.
    assert [c for c, r in zip(cells, site.names, strict=True) if r["value"] != SOURCE] == [
        " ".join(r["value"].split()) for r in site.names if r["value"] != SOURCE]
    shown = _visible_text(browser)
    for payload in (SCRIPT, IMG, JS_LINK, TITLE):
        assert payload in shown, f"{payload!r} is not shown as text"
    assert [a for a in browser.find_elements(By.CSS_SELECTOR, "#results a") if a.get_attribute("href") == SOURCE]
    injected = browser.execute_script(
        "return document.querySelectorAll('#results script, #results img, #results iframe, #results svg').length")
    assert injected == 0
    links = browser.find_elements(By.CSS_SELECTOR, "#results a")
    assert all((a.get_attribute("href") or "").startswith(("http://", "https://")) for a in links)
    assert script_problems(browser) == []


def _pages(site: Site) -> list[str]:
    resources = sorted({r["resource"] for r in site.names if "#" not in r["resource"][len(BASE):]})
    assert len(resources) >= 10
    return [site.page(iri) for iri in resources]


def test_every_resource_page_and_the_ontology_run_nothing(browser: Any, site: Site) -> None:
    problems = {}
    for url in [*_pages(site), site.url + "/ontology"]:
        _open(browser, url)
        found = script_problems(browser)
        if found:
            problems[url] = found
    assert problems == {}


@pytest.mark.parametrize("which", ["person", "place", "text article", "json article"])
def test_payloads_are_visible_as_text_on_their_pages(browser: Any, site: Site, which: str) -> None:
    labelled = _with(site, "label", lambda r: any(c in r["value"] for c in "<>\""))
    if which in ("person", "place"):
        kind = {"person": "/person/", "place": "/location/"}[which]
        row = next(r for r in labelled if kind in r["resource"])
        expected = [row["value"]]
        url = site.page(row["resource"])
    else:
        title = which == "json article"
        url = _article(site, title)
        expected = [TITLE, SCRIPT, JS_LINK] if title else [SCRIPT, IMG, JS_LINK]
    _open(browser, url)
    assert script_problems(browser) == []
    heading = browser.find_element(By.TAG_NAME, "h1").text
    shown = _visible_text(browser)
    for payload in expected:
        assert payload in shown, f"{payload!r} is not shown as text on {url}"
    if which in ("person", "place"):
        assert heading == expected[0]
        assert expected[0] in browser.title
    if which == "json article":
        assert heading == TITLE
        source = browser.find_element(By.XPATH, "//tr[normalize-space(th)='dct:source']/td")
        assert [a.get_attribute("href") for a in source.find_elements(By.TAG_NAME, "a")] == [SOURCE]


@pytest.mark.parametrize("which", ["text article", "json article", "person", "place"])
def test_the_raw_html_holds_only_escaped_markup(site: Site, which: str) -> None:
    labelled = _with(site, "label", lambda r: any(c in r["value"] for c in "<>\""))
    label = None
    if which in ("person", "place"):
        row = next(r for r in labelled if {"person": "/person/", "place": "/location/"}[which] in r["resource"])
        url, label = site.page(row["resource"]), row["value"]
        escaped = [str(escape(label))]
    elif which == "text article":
        url, escaped = _article(site, False), ["&lt;script&gt;window.__pwned=1&lt;/script&gt;", str(escape(IMG))]
    else:
        url, escaped = _article(site, True), ["&lt;script&gt;window.__pwned=1&lt;/script&gt;", str(escape(TITLE))]
    response = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    html = response.text
    for form in escaped:
        assert form in html, f"{form!r} is not in {url}"
    for raw in (SCRIPT, "<img src=x", "<script>window", 'onerror="window', 'href="javascript:', "Jaber\"><img",
                "Tal-<script"):
        assert raw not in html, f"{raw!r} appears unescaped in {url}"
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//script[contains(., '__pwned')] | //img | //iframe | //*[@onerror] | //*[@onload]")
    if label is not None:
        assert doc.xpath("//h1")[0].text_content() == label  # the escaped text reads back as the name


def test_the_checks_catch_what_they_look_for(browser: Any, site: Site) -> None:
    """The helper finds a payload that did run, an on* attribute and a javascript: link."""
    _open(browser, site.url + "/ontology")
    assert script_problems(browser) == []
    browser.execute_script(
        "var img = document.createElement('img'); img.setAttribute('onerror', 'window.__pwned=1');"
        "img.src = 'x-missing'; document.body.appendChild(img);"
        "var a = document.createElement('a'); a.href = 'javascript:void(0)'; document.body.appendChild(a);"
        "window.alert('hi');")
    wait_for(browser, lambda d: d.execute_script("return window.__pwned") == 1)
    found = " ".join(script_problems(browser))
    assert "window.__pwned was set" in found and "onerror" in found and "javascript:" in found
    assert "dialog opened: alert: hi" in found
