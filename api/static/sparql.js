// The SPARQL query page: run the query against /sparql and show the answer as a table.
// SELECT/ASK come back as SPARQL JSON results; CONSTRUCT/DESCRIBE as JSON-LD (expanded, as
// the server writes it), shown as subject/predicate/object rows. No libraries, works offline.
(function () {
  "use strict";

  var form = document.getElementById("sparql-form");
  if (!form) {
    return;
  }
  var textarea = document.getElementById("sparql-query");
  var formatSelect = document.getElementById("sparql-format");
  var exampleSelect = document.getElementById("sparql-example");
  var errorBox = document.getElementById("sparql-error");
  var statusLine = document.getElementById("sparql-status");
  var downloads = document.getElementById("sparql-downloads");
  var table = document.getElementById("sparql-results");
  var truncatedNote = document.getElementById("sparql-truncated");
  var words = JSON.parse(form.getAttribute("data-words") || "{}");
  var baseIri = form.getAttribute("data-base-iri") || "";
  var localPrefixes = (form.getAttribute("data-local-prefixes") || "").split(" ").filter(Boolean);
  var RESULTS = "application/sparql-results+json";
  var ACCEPT = RESULTS + ", application/ld+json;q=0.9";

  // A pactgraph IRI links to this server (https://w3id.org/pactgraph/id/… → /id/…).
  function localHref(iri) {
    for (var i = 0; i < localPrefixes.length; i++) {
      if (iri.indexOf(localPrefixes[i]) === 0) {
        return "/" + iri.slice(baseIri.length);
      }
    }
    return iri;
  }

  function clear(element) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
  }

  function small(className, text) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  // One RDF term, from SPARQL JSON ({type, value, xml:lang, datatype}) or JSON-LD.
  function termCell(term) {
    var cell = document.createElement("td");
    if (!term) {
      return cell;
    }
    if (term.type === "uri") {
      var link = document.createElement("a");
      link.href = localHref(term.value);
      link.textContent = term.value;
      cell.appendChild(link);
    } else if (term.type === "bnode") {
      cell.appendChild(small("muted", "_:" + term.value));
    } else {
      cell.appendChild(small("literal", term.value));
      if (term["xml:lang"]) {
        cell.appendChild(small("lang", "@" + term["xml:lang"]));
      } else if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") {
        cell.appendChild(small("datatype", term.datatype.replace(/^.*[#/]/, "")));
      }
    }
    return cell;
  }

  function fromJsonLd(node) {
    if (node["@id"] !== undefined) {
      var id = node["@id"];
      return id.indexOf("_:") === 0 ? { type: "bnode", value: id.slice(2) } : { type: "uri", value: id };
    }
    var term = { type: "literal", value: String(node["@value"]) };
    if (node["@language"]) {
      term["xml:lang"] = node["@language"];
    } else if (node["@type"]) {
      term.datatype = node["@type"];
    }
    return term;
  }

  // Expanded JSON-LD → [subject, predicate, object] rows.
  function triplesOf(document_) {
    var rows = [];
    var nodes = Array.isArray(document_) ? document_ : document_["@graph"] || [document_];
    nodes.forEach(function (node) {
      var subject = fromJsonLd({ "@id": node["@id"] || "_:" });
      Object.keys(node).forEach(function (key) {
        if (key === "@id") {
          return;
        }
        var values = Array.isArray(node[key]) ? node[key] : [node[key]];
        var predicate = key === "@type" ? "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" : key;
        values.forEach(function (value) {
          var object = key === "@type" ? { type: "uri", value: value } : fromJsonLd(value);
          rows.push([subject, { type: "uri", value: predicate }, object]);
        });
      });
    });
    return rows;
  }

  function showTable(columns, rows) {
    var head = table.tHead;
    var body = table.tBodies[0];
    clear(head);
    clear(body);
    var headRow = document.createElement("tr");
    columns.forEach(function (name) {
      var th = document.createElement("th");
      th.textContent = name;
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      row.forEach(function (term) {
        tr.appendChild(termCell(term));
      });
      body.appendChild(tr);
    });
    table.hidden = false;
  }

  function setDownloads(kind) {
    var query = textarea.value;
    Array.prototype.forEach.call(downloads.querySelectorAll("a"), function (link) {
      var fits = link.getAttribute("data-kind") === kind;
      link.hidden = !fits;
      link.href = "/sparql?query=" + encodeURIComponent(query) + "&format=" + link.getAttribute("data-format");
      link.setAttribute("download", "");
    });
    downloads.hidden = false;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  // The server cuts long answers at its row cap and says so in a header; say it on the page.
  function showTruncation(response) {
    var cap = response.headers.get("X-Pactgraph-Row-Cap") || "";
    if (response.headers.get("X-Pactgraph-Truncated") === "true") {
      truncatedNote.textContent = (words.truncated || "").replace("{cap}", cap);
      truncatedNote.hidden = false;
    }
  }

  function reset() {
    truncatedNote.hidden = true;
    errorBox.hidden = true;
    downloads.hidden = true;
    table.hidden = true;
    statusLine.hidden = false;
    statusLine.textContent = words.running || "…";
  }

  function render(contentType, payload, started) {
    var seconds = ((Date.now() - started) / 1000).toFixed(2) + " s";
    if (contentType.indexOf(RESULTS) === 0) {
      if (typeof payload.boolean === "boolean") {
        statusLine.textContent = (payload.boolean ? words["true"] : words["false"]) + " · " + seconds;
        setDownloads("results");
        return;
      }
      var variables = payload.head.vars || [];
      var rows = payload.results.bindings.map(function (binding) {
        return variables.map(function (name) {
          return binding[name];
        });
      });
      showTable(variables, rows);
      statusLine.textContent = rows.length + " " + words.rows + " · " + seconds;
      setDownloads("results");
      return;
    }
    var triples = triplesOf(payload);
    showTable(["subject", "predicate", "object"], triples);
    statusLine.textContent = triples.length + " " + words.triples + " · " + seconds;
    setDownloads("graph");
  }

  function run() {
    reset();
    var started = Date.now();
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: ACCEPT },
      body: textarea.value,
    })
      .then(function (response) {
        var contentType = response.headers.get("Content-Type") || "";
        return response.text().then(function (text) {
          var payload = null;
          try {
            payload = JSON.parse(text);
          } catch (ignored) {
            payload = null;
          }
          if (!response.ok) {
            statusLine.hidden = true;
            showError(payload && payload.detail ? payload.detail : response.status + " " + text);
            return;
          }
          render(contentType, payload, started);
          showTruncation(response);
        });
      })
      .catch(function (error) {
        statusLine.hidden = true;
        showError(String(error));
      });
  }

  form.addEventListener("submit", function (event) {
    if (formatSelect.value) {
      return; // a chosen format: let the browser open the answer itself
    }
    event.preventDefault();
    run();
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        run();
      }
    }
  });

  exampleSelect.addEventListener("change", function () {
    var store = document.getElementById("sparql-example-queries");
    var example = store && store.content.querySelector('pre[data-index="' + exampleSelect.value + '"]');
    if (example) {
      textarea.value = example.textContent;
      run();
    }
  });

  if (form.getAttribute("data-autorun") === "true") {
    run();
  }
})();
