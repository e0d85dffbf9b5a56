"""A cache of whole answers to reading requests, for a graph that changes only through this app.

Pages, named queries, traces and network views are pure functions of the graph, the request
(path, query string, ``Accept``, ``Accept-Language``, the language cookie) and, for "overdue"
and "due", today's date. On the embedded store the graph changes only through this process
(a build or restore needs the store to itself, and edits go through ``/sparql/update`` and
``/edits/records``, which clear the cache), so a repeated request can be answered from memory:
that is most of what a busy secretariat's browsers and dashboards ask.

Only complete ``200`` answers without ``Set-Cookie`` are kept, at most :data:`MAX_ENTRY_BYTES`
each and :data:`MAX_TOTAL_BYTES` together, least recently used first out. ``/sparql`` (user
queries, bounded in worker processes) and everything that carries credentials pass through.
Each answer says ``X-Pactgraph-Cache: hit`` or ``miss``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pactgraph.api.deps import LANGUAGE_COOKIE
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE_PREFIXES = ("/queries", "/id/", "/def", "/graph/", "/trace/", "/network", "/search")
MAX_ENTRY_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
HEADER = b"x-pactgraph-cache"
STATE_NAME = "responses"
"""Where the app keeps its cache (``app.state.responses``); edits delete it with the rest of the
derived state."""

Key = tuple[Any, ...]


@dataclass
class Answer:
    """A whole answer: status line headers and body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class Answers:
    """The kept answers, least recently used first."""

    entries: OrderedDict[Key, Answer] = field(default_factory=OrderedDict)
    size: int = 0

    def get(self, key: Key) -> Answer | None:
        answer = self.entries.get(key)
        if answer is not None:
            self.entries.move_to_end(key)
        return answer

    def put(self, key: Key, answer: Answer) -> None:
        if key in self.entries:
            self.size -= len(self.entries.pop(key).body)
        self.entries[key] = answer
        self.size += len(answer.body)
        while self.size > MAX_TOTAL_BYTES and self.entries:
            _, oldest = self.entries.popitem(last=False)
            self.size -= len(oldest.body)


class ResponseCache:
    """ASGI middleware answering repeated reading requests from :class:`Answers`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = cache_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        answers: Answers | None = getattr(state, STATE_NAME, None)
        if answers is None:
            answers = Answers()
            setattr(state, STATE_NAME, answers)
        kept = answers.get(key)
        if kept is not None:
            await send(
                {"type": "http.response.start", "status": 200, "headers": _marked(kept, b"hit")}
            )
            await send({"type": "http.response.body", "body": kept.body})
            return
        await self.app(scope, receive, _Recorder(send, answers, key, state))


class _Recorder:
    """Passes an answer on, marked ``miss``, and keeps it if it is complete, 200 and small."""

    def __init__(self, send: Send, answers: Answers, key: Key, state: Any) -> None:  # noqa: ANN401 - Starlette's State
        self.send = send
        self.answers = answers
        self.key = key
        self.state = state
        self.keep = False
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.size = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            self.keep = message["status"] == 200 and not any(
                name.lower() == b"set-cookie" for name, _ in self.headers
            )
            message = {**message, "headers": [*self.headers, (HEADER, b"miss")]}
        elif message["type"] == "http.response.body" and self.keep:
            body = message.get("body", b"")
            self.size += len(body)
            self.keep = self.size <= MAX_ENTRY_BYTES
            self.chunks.append(body)
            complete = not message.get("more_body", False)
            # kept only if no edit cleared the cache meanwhile (it would be from the old graph)
            current = getattr(self.state, STATE_NAME, None) is self.answers
            if complete and self.keep and current:
                self.answers.put(self.key, Answer(self.headers, b"".join(self.chunks)))
        await self.send(message)


def _marked(answer: Answer, mark: bytes) -> list[tuple[bytes, bytes]]:
    return [*answer.headers, (HEADER, mark)]


def cache_key(scope: Scope) -> Key | None:
    """What an answer to ``scope`` depends on, or ``None`` when it must not be cached."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    path: str = scope["path"]
    if not path.startswith(CACHEABLE_PREFIXES):
        return None
    headers = dict(scope["headers"])
    if b"authorization" in headers:
        return None
    return (
        scope["method"],
        path,
        scope.get("query_string", b""),
        headers.get(b"accept", b""),
        headers.get(b"accept-language", b""),
        _language_cookie(headers.get(b"cookie", b"")),
        date.today(),  # "overdue" and "due" are judged against today
    )


def _language_cookie(header: bytes) -> str:
    for part in header.decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == LANGUAGE_COOKIE:
            return value
    return ""
