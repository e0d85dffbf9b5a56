"""Jinja2 templates read from the package (``importlib``), autoescaped, with shared globals."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from pactgraph.api.deps import LANGUAGE_COOKIE, ui_language

environment = Environment(
    loader=PackageLoader("pactgraph.api", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

_CODE_SPAN = re.compile(r"`([^`]+)`")


def inline_code(text: str) -> Markup:
    """Text with its Markdown code spans as ``<code>`` elements, everything else escaped.

    Query descriptions are written in the ``.rq`` headers with code spans; a page should show
    them as code, not as backticks.
    """
    escaped = str(escape(text))
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))  # noqa: S704 - escaped above


environment.filters["inline_code"] = inline_code

# Words of the interface itself; data labels come from the graph in the chosen language.
INTERFACE = {
    "nl": {
        "home": "Start",
        "queries": "Vragen",
        "sparql": "SPARQL",
        "network": "Netwerk",
        "search": "Zoeken",
        "commitments": "Toezeggingen",
        "language": "Taal",
    },
    "en": {
        "home": "Home",
        "queries": "Queries",
        "sparql": "SPARQL",
        "network": "Network",
        "search": "Search",
        "commitments": "Commitments",
        "language": "Language",
    },
}


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page from a template; every page knows the request, its language and interface words."""
    language = ui_language(request)
    page = environment.get_template(template).render(
        request=request, lang=language, t=INTERFACE[language], **context
    )
    response = HTMLResponse(page, status_code=status_code)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="lax", max_age=365 * 24 * 3600)
    return response
