"""Routes: network views — the explorer page, projections in four formats, ego networks.

Thin over :mod:`pactgraph.graph.network`: this module parses and checks request parameters
(every bad value is a 400 naming the parameter), negotiates the format, caches views per app
(the served graph only changes by a rebuild, which restarts the server) and renders pages.
The pages load nothing from elsewhere: vis-network is served from ``/static/vendor`` or, for a
standalone download, inlined.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pactgraph.api.conneg import negotiate, prefers_html
from pactgraph.api.deps import Language, get_store, ui_language
from pactgraph.api.links import local_href, trace_href
from pactgraph.api.templating import render
from pactgraph.graph import network as net
from pactgraph.graph.labels import fallback_label
from pactgraph.graph.store import GraphStore

router = APIRouter(tags=["network"])
T = TypeVar("T", bound=str)

FORMATS: dict[str, str] = {
    "json": "application/json",
    "html": "text/html",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
"""Formats by name, in the order content negotiation prefers them (JSON is the default)."""
CACHE_SIZE = 32
MAX_IRI_LENGTH = 2000
DEFAULT_PROJECTION = "co-commitment"
EGO_PROJECTION = "all"

WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "title": "Netwerk",
        "projection": "Weergave",
        "entity": "Ego-netwerk van",
        "entity_hint": "IRI van een organisatie, programma, landsdeel, toezegging of persoon",
        "depth": "Stappen",
        "filters": "Filters",
        "any": "alle",
        "action_line": "Actielijn of thema",
        "landsdeel": "Landsdeel",
        "programme": "Programma",
        "organisation_kind": "Soort organisatie",
        "from": "Termijn vanaf",
        "to": "Termijn tot en met",
        "size": "Grootte naar",
        "colour": "Kleur naar",
        "limit": "Hoogstens knopen",
        "show": "Toon",
        "degree": "verbindingen",
        "betweenness": "tussenpositie",
        "kind": "soort",
        "community": "gemeenschap",
        "search": "Zoek in het netwerk",
        "search_placeholder": "naam…",
        "matches": "gevonden",
        "legend": "Legenda",
        "nodes": "knopen",
        "edges": "verbindingen",
        "communities": "gemeenschappen",
        "components": "losse delen",
        "cut": "Te groot om alles te tonen: de {shown} knopen met de meeste verbindingen staan "
        "er, {cut} zijn weggelaten ({kinds}).",
        "download": "Download",
        "standalone": "losse HTML",
        "presets": "Voorbeelden",
        "preset_people": "Wie werkt met wie",
        "preset_programmes": "Organisaties en programma's",
        "preset_landsdelen": "De vijf landsdelen",
        "preset_kiezen": "Toezeggingen over kiezen voor techniek",
        "preset_2014": "Toezeggingen met termijn in 2014",
        "preset_ego": "Rond {label}",
        "hint": "Dubbelklik op een knoop om zijn pagina te openen; sleep om te schuiven, "
        "scroll om te zoomen.",
        "error": "Deze weergave kan niet worden gemaakt",
    },
    "en": {
        "title": "Network",
        "projection": "View",
        "entity": "Ego network of",
        "entity_hint": "IRI of an organisation, programme, landsdeel, commitment or person",
        "depth": "Steps",
        "filters": "Filters",
        "any": "any",
        "action_line": "Action line or theme",
        "landsdeel": "Landsdeel",
        "programme": "Programme",
        "organisation_kind": "Kind of organisation",
        "from": "Due from",
        "to": "Due until",
        "size": "Size by",
        "colour": "Colour by",
        "limit": "At most nodes",
        "show": "Show",
        "degree": "degree",
        "betweenness": "betweenness",
        "kind": "kind",
        "community": "community",
        "search": "Search the network",
        "search_placeholder": "name…",
        "matches": "found",
        "legend": "Legend",
        "nodes": "nodes",
        "edges": "edges",
        "communities": "communities",
        "components": "components",
        "cut": "Too large to show everything: the {shown} best-connected nodes are shown, "
        "{cut} were left out ({kinds}).",
        "download": "Download",
        "standalone": "standalone HTML",
        "presets": "Examples",
        "preset_people": "Who works with whom",
        "preset_programmes": "Organisations and programmes",
        "preset_landsdelen": "The five landsdelen",
        "preset_kiezen": "Commitments on choosing technology",
        "preset_2014": "Commitments due in 2014",
        "preset_ego": "Around {label}",
        "hint": "Double-click a node to open its page; drag to pan, scroll to zoom.",
        "error": "This view cannot be made",
    },
}


# ------------------------------------------------------------------ parameters


@dataclass(frozen=True)
class ViewRequest:
    """A checked request for a view; hashable, so it keys the view cache."""

    projection: str
    network_filter: net.NetworkFilter
    size_by: net.SizeBy = "degree"
    colour_by: net.ColourBy = "kind"
    limit: int = net.DEFAULT_LIMIT
    language: Language = "nl"
    center: str | None = None
    depth: int | None = None

    def query(self, **extra: str) -> str:
        """The query string that asks for this view again (for links and downloads)."""
        flt = self.network_filter
        params: dict[str, str] = {}
        if self.center is not None:
            params["entity"] = self.center
            params["depth"] = str(self.depth or 1)
        for name, iri in (
            ("action_line", flt.action_line),
            ("landsdeel", flt.landsdeel),
            ("programme", flt.programme),
            ("organisation_kind", flt.organisation_kind),
        ):
            if iri:
                params[name] = fallback_label(iri)
        if flt.period_from:
            params["from"] = flt.period_from.isoformat()
        if flt.period_to:
            params["to"] = flt.period_to.isoformat()
        if self.size_by != "degree":
            params["size"] = self.size_by
        if self.colour_by != "kind":
            params["colour"] = self.colour_by
        if self.limit != net.DEFAULT_LIMIT:
            params["limit"] = str(self.limit)
        params.update(extra)
        return urlencode(params)


def _choice(parameter: str, value: str | None, choices: tuple[T, ...], default: T) -> T:
    if value is None or value == "":
        return default
    for choice in choices:
        if value == choice:
            return choice
    raise net.NetworkError(parameter, f"expected one of {', '.join(choices)}, got {value!r}")


def _whole_number(parameter: str, value: str | None, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        msg = f"expected a whole number from {low} to {high}, got {value!r}"
        raise net.NetworkError(parameter, msg)
    return number


def _date(parameter: str, value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = f"expected a date as YYYY-MM-DD, got {value!r}"
        raise net.NetworkError(parameter, msg) from None


def _entity(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > MAX_IRI_LENGTH or not net.is_iri(value):
        shown = value if len(value) <= 80 else value[:77] + "..."
        msg = (
            "expected an absolute IRI such as "
            f"https://w3id.org/pactgraph/id/organisation/vhto, got {shown!r}"
        )
        raise net.NetworkError("entity", msg)
    return value


def parse_view_request(
    data: net.NetworkData,
    *,
    projection: str,
    language: Language,
    params: Mapping[str, str | None],
) -> ViewRequest:
    """Check every parameter; :class:`NetworkError` names the first that is wrong."""
    filters: dict[str, str | None] = {}
    for name in ("action_line", "landsdeel", "programme", "organisation_kind"):
        value = params.get(name)
        filters[name] = data.resolve(name, value) if value else None
    network_filter = net.NetworkFilter(
        **filters,
        period_from=_date("from", params.get("from")),
        period_to=_date("to", params.get("to")),
    )
    center = _entity(params.get("entity"))
    depth = _whole_number("depth", params.get("depth"), 1, 3)
    return ViewRequest(
        projection=projection,
        network_filter=network_filter,
        size_by=_choice("size", params.get("size"), net.SIZE_CHOICES, "degree"),
        colour_by=_choice("colour", params.get("colour"), net.COLOUR_CHOICES, "kind"),
        limit=_whole_number("limit", params.get("limit"), 1, net.MAX_LIMIT) or net.DEFAULT_LIMIT,
        language=language,
        center=center,
        depth=(depth or 1) if center else None,
    )


def bad_request(error: net.NetworkError) -> JSONResponse:
    """A 400 that names the parameter, in the shape FastAPI's own errors use for ``detail``."""
    return JSONResponse({"detail": str(error), "parameter": error.parameter}, status_code=400)


# ------------------------------------------------------------------ data and views (cached)

_lock = threading.Lock()


def network_data(request: Request, store: GraphStore) -> net.NetworkData:
    """The network snapshot of the served store, read on first use and kept for the app's life."""
    data: net.NetworkData | None = getattr(request.app.state, "network_data", None)
    if data is None:
        data = net.NetworkData.read(store)
        request.app.state.network_data = data
    return data


def cached_view(request: Request, data: net.NetworkData, wanted: ViewRequest) -> net.NetworkView:
    """The view for a request, from the app's small LRU cache or freshly built."""
    with _lock:
        cache: OrderedDict[ViewRequest, net.NetworkView] | None = getattr(
            request.app.state, "network_views", None
        )
        if cache is None:
            cache = OrderedDict()
            request.app.state.network_views = cache
        if wanted in cache:
            cache.move_to_end(wanted)
            return cache[wanted]
    view = net.data_view(
        data,
        wanted.projection,
        network_filter=wanted.network_filter,
        size_by=wanted.size_by,
        colour_by=wanted.colour_by,
        limit=wanted.limit,
        language=wanted.language,
        center=wanted.center,
        depth=wanted.depth,
    )
    with _lock:
        cache[wanted] = view
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return view


def unknown_entity(store: GraphStore, wanted: ViewRequest) -> str:
    """Why an ego network has no centre: the IRI is unknown, or absent from this projection."""
    types = net.entity_types(store, wanted.center) if wanted.center else []
    if not types:
        return f"parameter 'entity': {wanted.center} is not in the graph"
    return (
        f"parameter 'entity': {wanted.center} is in the graph ({', '.join(types)}) but not "
        f"in the {wanted.projection} network with these filters"
    )


def node_href(iri: str) -> str | None:
    """Where a node's page is on this site (a commitment's trace, else its entity page)."""
    href = trace_href(iri) or local_href(iri)
    return href if href.startswith("/") else None


# ------------------------------------------------------------------ formats


def choose_format(request: Request, format_name: str | None) -> str:
    """``format=`` if given, else the client's ``Accept`` (JSON when it does not care)."""
    if format_name:
        return _choice("format", format_name, tuple(FORMATS), "json")
    accepted = negotiate(request.headers.get("accept"), list(FORMATS.values()))
    if accepted is None:
        raise NotAcceptableError
    return next(name for name, media in FORMATS.items() if media == accepted)


class NotAcceptableError(Exception):
    """The client's ``Accept`` header allows none of the formats (and no ``format=`` given)."""


def not_acceptable() -> JSONResponse:
    detail = (
        f"the Accept header allows none of {', '.join(FORMATS.values())}; "
        f"or ask with format={'|'.join(FORMATS)}"
    )
    return JSONResponse({"detail": detail}, status_code=406)


def projection_title(name: str, language: Language) -> str:
    """The title of a projection in the language, or its name if it is not one of ours."""
    projection = net.PROJECTIONS.get(name)
    return projection.title[language] if projection else name


def page_context(view: net.NetworkView, language: Language) -> dict[str, Any]:
    """What the network templates need: the vis-network payload, legend, totals, words."""
    payload = net.pyvis_payload(net.to_pyvis(view, href=node_href))
    words = WORDS[language]
    cut_note = None
    if view.cut.nodes_cut:
        kinds = ", ".join(f"{count} {kind}" for kind, count in view.cut.by_kind.items())
        cut = view.cut
        cut_note = words["cut"].format(shown=cut.nodes_shown, cut=cut.nodes_cut, kinds=kinds)
    return {
        "payload": payload,
        "legend": view.legend,
        "metrics": view.metrics,
        "cut_note": cut_note,
        "words": words,
        "projection_title": projection_title(view.projection, language),
    }


def inline_assets() -> dict[str, str]:
    """vis-network and the page script as text, for a page that must work saved to disk."""
    static = files("pactgraph.api") / "static"
    vis = (static / "vendor" / "vis-network" / "vis-network.min.js").read_text("utf-8")
    app = (static / "network.js").read_text("utf-8")
    # A script element ends at the first "</script"; neither file has one, but make sure.
    texts = {"vis": vis, "app": app}
    return {name: text.replace("</script", "<\\/script") for name, text in texts.items()}


def respond(
    request: Request, view: net.NetworkView, format_name: str, *, standalone: bool
) -> Response:
    """The view in the chosen format."""
    headers = {"Vary": "Accept"}
    stem = f"pactgraph-{view.projection}" + ("-ego" if view.center else "")
    if format_name == "json":
        return JSONResponse(net.to_json(view), headers=headers)
    if format_name == "graphml":
        headers["Content-Disposition"] = f'attachment; filename="{stem}.graphml"'
        return Response(net.to_graphml(view), media_type=FORMATS["graphml"], headers=headers)
    if format_name == "gexf":
        headers["Content-Disposition"] = f'attachment; filename="{stem}.gexf"'
        return Response(net.to_gexf(view), media_type=FORMATS["gexf"], headers=headers)
    context = page_context(view, view.language)
    context["inline"] = inline_assets() if standalone else None
    context["center_label"] = (
        view.graph.nodes[view.center]["label"] if view.center in view.graph else None
    )
    response = render(request, "network_view.html", context)
    response.headers["Vary"] = "Accept"
    return response


# ------------------------------------------------------------------ routes

FilterParam = Annotated[
    str | None, Query(description="IRI or id (e.g. `kiezen`, `oost`, `jet-net`, `ministry`)")
]


def _params(**values: str | None) -> dict[str, str | None]:
    return values


@router.get(
    "/network/ego",
    summary="The ego network of any entity: everything within 1–3 steps of it",
    responses={
        400: {"description": "A parameter is malformed or out of range (named in `detail`)"},
        404: {"description": "The entity is not in the graph, or not in this projection"},
    },
)
def ego(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    entity: Annotated[str, Query(description="IRI of the entity at the centre")] = "",
    depth: Annotated[str | None, Query(description="steps from the centre: 1, 2 or 3")] = None,
    projection: Annotated[
        str, Query(description=f"which network to take it from ({', '.join(net.PROJECTIONS)})")
    ] = EGO_PROJECTION,
    action_line: FilterParam = None,
    landsdeel: FilterParam = None,
    programme: FilterParam = None,
    organisation_kind: FilterParam = None,
    period_from: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    period_to: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD")] = None,
    size: Annotated[str | None, Query(description="degree or betweenness")] = None,
    colour: Annotated[str | None, Query(description="kind or community")] = None,
    limit: Annotated[str | None, Query(description="at most this many nodes")] = None,
    requested_format: Annotated[
        str | None, Query(alias="format", description="html, json, graphml or gexf")
    ] = None,
    standalone: Annotated[bool, Query(description="inline the scripts (HTML)")] = False,
) -> Response:
    if projection not in net.PROJECTIONS:
        error = net.NetworkError(
            "projection", f"expected one of {', '.join(net.PROJECTIONS)}, got {projection!r}"
        )
        return bad_request(error)
    if not entity:
        return bad_request(net.NetworkError("entity", "required: the IRI of the centre"))
    data = network_data(request, store)
    try:
        wanted = parse_view_request(
            data,
            projection=projection,
            language=ui_language(request),
            params=_params(
                entity=entity,
                depth=depth or "1",
                action_line=action_line,
                landsdeel=landsdeel,
                programme=programme,
                organisation_kind=organisation_kind,
                size=size,
                colour=colour,
                limit=limit,
                **{"from": period_from, "to": period_to},
            ),
        )
        chosen_format = choose_format(request, requested_format)
    except net.NetworkError as error:
        return bad_request(error)
    except NotAcceptableError:
        return not_acceptable()
    try:
        view = cached_view(request, data, wanted)
    except net.UnknownEntityError:
        detail = unknown_entity(store, wanted)
        return JSONResponse({"detail": detail, "parameter": "entity"}, status_code=404)
    return respond(request, view, chosen_format, standalone=standalone)


@router.get(
    "/network/{projection}",
    summary="A network projection as HTML (vis-network), JSON, GraphML or GEXF",
    responses={
        400: {"description": "A parameter is malformed or out of range (named in `detail`)"},
        404: {"description": "No such projection"},
    },
)
def projection_view(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    projection: str,
    action_line: FilterParam = None,
    landsdeel: FilterParam = None,
    programme: FilterParam = None,
    organisation_kind: FilterParam = None,
    period_from: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    period_to: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD")] = None,
    size: Annotated[str | None, Query(description="degree or betweenness")] = None,
    colour: Annotated[str | None, Query(description="kind or community")] = None,
    limit: Annotated[str | None, Query(description="at most this many nodes")] = None,
    requested_format: Annotated[
        str | None, Query(alias="format", description="html, json, graphml or gexf")
    ] = None,
    standalone: Annotated[bool, Query(description="inline the scripts (HTML)")] = False,
) -> Response:
    if projection not in net.PROJECTIONS:
        detail = f"no network {projection!r}; there are {', '.join(net.PROJECTIONS)}"
        return JSONResponse({"detail": detail}, status_code=404)
    data = network_data(request, store)
    try:
        wanted = parse_view_request(
            data,
            projection=projection,
            language=ui_language(request),
            params=_params(
                action_line=action_line,
                landsdeel=landsdeel,
                programme=programme,
                organisation_kind=organisation_kind,
                size=size,
                colour=colour,
                limit=limit,
                **{"from": period_from, "to": period_to},
            ),
        )
        chosen_format = choose_format(request, requested_format)
        view = cached_view(request, data, wanted)
    except net.NetworkError as error:
        return bad_request(error)
    except NotAcceptableError:
        return not_acceptable()
    return respond(request, view, chosen_format, standalone=standalone)


# ------------------------------------------------------------------ the explorer page


def presets(data: net.NetworkData, request: Request, language: Language) -> list[dict[str, str]]:
    """A few views worth starting from; the ego preset centres on the best-connected agent."""
    words = WORDS[language]
    found = [
        (words["preset_people"], "projection=co-commitment&colour=community&size=betweenness"),
        (words["preset_programmes"], "projection=organisation-programme"),
        (words["preset_landsdelen"], "projection=organisation-landsdeel"),
    ]
    bipartite = "projection=organisation-commitment"
    if any(fallback_label(iri) == "kiezen" for iri in data.action_lines):
        found.append((words["preset_kiezen"], f"{bipartite}&action_line=kiezen"))
    found.append((words["preset_2014"], f"{bipartite}&from=2014-01-01&to=2014-12-31"))
    people = cached_view(
        request, data, ViewRequest(DEFAULT_PROJECTION, net.NetworkFilter(), language=language)
    )
    if people.graph.number_of_nodes():
        hub = max(people.graph.degree(), key=lambda item: (item[1], item[0]))[0]
        label = str(people.graph.nodes[hub]["label"])
        query = urlencode({"projection": EGO_PROJECTION, "entity": hub, "depth": "2"})
        found.append((words["preset_ego"].format(label=label), query))
    return [{"label": label, "href": f"/network?{query}"} for label, query in found]


def form_options(data: net.NetworkData, language: Language) -> dict[str, list[tuple[str, str]]]:
    """Values for the explorer's selects and entity list: (value, label), sorted by label."""

    def labelled(parameter: str) -> list[tuple[str, str]]:
        pairs = []
        for iri, slug in data.choices(parameter).items():
            entity = data.entities.get(iri)
            label = entity.label(language) if entity else data.concept_label(iri, language)
            pairs.append((slug, label))
        return sorted(pairs, key=lambda pair: pair[1].casefold())

    entities = sorted(
        ((e.iri, e.label(language)) for e in data.entities.values() if e.kind != "commitment"),
        key=lambda pair: pair[1].casefold(),
    )
    return {
        "action_line": labelled("action_line"),
        "landsdeel": labelled("landsdeel"),
        "programme": labelled("programme"),
        "organisation_kind": labelled("organisation_kind"),
        "entities": entities,
    }


@router.get(
    "/network",
    summary="The network explorer: choose a view, filters, size and colour; search the drawing",
)
def explorer(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    projection: Annotated[str, Query(description="which network")] = DEFAULT_PROJECTION,
    entity: Annotated[str | None, Query(description="centre of an ego network (IRI)")] = None,
    depth: Annotated[str | None, Query(description="steps from the centre: 1, 2 or 3")] = None,
    action_line: FilterParam = None,
    landsdeel: FilterParam = None,
    programme: FilterParam = None,
    organisation_kind: FilterParam = None,
    period_from: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    period_to: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD")] = None,
    size: Annotated[str | None, Query(description="degree or betweenness")] = None,
    colour: Annotated[str | None, Query(description="kind or community")] = None,
    limit: Annotated[str | None, Query(description="at most this many nodes")] = None,
) -> Response:
    language = ui_language(request)
    data = network_data(request, store)
    if not prefers_html(request.headers.get("accept")):
        return JSONResponse(
            {
                "projections": {
                    name: {"title": p.title[language], "href": f"/network/{name}"}
                    for name, p in net.PROJECTIONS.items()
                },
                "ego": "/network/ego?entity={IRI}&depth={1-3}",
                "formats": list(FORMATS),
                "presets": presets(data, request, language),
            }
        )
    raw = _params(
        entity=entity,
        depth=depth,
        action_line=action_line,
        landsdeel=landsdeel,
        programme=programme,
        organisation_kind=organisation_kind,
        size=size,
        colour=colour,
        limit=limit,
        **{"from": period_from, "to": period_to},
    )
    context: dict[str, Any] = {
        "words": WORDS[language],
        "projections": {name: p.title[language] for name, p in net.PROJECTIONS.items()},
        "options": form_options(data, language),
        "presets": presets(data, request, language),
        "raw": {**raw, "projection": projection},
        "depths": net.DEPTHS,
        "view": None,
        "error": None,
    }
    try:
        if projection not in net.PROJECTIONS:
            msg = f"expected one of {', '.join(net.PROJECTIONS)}, got {projection!r}"
            raise net.NetworkError("projection", msg)
        wanted = parse_view_request(data, projection=projection, language=language, params=raw)
    except net.NetworkError as error:
        context["error"] = str(error)
        return render(request, "network.html", context, status_code=400)
    try:
        view = cached_view(request, data, wanted)
    except net.UnknownEntityError:
        context["error"] = unknown_entity(store, wanted)
        return render(request, "network.html", context, status_code=404)
    context.update(page_context(view, language))
    context["view"] = view
    context["query"] = wanted.query()
    context["path"] = (
        f"/network/ego?projection={projection}&" if view.center else f"/network/{projection}?"
    )
    context["center_label"] = (
        view.graph.nodes[view.center]["label"] if view.center in view.graph else None
    )
    return render(request, "network.html", context)
