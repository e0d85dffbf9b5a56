/*
 * pactgraph network view: draws the network embedded in <script id="network-data"> with
 * vis-network, lets the layout settle once and then switches the physics off (no endless
 * motion, no CPU left burning), and offers search-and-highlight. Nothing is fetched: the data
 * is in the page and vis-network is served by pactgraph itself (or inlined).
 *
 * For tests and tools, once the layout is drawn: document.body.dataset.nodesDrawn = "<n>";
 * after each search: document.body.dataset.searchMatches = "<n>".
 */
(function () {
  "use strict";

  var DIMMED = "#dfe4ea";
  var HIGHLIGHT_BORDER = "#1d2430";

  var dataElement = document.getElementById("network-data");
  var container = document.getElementById("network");
  if (!dataElement || !container) {
    return;
  }
  if (typeof vis === "undefined") {
    container.textContent = "vis-network did not load.";
    return;
  }

  var payload = JSON.parse(dataElement.textContent);
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
  var original = {};
  payload.nodes.forEach(function (node) {
    original[node.id] = { color: node.color, size: node.size, borderWidth: node.borderWidth || 1 };
  });
  window.pactgraphNetwork = network;

  var progress = document.getElementById("network-progress");

  function drawn() {
    if (progress) {
      progress.hidden = true;
    }
    document.body.dataset.nodesDrawn = String(nodes.length);
  }

  network.on("stabilizationProgress", function (params) {
    if (progress) {
      progress.max = params.total;
      progress.value = params.iterations;
    }
  });
  if (nodes.length === 0) {
    drawn();
  } else {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      drawn();
    });
  }

  network.on("doubleClick", function (params) {
    if (params.nodes.length === 1) {
      var node = nodes.get(params.nodes[0]);
      if (node && node.href) {
        window.location.href = node.href;
      }
    }
  });

  // --- search and highlight
  var search = document.getElementById("network-search");
  var status = document.getElementById("network-search-status");

  function highlight(text) {
    var needle = text.trim().toLocaleLowerCase();
    var matches = [];
    var updates = [];
    nodes.forEach(function (node) {
      var base = original[node.id];
      var hit = needle !== "" && node.search.indexOf(needle) !== -1;
      if (hit) {
        matches.push(node.id);
      }
      updates.push({
        id: node.id,
        color: hit
          ? { background: base.color, border: HIGHLIGHT_BORDER }
          : needle === "" ? base.color : DIMMED,
        borderWidth: hit ? 4 : base.borderWidth,
        size: hit ? base.size * 1.3 : base.size,
      });
    });
    nodes.update(updates);
    if (matches.length === 1) {
      network.selectNodes(matches);
      network.focus(matches[0], { scale: 1.2, animation: { duration: 400 } });
    } else if (matches.length > 1) {
      network.selectNodes(matches);
      network.fit({ nodes: matches, animation: { duration: 400 } });
    } else {
      network.unselectAll();
    }
    if (status) {
      status.textContent = needle === "" ? "" : matches.length + " " + (status.dataset.word || "");
    }
    document.body.dataset.searchMatches = String(matches.length);
  }

  if (search) {
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        highlight(search.value);
      }, 150);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(timer);
        highlight(search.value);
      }
    });
  }
})();
