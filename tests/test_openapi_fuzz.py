"""Schemathesis against the app's own OpenAPI document, in process, on the bundled graph.

Every operation gets a bounded number of generated requests (derandomised: the same requests
on every run). Each answer must not be a server error, must have a status the document
declares for the operation, a declared content type, and a body and headers that match the
declared schemas. The edit routes are called with a valid token, on a throwaway copy of the
graph, so their checks run too.

Left out on purpose: Schemathesis' positive/negative data checks, which expect the schema to
describe validation exactly. The routes check more than a schema can say (an IRI path's
characters, a date that exists, a quote in its letter) and answer such requests with a
declared 400 that names the parameter.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pactgraph.api.app import create_app
from pactgraph.api.edits import EditTokens
from pactgraph.graph.store import OxigraphStore
from schemathesis import checks

TOKEN = "fuzzer-" + "f" * 24
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = 25

# The document does not depend on the data: it is read from an app over an empty store.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(OxigraphStore(None)))


@pytest.fixture(scope="module")
def fuzzed_app(built_store: OxigraphStore) -> Iterator[FastAPI]:
    """The bundled graph in a throwaway copy, taking edits from one token, 2 s per query."""
    store = OxigraphStore(None)
    store.replace_all(built_store.dump())
    tokens = EditTokens.parse(f"fuzzer:{TOKEN}\n", "test")
    app = create_app(store, edit_tokens=tokens, query_timeout=2.0)
    with TestClient(app):  # runs the lifespan: query workers up front, ended afterwards
        yield app


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_declared_and_none_is_a_server_error(
    case: schemathesis.Case, fuzzed_app: FastAPI
) -> None:
    case.call_and_validate(
        app=fuzzed_app, headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS
    )
