// The opskg query page: a built-in editor that works offline, YASGUI when its CDN can be reached.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var endpoint = form.dataset.endpoint;
  var base = form.dataset.base;
  var basePath = form.dataset.basePath;
  var examples = JSON.parse(document.getElementById("example-queries").textContent);
  var ontology = form.dataset.ontology;
  var ontologyPath = form.dataset.ontologyPath;
  // SELECT and ASK results download as results; CONSTRUCT and DESCRIBE graphs as RDF.
  var RESULT_FORMATS = [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]];
  var GRAPH_FORMATS = [["turtle", "Turtle"], ["jsonld", "JSON-LD"], ["ntriples", "N-Triples"], ["rdfxml", "RDF/XML"]];

  function link(iri) {
    // Local pages for the graph's own IRIs; other http(s) IRIs as they are; anything else no link at all.
    if (iri.indexOf(base) === 0) { return basePath + iri.slice(base.length); }
    if (iri === ontology || iri.indexOf(ontology + "#") === 0) { return ontologyPath + iri.slice(ontology.length); }
    if (/^https?:\/\//i.test(iri)) { return iri; }
    return null;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    var target = term.type === "uri" ? link(term.value) : null;
    if (target) {
      var a = document.createElement("a");
      a.href = target;
      a.textContent = term.value.slice(term.value.search(/[^\/#]*$/)) || term.value;
      a.title = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;  // never interpreted as HTML
    }
    return td;
  }

  function render(data, truncated) {
    results.textContent = "";
    if (typeof data.boolean === "boolean") {
      var p = document.createElement("p");
      p.className = "boolean";
      p.textContent = data.boolean ? "true" : "false";
      results.appendChild(p);
      return;
    }
    var vars = data.head.vars;
    var table = document.createElement("table");
    table.className = "results";
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    var body = table.createTBody();
    data.results.bindings.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    results.appendChild(table);
    var note = document.createElement("p");
    note.className = "count";
    note.textContent = data.results.bindings.length + " row(s)" + (truncated ? " — truncated at " + truncated : "");
    results.appendChild(note);
  }

  function renderText(text) {
    results.textContent = "";
    var pre = document.createElement("pre");
    pre.textContent = text;
    results.appendChild(pre);
  }

  function offerDownloads(query, formats) {
    downloads.textContent = "";
    formats.forEach(function (f) {
      var a = document.createElement("a");
      a.href = endpoint + "?format=" + f[0] + "&query=" + encodeURIComponent(query);
      a.textContent = f[1];
      a.setAttribute("download", "");
      downloads.appendChild(a);
      downloads.appendChild(document.createTextNode(" "));
    });
  }

  function run(query) {
    status.textContent = "Running…";
    status.title = "";
    results.textContent = "";
    downloads.textContent = "";
    var body = new URLSearchParams();
    body.set("query", query);
    fetch(endpoint, {method: "POST", body: body,
                     headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}})
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) { throw new Error(text || response.statusText); }
          status.textContent = "";
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("sparql-results+json") >= 0) {
            render(JSON.parse(text), response.headers.get("OpsKG-Truncated"));
            offerDownloads(query, RESULT_FORMATS);
          } else {
            renderText(text);
            offerDownloads(query, GRAPH_FORMATS);
          }
        });
      })
      .catch(function (error) {
        // One short line (the parser may list every token it expected); the whole text on hover.
        var line = error.message.trim().split("\n")[0];
        status.textContent = line.length > 160 ? line.slice(0, 159) + "…" : line;
        status.title = error.message;
      });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(textarea.value); });
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = examples.filter(function (e) { return e.id === button.dataset.example; })[0];
      textarea.value = example.query;
      if (window.opskgYasguiInstance) { window.opskgYasguiInstance.getTab().setQuery(example.query); }
      run(example.query);
    });
  });

  // YASGUI, when the browser could load it from its CDN: the built-in editor stays as the fallback.
  window.opskgYasgui = function () {
    if (!window.Yasgui) { return; }
    var holder = document.getElementById("yasgui");
    holder.hidden = false;
    form.hidden = true;
    window.opskgYasguiInstance = new window.Yasgui(holder, {
      requestConfig: {endpoint: new URL(endpoint, window.location.href).href},
      copyEndpointOnNewTab: false
    });
    window.opskgYasguiInstance.getTab().setQuery(textarea.value);
  };
})();
