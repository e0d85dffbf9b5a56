"""Network views: projections checked against the curated records, filters, metrics, formats,
the offline HTML, and bad input at the HTTP boundary.

Expectations are computed from the records YAML (or, for due intervals, from the commitments
export), never from the code under test, so a projection that drops or invents a relation fails.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from importlib.resources import files
from itertools import combinations
from typing import Any

import networkx as nx
import pytest
import yaml
from chromium import fresh_chromium
from fastapi.testclient import TestClient
from pactgraph.api import network as api_network
from pactgraph.api.templating import environment
from pactgraph.data import bundled_dataset
from pactgraph.graph import network as net
from pactgraph.graph.commitments import commitment_rows
from pactgraph.graph.store import OxigraphStore
from pactgraph.ontology.namespace import ID_IRI

ORG = f"{ID_IRI}organisation/"
COMMITMENT = f"{ID_IRI}commitment/"
PROGRAMME = f"{ID_IRI}programme/"
VHTO = f"{ORG}vhto"


# ------------------------------------------------------------------ the records, read directly


def _records() -> dict[str, list[dict[str, Any]]]:
    merged: dict[str, list[dict[str, Any]]] = {}
    folder = bundled_dataset().joinpath("records")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            for key, values in (yaml.safe_load(entry.read_text("utf-8")) or {}).items():
                if isinstance(values, list):
                    merged.setdefault(key, []).extend(values)
    return merged


RECORDS = _records()
COMMITMENTS = RECORDS["commitments"]
ORGANISATIONS = {o["id"]: o for o in RECORDS["organisations"]}
PEOPLE = {p["id"] for p in RECORDS.get("people", [])}
LANDSDELEN = sorted(i for i, o in ORGANISATIONS.items() if o.get("kind") == "landsdeel")


def kind_iri_of(agent: str) -> str:
    return f"{ORG}{agent}" if agent in ORGANISATIONS else f"{ID_IRI}person/{agent}"


def participants(commitment: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([commitment["owner"], *commitment.get("partners", [])]))


def shared_commitments(commitments: list[dict[str, Any]]) -> Counter[frozenset[str]]:
    """Pairs of parties (IRIs) and how many commitments they share, from the records."""
    pairs: Counter[frozenset[str]] = Counter()
    for commitment in commitments:
        for first, second in combinations(participants(commitment), 2):
            pairs[frozenset({kind_iri_of(first), kind_iri_of(second)})] += 1
    return pairs


def edge_weights(graph: nx.Graph) -> Counter[frozenset[str]]:
    return Counter({frozenset({a, b}): w for a, b, w in graph.edges(data="weight")})


def co_committers(agent: str) -> set[str]:
    found: set[str] = set()
    for commitment in COMMITMENTS:
        parties = participants(commitment)
        if agent in parties:
            found |= {kind_iri_of(p) for p in parties if p != agent}
    return found


@pytest.fixture(scope="module")
def data(built_store: OxigraphStore) -> net.NetworkData:
    return net.NetworkData.read(built_store)


def graph_of(data: net.NetworkData, name: str, **filters: Any) -> nx.Graph:
    return net.project(data, net.PROJECTIONS[name], net.NetworkFilter(**filters))


# ------------------------------------------------------------------ projections


def test_data_holds_every_commitment_and_organisation_of_the_records(
    data: net.NetworkData,
) -> None:
    assert {c.iri for c in data.commitments.values()} == {
        f"{COMMITMENT}{c['id']}" for c in COMMITMENTS
    }
    organisations = {i for i, e in data.entities.items() if e.kind in ("organisation", "landsdeel")}
    assert organisations == {f"{ORG}{o}" for o in ORGANISATIONS}


def test_co_commitment_links_exactly_the_parties_sharing_a_commitment(
    data: net.NetworkData,
) -> None:
    graph = graph_of(data, "co-commitment")
    expected = shared_commitments(COMMITMENTS)
    assert expected, "the records have commitments with partners"
    assert edge_weights(graph) == expected


@pytest.mark.parametrize("agent", ["vhto", "ocw", "pabos"])
def test_ego_network_holds_the_organisations_it_co_commits_with(
    data: net.NetworkData, agent: str
) -> None:
    view = net.data_view(data, "co-commitment", center=f"{ORG}{agent}", depth=1)
    assert set(view.graph.nodes) - {f"{ORG}{agent}"} == co_committers(agent)
    assert view.center == f"{ORG}{agent}"


def test_ocw_co_commits_with_partners_named_in_the_records() -> None:
    # Guards the test above: it must compare against a non-empty set for a real partner.
    assert f"{ORG}pabos" in co_committers("ocw")
    assert f"{ORG}ez" in co_committers("ocw")


def test_depth_two_reaches_partners_of_partners(data: net.NetworkData) -> None:
    one = net.data_view(data, "co-commitment", center=f"{ORG}pabos", depth=1)
    two = net.data_view(data, "co-commitment", center=f"{ORG}pabos", depth=2)
    expected = {f"{ORG}pabos"} | co_committers("pabos")
    for neighbour in co_committers("pabos"):
        expected |= co_committers(neighbour.removeprefix(ORG))
    assert set(two.graph.nodes) == expected
    assert set(one.graph.nodes) < set(two.graph.nodes)


def test_vhto_ego_network_holds_its_commitments_and_the_programmes_it_runs(
    data: net.NetworkData,
) -> None:
    view = net.data_view(data, "all", center=VHTO, depth=1)
    commitments = {f"{COMMITMENT}{c['id']}" for c in COMMITMENTS if "vhto" in participants(c)}
    runs = {f"{PROGRAMME}{p['id']}" for p in RECORDS["programmes"] if "vhto" in p.get("run_by", [])}
    assert commitments
    assert runs
    assert set(view.graph.nodes) == {VHTO} | commitments | runs


def test_org_landsdeel_projection_links_the_five_landsdelen(data: net.NetworkData) -> None:
    graph = graph_of(data, "organisation-landsdeel")
    assert len(LANDSDELEN) == 5
    for landsdeel in LANDSDELEN:
        assert graph.degree(f"{ORG}{landsdeel}") >= 1, landsdeel
    belongs = [(i, o["landsdeel"]) for i, o in ORGANISATIONS.items() if o.get("landsdeel")]
    assert belongs
    for organisation, landsdeel in belongs:
        assert graph.has_edge(f"{ORG}{organisation}", f"{ORG}{landsdeel}")
    for landsdeel in LANDSDELEN:  # and each is part of the pact
        whole = ORGANISATIONS[landsdeel]["part_of"]
        assert graph.has_edge(f"{ORG}{landsdeel}", f"{ORG}{whole}")


def test_org_programme_projection_has_every_runner_and_taker_part(data: net.NetworkData) -> None:
    graph = graph_of(data, "organisation-programme")
    for programme in RECORDS["programmes"]:
        for runner in programme.get("run_by", []):
            assert graph.has_edge(f"{ORG}{runner}", f"{PROGRAMME}{programme['id']}")
    for commitment in COMMITMENTS:
        for programme in commitment.get("programmes", []):
            for party in participants(commitment):
                assert graph.has_edge(kind_iri_of(party), f"{PROGRAMME}{programme}")


def test_org_commitment_projection_is_bipartite_owner_and_partners(data: net.NetworkData) -> None:
    graph = graph_of(data, "organisation-commitment")
    for commitment in COMMITMENTS:
        node = f"{COMMITMENT}{commitment['id']}"
        assert set(graph.neighbors(node)) == {kind_iri_of(p) for p in participants(commitment)}
    kinds = {kind for _, kind in graph.nodes(data="kind")}
    assert kinds <= {"commitment", "organisation", "landsdeel", "person"}
    for a, b in graph.edges:
        assert (graph.nodes[a]["kind"] == "commitment") != (graph.nodes[b]["kind"] == "commitment")


# ------------------------------------------------------------------ filters


def test_action_line_filter_keeps_the_commitments_of_that_line(data: net.NetworkData) -> None:
    kiezen = [c for c in COMMITMENTS if c.get("action_line") == "kiezen"]
    filtered = graph_of(data, "co-commitment", action_line=f"{ID_IRI}concept/kiezen")
    assert edge_weights(filtered) == shared_commitments(kiezen)
    expected_nodes = {kind_iri_of(p) for c in kiezen for p in participants(c)}
    assert set(filtered.nodes) == expected_nodes
    assert filtered.number_of_nodes() < graph_of(data, "co-commitment").number_of_nodes()


def test_landsdeel_filter_keeps_commitments_there_or_by_its_organisations(
    data: net.NetworkData,
) -> None:
    oost_members = {i for i, o in ORGANISATIONS.items() if o.get("landsdeel") == "oost"} | {"oost"}
    expected = {
        f"{COMMITMENT}{c['id']}"
        for c in COMMITMENTS
        if "oost" in c.get("landsdelen", []) or oost_members & set(participants(c))
    }
    graph = graph_of(data, "organisation-commitment", landsdeel=f"{ORG}oost")
    shown = {n for n, kind in graph.nodes(data="kind") if kind == "commitment"}
    assert expected
    assert shown == expected


def test_period_filter_keeps_commitments_whose_due_interval_overlaps(
    data: net.NetworkData, built_store: OxigraphStore
) -> None:
    start, end = date(2014, 1, 1), date(2014, 12, 31)
    expected = set()
    for row in commitment_rows(built_store):
        due_start = date.fromisoformat(row["due_start"]) if row["due_start"] else None
        due_end = date.fromisoformat(row["due_end"])
        if (due_start is None or due_start <= end) and due_end >= start:
            expected.add(f"{COMMITMENT}{row['id']}")
    graph = graph_of(data, "organisation-commitment", period_from=start, period_to=end)
    shown = {n for n, kind in graph.nodes(data="kind") if kind == "commitment"}
    assert 0 < len(shown) < len(COMMITMENTS)
    assert shown == expected


def test_programme_filter_keeps_that_programme_its_runners_and_takers(
    data: net.NetworkData,
) -> None:
    checked = 0
    for programme in RECORDS["programmes"]:
        iri = f"{PROGRAMME}{programme['id']}"
        graph = graph_of(data, "organisation-programme", programme=iri)
        expected = {f"{ORG}{runner}" for runner in programme.get("run_by", [])} | {
            kind_iri_of(p)
            for c in COMMITMENTS
            if programme["id"] in c.get("programmes", [])
            for p in participants(c)
        }
        programmes = {n for n, kind in graph.nodes(data="kind") if kind == "programme"}
        if not expected:  # named in a letter, but nobody runs it or commits to it
            assert graph.number_of_nodes() == 0
            continue
        checked += 1
        assert programmes == {iri}
        assert set(graph.neighbors(iri)) == expected
    assert checked >= 10


def test_organisation_kind_filter_keeps_only_agents_of_that_kind(data: net.NetworkData) -> None:
    ministries = {i for i, o in ORGANISATIONS.items() if o.get("kind") == "ministry"}
    graph = graph_of(data, "co-commitment", organisation_kind=f"{ID_IRI}kind/ministry")
    assert {n.removeprefix(ORG) for n in graph.nodes} <= ministries
    among = [c for c in COMMITMENTS if set(participants(c)) & ministries]
    expected = Counter(
        {
            pair: count
            for pair, count in shared_commitments(among).items()
            if {p.removeprefix(ORG) for p in pair} <= ministries
        }
    )
    assert expected
    assert edge_weights(graph) == expected


def test_action_line_filter_drops_relations_without_an_action_line(data: net.NetworkData) -> None:
    graph = graph_of(data, "organisation-programme", action_line=f"{ID_IRI}concept/kiezen")
    words = net.RELATION_WORDS["nl"]
    assert graph.number_of_edges() > 0
    for _, _, relations in graph.edges(data="relations"):
        assert words["takes-part"] in relations


def test_a_period_ending_before_it_starts_names_the_to_parameter() -> None:
    with pytest.raises(net.NetworkError) as raised:
        net.NetworkFilter(period_from=date(2015, 1, 1), period_to=date(2014, 1, 1))
    assert raised.value.parameter == "to"


def test_filter_values_resolve_from_slug_or_iri(data: net.NetworkData) -> None:
    assert data.resolve("landsdeel", "oost") == f"{ORG}oost"
    assert data.resolve("landsdeel", f"{ORG}oost") == f"{ORG}oost"
    with pytest.raises(net.NetworkError) as raised:
        data.resolve("landsdeel", "vhto")  # an organisation, not a landsdeel
    assert raised.value.parameter == "landsdeel"


# ------------------------------------------------------------------ metrics, limits, labels


def test_metrics_match_networkx_and_are_reproducible(data: net.NetworkData) -> None:
    first = net.data_view(data, "all", colour_by="community")
    second = net.data_view(data, "all", colour_by="community")
    graph = first.graph
    reference = nx.betweenness_centrality(graph)
    for node, attributes in graph.nodes(data=True):
        assert attributes["degree"] == graph.degree(node)
        assert attributes["betweenness"] == pytest.approx(reference[node], abs=1e-6)
    assert first.metrics.betweenness == "exact"
    assert first.metrics.communities > 1
    assert dict(graph.nodes(data="community")) == dict(second.graph.nodes(data="community"))
    assert len({colour for _, colour in graph.nodes(data="color")}) == min(
        first.metrics.communities, len(net.PALETTE)
    )


def test_size_follows_the_chosen_metric(data: net.NetworkData) -> None:
    for size_by in net.SIZE_CHOICES:
        graph = net.data_view(data, "co-commitment", size_by=size_by).graph
        ranked = sorted(graph.nodes(data=True), key=lambda item: item[1][size_by])
        sizes = [attributes["size"] for _, attributes in ranked]
        assert sizes == sorted(sizes)
        assert sizes[0] < sizes[-1]


def test_kind_colours_are_stable_and_the_legend_counts_nodes(data: net.NetworkData) -> None:
    view = net.data_view(data, "organisation-landsdeel")
    by_key = {e.key: e for e in view.legend}
    assert by_key["landsdeel"].count == 5
    assert by_key["landsdeel"].colour == net.KIND_COLOURS["landsdeel"]
    assert sum(e.count for e in view.legend) == view.graph.number_of_nodes()
    other = net.data_view(data, "co-commitment")
    shared = {e.key for e in other.legend} & set(by_key)
    assert shared
    for key in shared:
        assert {e.key: e.colour for e in other.legend}[key] == by_key[key].colour


def test_labels_follow_the_language(data: net.NetworkData) -> None:
    ocw = ORGANISATIONS["ocw"]
    dutch = net.data_view(data, "co-commitment", language="nl").graph.nodes[f"{ORG}ocw"]
    english = net.data_view(data, "co-commitment", language="en").graph.nodes[f"{ORG}ocw"]
    assert dutch["label"] == ocw["label"]
    assert english["label"] == ocw["label_en"]


def test_sampled_betweenness_above_the_exact_limit() -> None:
    graph = net.synthetic_graph(net.EXACT_BETWEENNESS_LIMIT + 100)
    metrics = net.add_metrics(graph)
    assert metrics.betweenness == f"sampled (k={net.BETWEENNESS_SAMPLE})"
    hub = max(graph.degree(), key=lambda item: item[1])[0]
    assert graph.nodes[hub]["betweenness"] == max(b for _, b in graph.nodes(data="betweenness"))


def test_limit_keeps_the_best_connected_nodes_and_reports_the_cut() -> None:
    graph = net.synthetic_graph(2000)
    shown, cut = net.limit_graph(graph, 300)
    assert shown.number_of_nodes() == cut.nodes_shown == 300
    assert cut.nodes_total == 2000
    assert cut.nodes_cut == 1700
    assert cut.by_kind == {"organisation": 1700}
    dropped = set(graph.nodes) - set(shown.nodes)
    assert min(graph.degree(n) for n in shown.nodes) >= max(graph.degree(n) for n in dropped)
    assert cut.edges_shown == shown.number_of_edges() < graph.number_of_edges()


def test_a_limited_two_mode_view_keeps_hubs_with_their_leaves(data: net.NetworkData) -> None:
    """Organisations and commitments under a limit: the best-connected organisations and the
    commitments they share, every node with an edge (a plain degree cut keeps only hubs)."""
    full = net.data_view(data, "organisation-commitment", limit=None).graph
    view = net.data_view(data, "organisation-commitment", limit=20)
    shown = view.graph
    assert shown.number_of_nodes() == 20
    assert not [n for n in shown if shown.degree(n) == 0]
    kinds = Counter(kind for _, kind in shown.nodes(data="kind"))
    assert kinds["commitment"] == 20 - 20 // net.HUB_SHARE
    hubs = [n for n, kind in shown.nodes(data="kind") if kind != "commitment"]
    best = sorted(
        (n for n, kind in full.nodes(data="kind") if kind != "commitment"),
        key=lambda n: (-full.degree(n), n),
    )
    assert sorted(hubs) == sorted(best[: len(hubs)])
    assert view.cut.edges_shown == shown.number_of_edges() > 0


def test_limit_keeps_the_centre_of_an_ego_network() -> None:
    graph = net.synthetic_graph(500)
    leaf = min(graph.nodes, key=lambda n: (graph.degree(n), n))
    view = net.build_view(graph, projection="synthetic", colours={}, limit=10, center=leaf)
    assert leaf in view.graph
    assert view.graph.number_of_nodes() == 10


# ------------------------------------------------------------------ formats


def test_graphml_parses_back_with_the_same_nodes_edges_and_attributes(
    data: net.NetworkData,
) -> None:
    view = net.data_view(data, "organisation-programme")
    parsed = nx.read_graphml(io.BytesIO(net.to_graphml(view)))
    assert set(parsed.nodes) == set(view.graph.nodes)
    assert {frozenset(e) for e in parsed.edges} == {frozenset(e) for e in view.graph.edges}
    for node, attributes in view.graph.nodes(data=True):
        assert parsed.nodes[node]["label"] == attributes["label"]
        assert parsed.nodes[node]["degree"] == attributes["degree"]
        assert parsed.nodes[node]["betweenness"] == pytest.approx(attributes["betweenness"])
    for a, b, weight in view.graph.edges(data="weight"):
        assert parsed.edges[a, b]["weight"] == weight
    assert parsed.graph["projection"] == "organisation-programme"
    assert parsed.graph["nodes"] == view.graph.number_of_nodes()


def test_gexf_parses_back_with_labels_weights_and_colours(data: net.NetworkData) -> None:
    view = net.data_view(
        data, "co-commitment", network_filter=net.NetworkFilter(landsdeel=f"{ORG}zuidoost")
    )
    parsed = nx.read_gexf(io.BytesIO(net.to_gexf(view)))
    assert set(parsed.nodes) == set(view.graph.nodes)
    assert parsed.number_of_nodes() > 1
    for node, attributes in view.graph.nodes(data=True):
        assert parsed.nodes[node]["label"] == attributes["label"]
        colour = parsed.nodes[node]["viz"]["color"]
        assert (
            "#{:02x}{:02x}{:02x}".format(colour["r"], colour["g"], colour["b"])
            == (attributes["color"])
        )
    for a, b, weight in view.graph.edges(data="weight"):
        assert parsed.edges[a, b]["weight"] == weight


def test_json_has_nodes_links_and_graph_metrics(data: net.NetworkData) -> None:
    view = net.data_view(data, "co-commitment")
    document = json.loads(json.dumps(net.to_json(view)))
    assert {n["id"] for n in document["nodes"]} == set(view.graph.nodes)
    for node in document["nodes"]:
        assert {"id", "label", "kind", "degree", "betweenness", "community"} <= set(node)
    weights = Counter(
        {frozenset({link["source"], link["target"]}): link["weight"] for link in document["links"]}
    )
    assert weights == shared_commitments(COMMITMENTS)
    assert document["graph"]["nodes"] == len(document["nodes"])
    assert document["graph"]["edges"] == len(document["links"])
    assert document["graph"]["cut"]["nodes_cut"] == 0


# ------------------------------------------------------------------ HTML, offline


class References(HTMLParser):
    """Every URL a page would load: script/img/iframe src, link href, CSS url() and @import."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and values.get(
            "src"
        ):
            self.loads.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.loads.append(values["href"] or "")
        if values.get("style"):
            self.styles.append(values["style"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def css_loads(self) -> list[str]:
        found = []
        for css in self.styles:
            found += re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
            found += re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\");]+)", css)
        return found


def remote(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://", "//", "ftp://"))


def assert_offline(page: str, *, data_only: bool = True) -> None:
    """Nothing the page loads is remote; with ``data_only``, every absolute URL is our data."""
    references = References()
    references.feed(page)
    loads = references.loads + references.css_loads()
    assert loads, "the page loads its scripts from somewhere"
    assert [u for u in loads if remote(u)] == []
    if data_only:
        for url in re.findall(r"(?:https?:)?//[^\s\"'<>)]+", page):
            assert url.startswith("https://w3id.org/pactgraph/"), url


def test_explorer_and_views_load_nothing_remote(client: TestClient) -> None:
    html = {"accept": "text/html"}
    for url in (
        "/network",
        "/network?projection=all&colour=community",
        "/network/organisation-landsdeel?format=html",
        f"/network/ego?entity={VHTO}&depth=2&format=html",
    ):
        response = client.get(url, headers=html)
        assert response.status_code == 200, url
        assert_offline(response.text)
        assert '<script src="/static/vendor/vis-network/vis-network.min.js">' in response.text


def test_standalone_html_inlines_its_scripts_and_loads_nothing(client: TestClient) -> None:
    response = client.get("/network/co-commitment?format=html&standalone=true")
    assert response.status_code == 200
    page = response.text
    assert_offline(page.replace("<script src", "<!-- none -->"), data_only=False)
    references = References()
    references.feed(page)
    assert [u for u in references.loads if not u.startswith("data:")] == []
    assert "stabilizationIterationsDone" in page  # the page script is inlined too
    vendored = api_network.inline_assets()["vis"]
    outside = page.replace(vendored, "")
    for url in re.findall(r"(?:https?:)?//[^\s\"'<>)]+", outside):
        assert url.startswith("https://w3id.org/pactgraph/"), url


def test_vendored_vis_network_and_page_script_fetch_nothing() -> None:
    static = files("pactgraph.api") / "static"
    vis = (static / "vendor" / "vis-network" / "vis-network.min.js").read_text("utf-8")
    script = (static / "network.js").read_text("utf-8")
    for text in (vis, script):
        assert re.findall(r"url\(\s*['\"]?(?!data:)[a-z]+://", text) == []
        assert "@import" not in text
        assert re.findall(r"\b(fetch|XMLHttpRequest|importScripts)\s*\(", text) == []
    assert "http" not in script


def test_page_script_stops_physics_after_stabilising_and_signals() -> None:
    script = (files("pactgraph.api") / "static" / "network.js").read_text("utf-8")
    stabilised = script.index('network.once("stabilizationIterationsDone"')
    stop = script.index("network.setOptions({ physics: { enabled: false } })")
    signal = script.index("document.body.dataset.nodesDrawn")
    assert stabilised < stop
    assert "drawn();" in script[stop:]
    assert signal > 0


def _payload(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="network-data">(.*?)</script>', page, re.S
    )
    assert found
    payload: dict[str, Any] = json.loads(found.group(1))
    return payload


def test_tooltips_are_plain_text_and_labels_escaped(client: TestClient) -> None:
    page = client.get("/network/all?format=html&lang=en").text
    payload = _payload(page)
    node = next(n for n in payload["nodes"] if n["id"] == VHTO)
    assert node["title"].split("\n")[:2] == ["VHTO", "expertise centre or platform"]
    degree = sum("vhto" in participants(c) for c in COMMITMENTS) + sum(
        "vhto" in p.get("run_by", []) for p in RECORDS["programmes"]
    )
    assert f"degree: {degree}\n" in node["title"]
    assert node["href"] == "/id/organisation/vhto"
    for item in payload["nodes"]:
        assert "<" not in item["title"]
    assert "</script" not in page.split('id="network-data">', 1)[1].split("</script>", 1)[0]


def test_a_synthetic_2000_node_graph_renders_with_stabilisation_settings() -> None:
    graph = net.synthetic_graph(2000)
    view = net.build_view(
        graph,
        projection="synthetic",
        colours=net.kind_colours(net.organisation_kinds_of(graph)),
        limit=None,
        language="en",
    )
    context = api_network.page_context(view, "en")
    page = environment.get_template("network_view.html").render(
        lang="en", inline=None, center_label=None, **context
    )
    assert_offline(page.replace("https://example.org/", "https://w3id.org/pactgraph/"))
    payload = _payload(page)
    assert len(payload["nodes"]) == 2000
    assert len(payload["edges"]) == graph.number_of_edges()
    options = payload["options"]
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"]["enabled"] is True
    assert 0 < options["physics"]["stabilization"]["iterations"] <= 1000
    assert options["layout"]["improvedLayout"] is False  # too slow past a few hundred nodes
    assert options["edges"]["smooth"] is False
    assert view.metrics.betweenness.startswith("sampled")


def test_small_views_keep_the_improved_layout() -> None:
    assert net.vis_options(40)["layout"]["improvedLayout"] is True
    assert net.vis_options(40)["physics"]["stabilization"]["enabled"] is True


# ------------------------------------------------------------------ the HTTP API


def test_projection_formats_by_parameter_and_accept(client: TestClient) -> None:
    assert client.get("/network/co-commitment").headers["content-type"] == "application/json"
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert (
        client.get("/network/co-commitment", headers=browser)
        .headers["content-type"]
        .startswith("text/html")
    )
    graphml = client.get("/network/co-commitment?format=graphml")
    assert graphml.headers["content-type"] == "application/graphml+xml"
    assert "attachment" in graphml.headers["content-disposition"]
    assert nx.read_graphml(io.BytesIO(graphml.content)).number_of_nodes() > 0
    gexf = client.get("/network/co-commitment", headers={"accept": "application/gexf+xml"})
    assert gexf.headers["content-type"] == "application/gexf+xml"
    assert nx.read_gexf(io.BytesIO(gexf.content)).number_of_nodes() > 0


def test_filters_by_slug_and_by_iri_give_the_same_network(client: TestClient) -> None:
    by_slug = client.get("/network/co-commitment?action_line=kiezen").json()
    by_iri = client.get(
        "/network/co-commitment", params={"action_line": f"{ID_IRI}concept/kiezen"}
    ).json()
    assert by_slug["nodes"] == by_iri["nodes"]
    kiezen = [c for c in COMMITMENTS if c.get("action_line") == "kiezen"]
    assert {n["id"] for n in by_slug["nodes"]} == {
        kind_iri_of(p) for c in kiezen for p in participants(c)
    }
    assert by_slug["graph"]["filters"] == {"action_line": f"{ID_IRI}concept/kiezen"}


def test_ego_route_returns_vhto_and_its_neighbourhood(client: TestClient) -> None:
    response = client.get("/network/ego", params={"entity": VHTO, "depth": "2"})
    assert response.status_code == 200
    document = response.json()
    ids = {n["id"] for n in document["nodes"]}
    assert VHTO in ids
    assert f"{PROGRAMME}kijk-op-keuzegedrag" in ids
    assert document["graph"]["center"] == VHTO
    assert document["graph"]["depth"] == 2
    co = client.get(
        "/network/ego", params={"entity": f"{ORG}ocw", "projection": "co-commitment"}
    ).json()
    assert {n["id"] for n in co["nodes"]} - {f"{ORG}ocw"} == co_committers("ocw")


def test_limit_is_reported_in_the_json(client: TestClient) -> None:
    document = client.get("/network/all?limit=20").json()
    assert len(document["nodes"]) == 20
    cut = document["graph"]["cut"]
    assert cut["nodes_shown"] == 20
    assert cut["nodes_total"] == cut["nodes_shown"] + cut["nodes_cut"] > 20
    assert sum(cut["cut_by_kind"].values()) == cut["nodes_cut"]


BAD_REQUESTS = [
    (f"/network/ego?entity={VHTO}&depth=0", 400, "depth"),
    (f"/network/ego?entity={VHTO}&depth=4", 400, "depth"),
    (f"/network/ego?entity={VHTO}&depth=two", 400, "depth"),
    ("/network/ego?entity=not%20an%20iri", 400, "entity"),
    ("/network/ego?entity=%3Cscript%3E", 400, "entity"),
    ("/network/ego", 400, "entity"),
    (f"/network/ego?entity={VHTO}&projection=nope", 400, "projection"),
    ("/network/co-commitment?landsdeel=atlantis", 400, "landsdeel"),
    ("/network/co-commitment?action_line=fly", 400, "action_line"),
    ("/network/co-commitment?programme=vhto", 400, "programme"),
    ("/network/co-commitment?organisation_kind=pirates", 400, "organisation_kind"),
    ("/network/co-commitment?from=2014-13-01", 400, "from"),
    ("/network/co-commitment?to=yesterday", 400, "to"),
    ("/network/co-commitment?from=2015-01-01&to=2014-01-01", 400, "to"),
    ("/network/co-commitment?limit=0", 400, "limit"),
    ("/network/co-commitment?limit=1e9", 400, "limit"),
    ("/network/co-commitment?size=colour", 400, "size"),
    ("/network/co-commitment?colour=red", 400, "colour"),
    ("/network/co-commitment?format=pdf", 400, "format"),
]


@pytest.mark.parametrize(("url", "status", "parameter"), BAD_REQUESTS)
def test_bad_parameters_are_named_in_a_400(
    client: TestClient, url: str, status: int, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert f"parameter '{parameter}'" in response.json()["detail"]
    assert response.json()["parameter"] == parameter


def test_unknown_projection_is_404(client: TestClient) -> None:
    response = client.get("/network/who-knows")
    assert response.status_code == 404
    assert "co-commitment" in response.json()["detail"]


def test_unknown_entity_is_404_and_says_whether_the_graph_has_it(client: TestClient) -> None:
    missing = client.get("/network/ego", params={"entity": f"{ORG}does-not-exist"})
    assert missing.status_code == 404
    assert "is not in the graph" in missing.json()["detail"]
    letter = f"{ID_IRI}document/tk-32637-75"
    elsewhere = client.get("/network/ego", params={"entity": letter})
    assert elsewhere.status_code == 404
    assert "is in the graph" in elsewhere.json()["detail"]
    filtered = client.get("/network/ego", params={"entity": VHTO, "landsdeel": "noord"})
    assert filtered.status_code == 404  # VHTO has no commitment in Noord
    assert "with these filters" in filtered.json()["detail"]


def test_unacceptable_accept_header_is_406(client: TestClient) -> None:
    response = client.get("/network/co-commitment", headers={"accept": "image/png"})
    assert response.status_code == 406


def test_explorer_shows_errors_in_the_page(client: TestClient) -> None:
    html = {"accept": "text/html"}
    bad = client.get("/network?landsdeel=atlantis", headers=html)
    assert bad.status_code == 400
    assert "parameter &#39;landsdeel&#39;" in bad.text or "parameter 'landsdeel'" in bad.text
    assert 'id="network-error"' in bad.text
    unknown = client.get("/network", params={"entity": f"{ORG}nobody"}, headers=html)
    assert unknown.status_code == 404
    assert 'id="network-error"' in unknown.text
    escaped = client.get("/network", params={"entity": "<b>x</b>"}, headers=html)
    assert escaped.status_code == 400
    assert "<b>x</b>" not in escaped.text


def test_explorer_renders_the_chosen_view_with_presets_and_downloads(client: TestClient) -> None:
    html = {"accept": "text/html"}
    page = client.get("/network?projection=organisation-landsdeel&lang=en", headers=html)
    assert page.status_code == 200
    payload = _payload(page.text)
    ids = {n["id"] for n in payload["nodes"]}
    assert {f"{ORG}{landsdeel}" for landsdeel in LANDSDELEN} <= ids
    assert 'href="/network/organisation-landsdeel?format=graphml"' in page.text
    assert "/network?projection=co-commitment" in page.text  # a preset
    assert 'id="network-search"' in page.text
    assert 'id="network-legend"' in page.text


def test_explorer_without_html_lists_the_projections(client: TestClient) -> None:
    document = client.get("/network").json()
    assert set(document["projections"]) == set(net.PROJECTIONS)
    for preset in document["presets"]:
        assert client.get(preset["href"], headers={"accept": "text/html"}).status_code == 200


# ------------------------------------------------------------------ in a real browser


@pytest.fixture(scope="module")
def chromium_page(live_server: str) -> Iterator[Any]:
    with fresh_chromium("pactgraph-network-") as context:
        yield context.new_page()


def test_browser_draws_every_node_stops_physics_and_highlights_a_search(
    live_server: str, chromium_page: Any
) -> None:
    page = chromium_page
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.goto(f"{live_server}/network/all?format=html&lang=en")
    page.wait_for_function("() => document.body.dataset.nodesDrawn !== undefined", timeout=60_000)
    expected = len(_payload(page.content())["nodes"])
    assert int(page.evaluate("() => document.body.dataset.nodesDrawn")) == expected
    assert page.evaluate("() => window.pactgraphNetwork.physics.options.enabled") is False
    page.fill("#network-search", "vhto")
    page.press("#network-search", "Enter")
    page.wait_for_function("() => document.body.dataset.searchMatches !== undefined")
    selected = page.evaluate("() => window.pactgraphNetwork.getSelectedNodes()")
    assert VHTO in selected
    assert int(page.evaluate("() => document.body.dataset.searchMatches")) == len(selected)
    assert hosts == {live_server.split("/")[2]}
