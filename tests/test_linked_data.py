"""Linked data over real HTTP: every minted IRI and the ontology dereference, for RDF clients and browsers.

The store is built from seeds/ with ``--base http://127.0.0.1:PORT/id/`` and served with the same
base on that port, so the minted IRIs are real addresses: ``rdflib.Graph().parse(iri)`` works.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.vocab import NIF, ONTOLOGY_IRI, OPS
from tests.browser import free_port, kg_command, live_server
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow

#: What Chromium sends when it follows a link.
BROWSER_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
                  "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
#: Media type -> rdflib parser.
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
               "application/n-triples": "nt"}
YASGUI_CDN = "https://unpkg.com/@triply/yasgui@"
GEO = rdflib.Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEOSPARQL = rdflib.Namespace("http://www.opengis.net/ont/geosparql#")


@dataclass(frozen=True)
class Site:
    url: str
    base: str

    def select(self, query: str) -> list[dict[str, str]]:
        response = requests.get(self.url + "/sparql", params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]

    def local(self, iri: str) -> str:
        """The address a browser or RDF client fetches for an IRI of this site (its fragment dropped)."""
        if iri.startswith(ONTOLOGY_IRI):
            return self.url + "/ontology"
        assert iri.startswith(self.base), iri
        return iri.split("#", 1)[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/id/"
    store = tmp_path_factory.mktemp("linked-data") / "store"
    built = subprocess.run([kg_command(), "build", str(SEEDS), "--store", str(store), "--base", base],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    with live_server(store, base=base, port=port) as url:
        assert url + "/id/" == base
        yield Site(url, base)


@dataclass(frozen=True)
class Case:
    """A resource to dereference, with a class it has and a predicate it has in each direction."""

    kind: str
    iri: str
    cls: rdflib.URIRef
    outgoing: str
    incoming: str


@pytest.fixture(scope="module")
def cases(site: Site) -> dict[str, Case]:
    # An operation with a date, a place with coordinates (through ops:locatedIn), someone killed in it, evidence.
    ops = site.select("""
        SELECT DISTINCT ?op WHERE {
          ?op a ops:Operation ; ops:date ?date ; ops:tookPlaceIn/ops:locatedIn* ?place .
          ?place ops:lat ?lat . ?person ops:killedIn ?op .
          ?fact rdf:subject ?person ; rdf:predicate ops:killedIn ; rdf:object ?op ;
                prov:wasDerivedFrom/ops:evidence ?sentence .
        } ORDER BY ?op LIMIT 1""")
    assert ops, "the seeds have no dated operation with a mapped place and a death"
    article = site.select("SELECT ?a WHERE { ?a a ops:Article ; dct:identifier \"000_a5610a94d15bdeb7\" }")
    assert article, "seed article 000 is missing"
    found = {
        "person": Case("person", site.base + "person/abu-bakr-al-baghdadi", OPS.Person, "ops:killedIn",
                       "ops:killed"),
        "operation": Case("operation", ops[0]["op"], OPS.Operation, "ops:tookPlaceIn", "ops:killedIn"),
        "place": Case("place", site.base + "location/qamishli", OPS.Location, "ops:locatedIn", "ops:locatedIn"),
        "article": Case("article", article[0]["a"], OPS.Article, "dct:title", "ops:mentionedIn"),
        "ontology term": Case("ontology term", str(OPS.Person), OWL.Class, "rdfs:subClassOf", "rdfs:domain"),
    }
    return found


KINDS = ["person", "operation", "place", "article", "ontology term"]


def _page(url: str) -> tuple[requests.Response, lxml.html.HtmlElement]:
    response = requests.get(url, headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    assert response.headers["Content-Type"].startswith("text/html"), response.headers["Content-Type"]
    return response, lxml.html.fromstring(response.text)


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _alternates(link_header: str) -> dict[str, str]:
    """media type -> URL of every rel="alternate" entry of a Link header."""
    out = {}
    for target, params in re.findall(r"<([^>]*)>((?:\s*;\s*[^,;]+)*)", link_header):
        if re.search(r'rel="?alternate"?', params):
            media = re.search(r'type="([^"]+)"', params)
            assert media, f"alternate without a type: {target}{params}"
            out[media.group(1)] = target
    return out


def _check_negotiation_headers(response: requests.Response, url: str) -> None:
    vary = [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]
    assert "accept" in vary, response.headers
    alternates = _alternates(response.headers.get("Link", ""))
    assert set(RDF_FORMATS) <= set(alternates), response.headers.get("Link")
    for target in alternates.values():
        assert urlsplit(urljoin(url, target)).path == urlsplit(url).path, target


# --- RDF clients ------------------------------------------------------------------------------


@pytest.mark.parametrize("media", list(RDF_FORMATS))
@pytest.mark.parametrize("kind", KINDS)
def test_rdf_clients_get_the_triples_in_both_directions(site: Site, cases: dict[str, Case], kind: str,
                                                        media: str) -> None:
    case = cases[kind]
    url = site.local(case.iri)
    response = requests.get(url, headers={"Accept": media}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].split(";")[0] == media
    _check_negotiation_headers(response, url)
    graph = rdflib.Graph().parse(data=response.content, format=RDF_FORMATS[media], publicID=url)
    node = rdflib.URIRef(case.iri)
    assert (node, RDF.type, case.cls) in graph
    assert any(True for _ in graph.triples((node, None, None))), f"no triple has {node} as subject"
    assert any(True for _ in graph.triples((None, None, node))), f"no triple has {node} as object"
    if kind != "ontology term":
        # Only what is about the resource: every triple has it as subject or as object, or is about one of its
        # hash IRIs (a place's GeoSPARQL point, <place#point>), whose document this is.
        assert all(s == node or o == node or str(s).startswith(case.iri + "#") for s, _, o in graph)


@pytest.mark.parametrize("kind", KINDS)
def test_each_alternate_link_serves_the_same_graph(site: Site, cases: dict[str, Case], kind: str) -> None:
    url = site.local(cases[kind].iri)
    first = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    reference = rdflib.Graph().parse(data=first.content, format="turtle")
    for media, target in _alternates(first.headers["Link"]).items():
        if media not in RDF_FORMATS:
            continue
        response = requests.get(urljoin(url, target), timeout=30)  # no Accept: the link alone decides
        assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == media, target
        graph = rdflib.Graph().parse(data=response.content, format=RDF_FORMATS[media])
        assert isomorphic(graph, reference), f"{target} differs from the Turtle"


def test_rdflib_dereferences_a_person_iri(site: Site, cases: dict[str, Case]) -> None:
    iri = cases["person"].iri
    graph = rdflib.Graph().parse(iri)  # rdflib's own Accept header and format detection
    node = rdflib.URIRef(iri)
    assert (node, RDFS.label, rdflib.Literal("Abu Bakr al-Baghdadi")) in graph
    assert (node, RDF.type, OPS.Person) in graph
    killed = set(graph.objects(node, OPS.killedIn))
    assert killed and all(str(op).startswith(site.base + "operation/") for op in killed)
    assert set(graph.subjects(OPS.killed, node)) == killed  # and the inverse, with the person as object
    # The operations it links to are themselves dereferenceable.
    operation = rdflib.Graph().parse(str(sorted(killed)[0]))
    assert (sorted(killed)[0], OPS.killed, node) in operation


@pytest.mark.parametrize("accept", ["text/turtle", BROWSER_ACCEPT])
def test_unknown_iris_are_404(site: Site, accept: str) -> None:
    for path in ("person/nobody-of-that-name", "operation/raid-nowhere-00000000", "article/no-such-article",
                 "nothing-here"):
        response = requests.get(site.base + path, headers={"Accept": accept}, timeout=30)
        assert response.status_code == 404, (path, response.status_code)
        assert response.headers["Content-Type"].startswith("text/plain")
        assert "Traceback" not in response.text and len(response.text) < 300


# --- browsers ---------------------------------------------------------------------------------


def _rows(doc: lxml.html.HtmlElement, heading: str) -> list[tuple[str, lxml.html.HtmlElement, str]]:
    """(predicate, the other end's cell, which is the row's <th> text) of a section's property table."""
    rows = []
    for section in doc.xpath("//section[h2]"):
        if _text(section.xpath("h2")[0]) != heading:
            continue
        for tr in section.xpath(".//tr"):
            rows.append((_text(tr.xpath("th")[0]), tr.xpath("td")[0], tr.xpath("th")[0]))
    return rows


@cache
def _article_text(url: str) -> str:
    graph = rdflib.Graph().parse(data=requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).content,
                                 format="turtle")
    texts = [str(o) for o in graph.objects(rdflib.URIRef(url), NIF.isString)]
    assert len(texts) == 1, url
    return texts[0]


@pytest.mark.parametrize("kind", ["person", "operation", "place", "article"])
def test_browsers_get_a_page_with_names_types_links_and_evidence(site: Site, cases: dict[str, Case],
                                                                 kind: str) -> None:
    case = cases[kind]
    url = site.local(case.iri)
    response, doc = _page(url)
    _check_negotiation_headers(response, url)
    facts = rdflib.Graph().parse(data=requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).content,
                                 format="turtle")
    node = rdflib.URIRef(case.iri)
    label = facts.value(node, RDFS.label) or facts.value(node, rdflib.URIRef("http://purl.org/dc/terms/title"))
    assert label is not None
    assert _text(doc.xpath("//h1")[0]) == str(label)
    assert str(label) in doc.findtext(".//title")
    assert case.iri in _text(doc.xpath("//p[@class='iri']")[0])

    types = {_text(a): a.get("href") for a in doc.xpath("//p[@class='types']//a")}
    local_name = str(case.cls).rsplit("#", 1)[-1]
    assert types.get(local_name) == f"/ontology#{local_name}", types

    # Properties in both directions, as links to local pages that exist.
    outgoing = [(p, cell) for p, cell, _ in _rows(doc, "Properties") if p == case.outgoing]
    incoming = [(p, cell) for p, cell, _ in _rows(doc, "Referenced by") if p == case.incoming]
    assert outgoing, f"no {case.outgoing} row under Properties"
    assert incoming, f"no {case.incoming} row under Referenced by"
    followed = []
    if kind == "article":
        assert _text(outgoing[0][1]) == str(label) and not outgoing[0][1].xpath(".//a")  # a literal, no link
    else:
        followed.append(outgoing[0][1].xpath(".//a")[0].get("href"))
    followed.append(incoming[0][1].xpath(".//a")[0].get("href"))
    for href in followed:
        assert href.startswith("/id/"), href
        assert _page(urljoin(url, href))[0].status_code == 200
    predicate_links = [th.xpath(".//a")[0].get("href") for p, _, th in _rows(doc, "Properties") if p.startswith("ops:")]
    assert predicate_links and all(h.startswith("/ontology#") for h in predicate_links)

    # The sentences that state its facts, each linked to its article, which really says it.
    evidence = doc.xpath("//ul[@class='evidence']/li")
    if kind == "article":
        return
    assert evidence, "no evidence sentences"
    for li in evidence[:5]:
        quote = li.xpath(".//blockquote")[0].text_content().strip()
        links = li.xpath(".//a")
        assert len(links) == 1 and links[0].get("href").startswith("/id/article/"), lxml.html.tostring(li)
        assert quote and quote in _article_text(urljoin(url, links[0].get("href")))


def _svg(doc: lxml.html.HtmlElement, cls: str) -> lxml.html.HtmlElement:
    found = doc.xpath(f"//svg[contains(concat(' ', @class, ' '), ' {cls} ')]")
    assert len(found) == 1, f"no inline <svg class={cls}>"
    return found[0]


def test_a_place_with_coordinates_has_an_inline_map(site: Site, cases: dict[str, Case]) -> None:
    url = site.local(cases["place"].iri)
    _, doc = _page(url)
    svg = _svg(doc, "map")
    width, height = (float(v) for v in svg.get("viewbox", svg.get("viewBox", "")).split()[2:])
    circles = svg.xpath(".//circle")
    assert circles
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= width and 0 <= float(circle.get("cy")) <= height
    assert url.replace(site.url, "") in [a.get("href") for a in svg.xpath(".//a")]
    assert "Qamishli" in _text(svg)


def test_a_place_page_shows_its_coordinates_and_its_geonames_link(site: Site, cases: dict[str, Case]) -> None:
    iri = cases["place"].iri
    url = site.local(iri)
    facts = rdflib.Graph().parse(data=requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).content,
                                 format="turtle")
    node = rdflib.URIRef(iri)
    # The RDF has what the page shows: WGS84 coordinates, the GeoSPARQL point, the GeoNames IRI.
    lat, lon = float(str(facts.value(node, GEO.lat))), float(str(facts.value(node, GEO.long)))
    point = facts.value(node, GEOSPARQL.hasGeometry)
    assert point is not None and str(point).startswith(iri + "#")
    assert str(facts.value(point, GEOSPARQL.asWKT)) == f"POINT({lon} {lat})"
    geonames = [str(o) for o in facts.objects(node, SKOS.exactMatch) if str(o).startswith("https://sws.geonames.org/")]
    assert len(geonames) == 1, geonames

    _, doc = _page(url)
    shown = doc.xpath("//p[@class='coordinates']")
    assert len(shown) == 1 and [float(d.get("value")) for d in shown[0].xpath(".//data")] == [lat, lon]
    assert _text(shown[0]) == f"Coordinates: {lat:g}° {'N' if lat >= 0 else 'S'}, {lon:g}° {'E' if lon >= 0 else 'W'}"
    assert not {p for p, _, _ in _rows(doc, "Properties")} & {"geo:lat", "geo:long", "ops:lat", "ops:long"}
    links = doc.xpath("//p[@class='outbound']//a")
    assert [(a.get("href"), _text(a)) for a in links] == [(geonames[0], "GeoNames")]
    assert "noopener" in links[0].get("rel").split()


def test_a_dated_operation_has_an_inline_timeline_and_map(site: Site, cases: dict[str, Case]) -> None:
    case = cases["operation"]
    url = site.local(case.iri)
    _, doc = _page(url)
    facts = rdflib.Graph().parse(data=requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).content,
                                 format="turtle")
    date = facts.value(rdflib.URIRef(case.iri), OPS.date)
    assert date is not None
    label = str(facts.value(rdflib.URIRef(case.iri), RDFS.label))
    timeline = _svg(doc, "timeline")
    own = [a for a in timeline.xpath(".//a") if a.get("href") == url.replace(site.url, "")]
    assert own, "the timeline does not show the operation itself"
    assert label in _text(own[0]) and str(date) in _text(own[0]).replace(label, "")
    assert own[0].xpath(".//circle")
    places = {str(o) for o in facts.objects(rdflib.URIRef(case.iri), OPS.tookPlaceIn)}
    mapped = {site.base + a.get("href")[len("/id/"):] for a in _svg(doc, "map").xpath(".//a")}
    assert mapped, "the map shows no place"
    located = site.select(f"SELECT DISTINCT ?p WHERE {{ <{case.iri}> ops:tookPlaceIn/ops:locatedIn* ?p . "
                          f"?p <{GEO}lat>|ops:lat ?lat }}")
    assert mapped == {r["p"] for r in located} and places


# --- nothing from other hosts ---------------------------------------------------------------

#: Elements that make a browser fetch something, and the attributes that name it.
LOADING = {"img": ("src", "srcset"), "script": ("src",), "link": ("href",), "iframe": ("src",), "frame": ("src",),
           "embed": ("src",), "object": ("data",), "source": ("src", "srcset"), "video": ("src", "poster"),
           "audio": ("src",), "track": ("src",), "input": ("src",), "image": ("href", "xlink:href"),
           "use": ("href", "xlink:href"), "feimage": ("href", "xlink:href"), "base": ("href",)}


def fetched_elsewhere(html: str, page_url: str) -> list[str]:
    """Every URL the page would load from a host other than its own (data: URLs are inline)."""
    doc = lxml.html.fromstring(html)
    host = urlsplit(page_url).netloc
    urls = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        names = LOADING.get(element.tag.rsplit("}", 1)[-1].lower(), ())
        for name, value in element.attrib.items():
            if name.lower() in names:
                urls += [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
        style = element.get("style", "") + (element.text or "" if element.tag == "style" else "")
        urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", style) + re.findall(r"@import\s+['\"]([^'\"]+)", style)
    resolved = [urljoin(page_url, u.strip()) for u in urls]
    return [u for u in resolved if not u.startswith("data:") and urlsplit(u).netloc != host]


@pytest.mark.parametrize("kind", KINDS)
def test_resource_pages_load_nothing_from_other_hosts(site: Site, cases: dict[str, Case], kind: str) -> None:
    url = site.local(cases[kind].iri)
    response, doc = _page(url)
    assert fetched_elsewhere(response.text, url) == []
    assert not doc.xpath("//img"), "resource pages draw with inline SVG, not images"


def test_only_the_query_page_may_load_yasgui_from_its_cdn(site: Site) -> None:
    response, _ = _page(site.url + "/")
    elsewhere = fetched_elsewhere(response.text, site.url + "/")
    assert elsewhere and all(u.startswith(YASGUI_CDN) for u in elsewhere), elsewhere
    css = requests.get(site.url + "/static/opskg.css", timeout=30)
    assert css.status_code == 200 and not re.search(r"url\(|@import", css.text)
    ontology, _ = _page(site.url + "/ontology")
    assert fetched_elsewhere(ontology.text, site.url + "/ontology") == []


def test_fetched_elsewhere_finds_external_resources() -> None:
    page = ('<html><head><link rel="stylesheet" href="https://cdn.example/x.css"><style>@import "//e.example/y.css";'
            '</style></head><body><img src="/local.png"><img srcset="https://i.example/a.png 2x">'
            '<svg><image href="https://i.example/b.svg"/></svg><div style="background:url(http://u.example/c)">'
            '</div><script src="/static/opskg.js"></script><a href="https://elsewhere.example/">a link</a>'
            '<img src="data:image/png;base64,AAAA"></body></html>')
    assert sorted(fetched_elsewhere(page, "http://127.0.0.1:1/x")) == [
        "http://e.example/y.css", "http://u.example/c", "https://cdn.example/x.css", "https://i.example/a.png",
        "https://i.example/b.svg"]


# --- the ontology -----------------------------------------------------------------------------


def test_an_articles_own_iri_for_a_resource_is_redirected_to_the_canonical_one(site: Site) -> None:
    """Each spelling an article used is an IRI of its own in its graph; the served resource is the
    canonical IRI, and the others answer 303 See Other with it, for browsers and RDF clients alike."""
    [link] = site.select(f"""SELECT ?alias ?canonical WHERE {{ GRAPH <{site.base}graph/identity> {{
        ?alias owl:sameAs ?canonical }} FILTER(CONTAINS(STR(?alias), "/person/")) }} ORDER BY ?alias LIMIT 1""")
    for accept in (BROWSER_ACCEPT, "text/turtle"):
        response = requests.get(link["alias"], headers={"Accept": accept}, timeout=30, allow_redirects=False)
        assert response.status_code == 303, (accept, response.status_code)
        assert urljoin(link["alias"], response.headers["Location"]) == link["canonical"]
    followed = requests.get(link["alias"], headers={"Accept": "text/turtle"}, timeout=30)
    graph = rdflib.Graph().parse(data=followed.text, format="turtle")
    assert len(list(graph.objects(rdflib.URIRef(link["canonical"]), RDFS.label))) == 1


def test_a_resource_page_shows_each_fact_once_with_every_article_behind_it(site: Site) -> None:
    """A person several articles report killed in one raid: one ops:killedIn row, a quote per source."""
    rows = site.select("""SELECT ?p ?op ?n WHERE { ?p a ops:Person ; ops:killedIn ?op .
        ?f rdf:subject ?p ; rdf:predicate ops:killedIn ; rdf:object ?op ; ops:sources ?n FILTER(?n > 1) }
        ORDER BY DESC(?n) ?p LIMIT 1""")
    assert rows, "the seeds have nobody that two articles report killed"
    row = rows[0]
    assert int(row["n"]) >= 2
    _response, html = _page(row["p"])
    rows = [_text(tr) for tr in html.xpath("//table//tr") if "ops:killedIn" in _text(tr)]
    assert len(rows) == 1, rows
    quotes = [e for e in html.xpath("//*[contains(@class, 'evidence')]//li") if "ops:killedIn" in _text(e)]
    assert len(quotes) >= int(row["n"]), [_text(q) for q in quotes]


def test_the_ontology_as_turtle_and_as_documentation(site: Site) -> None:
    turtle = requests.get(site.url + "/ontology", headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    _check_negotiation_headers(turtle, site.url + "/ontology")
    graph = rdflib.Graph().parse(data=turtle.content, format="turtle")
    assert (rdflib.URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in graph
    classes = {str(c) for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(str(OPS))}
    assert {str(OPS[c]) for c in ("Person", "Operation", "Location", "Organization", "Role", "Article")} <= classes
    # The same document at the ontology IRI's own path on this host.
    own = requests.get(site.url + urlsplit(ONTOLOGY_IRI).path, headers={"Accept": "text/turtle"}, timeout=30)
    assert own.status_code == 200 and isomorphic(rdflib.Graph().parse(data=own.content,
                                                                                     format="turtle"), graph)

    _, doc = _page(site.url + "/ontology")
    assert _text(doc.xpath("//h1")[0]) == "opskg ontology"
    sections = {s.get("id"): s for s in doc.xpath("//section[@class='term']")}
    for iri in classes:
        name = iri.rsplit("#", 1)[-1]
        assert name in sections, f"ops:{name} is not documented"
        label = graph.value(rdflib.URIRef(iri), RDFS.label)
        if label is not None:
            assert str(label) in _text(sections[name])
    person = sections["Person"]
    assert "owl:Class" in _text(person)
    comment = graph.value(OPS.Person, RDFS.comment)
    assert comment is None or " ".join(str(comment).split()) in _text(person)
    killed_in = sections["killedIn"]
    assert "/ontology#Operation" in [a.get("href") for a in killed_in.xpath(".//a")]
    for short in ("ttl", "jsonld", "rdf"):
        alt = requests.get(site.url + f"/ontology?format={short}", timeout=30)
        assert alt.status_code == 200 and len(rdflib.Graph().parse(data=alt.content, format={
            "ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}[short])) == len(graph)

