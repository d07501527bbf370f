"""What an endpoint answered, in jobsim's terms: the one place answers are classified.

A real endpoint reports a refused call its own way. :func:`classify_result` and
:func:`classify_error` turn every answer into an :class:`Answer` whose ``code`` is
``None`` for a success or one of jobsim's error codes (:data:`jobsim.errors.ERROR_CODES`)
for a refusal, plus three codes of verify's own for answers that are no refusal at all:

==================================  ==============================================
the endpoint answered               code
==================================  ==============================================
a tool result, ``isError`` false    ``None`` (success; ``output`` is its JSON)
``isError`` with ``_meta["jobsim/error"]["code"]``  that code (jobsim's own servers)
``isError`` whose text starts with ``"<code>:"``    that code, if it is one of jobsim's
``isError`` with other text         by the words in it, first match wins:
                                    ``not found``/``404``/``does not exist`` →
                                    ``not_found``; ``conflict``/``already``/``409`` →
                                    ``conflict``; ``invalid``/``validation``/
                                    ``required``/``unknown key``/``must be``/``400``/
                                    ``422`` → ``invalid_arguments``; ``rate``/``429``
                                    → ``rate_limited``; ``unavailable``/``503`` →
                                    ``unavailable``; otherwise ``unclassified``
JSON-RPC error ``-32602`` (invalid params)          ``invalid_arguments``
JSON-RPC error ``-32601`` (method not found)        ``not_found``
JSON-RPC error ``-32603`` (internal)                ``internal``
JSON-RPC error ``-32001`` (request timeout)         ``timeout``
JSON-RPC error ``-32000`` (connection closed)       ``connection_closed``
any other JSON-RPC error                            by the words of its message, as above
no answer in time (``TimeoutError``)                ``timeout``
the stream or process ended, any other exception    ``connection_closed``
==================================  ==============================================

``raw`` always keeps the answer as the endpoint sent it, so a failing check can show it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from jobsim.errors import ERROR_CODES

__all__ = ["TRANSPORT_CODES", "Answer", "classify_error", "classify_result"]

#: Codes of verify's own, for answers that are not a refusal by the service.
TRANSPORT_CODES = ("timeout", "connection_closed", "unclassified")

_META_KEY = "jobsim/error"  # jobsim.mcp.server.ERROR_META_KEY, without importing the server

# Words in an error's text, and the code they mean; the first that matches wins.
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("not_found", re.compile(r"not found|\b404\b|does not exist|no such", re.I)),
    ("conflict", re.compile(r"conflict|already|\b409\b", re.I)),
    (
        "invalid_arguments",
        re.compile(r"invalid|validation|required|unknown key|must be|\b400\b|\b422\b", re.I),
    ),
    ("rate_limited", re.compile(r"rate.?limit|too many requests|\b429\b", re.I)),
    ("unavailable", re.compile(r"unavailable|\b503\b", re.I)),
)

_RPC_CODES = {
    types.INVALID_PARAMS: "invalid_arguments",
    types.METHOD_NOT_FOUND: "not_found",
    types.INTERNAL_ERROR: "internal",
    types.REQUEST_TIMEOUT: "timeout",
    types.CONNECTION_CLOSED: "connection_closed",
}


@dataclass(frozen=True)
class Answer:
    """One answer of the endpoint: ``output`` on success, else ``code`` and ``message``."""

    code: str | None
    output: Any
    message: str
    raw: Any

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.code is None

    def brief(self) -> str:
        """One line: ``ok`` or ``<code>: <message>`` (shortened)."""
        text = "ok" if self.ok else f"{self.code}: {self.message}"
        return text if len(text) <= 160 else text[:157] + "..."


def classify_result(result: types.CallToolResult) -> Answer:
    """The :class:`Answer` of a ``tools/call`` result (success or ``isError``)."""
    raw = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    text = " ".join(c.text for c in result.content if isinstance(c, types.TextContent))
    if not result.is_error:
        output = result.structured_content
        if output is None:  # an endpoint that sends the JSON as text only
            try:
                output = json.loads(text)
            except ValueError:
                output = None
        return Answer(None, output, "", raw)
    meta = (result.meta or {}).get(_META_KEY)
    if isinstance(meta, dict) and meta.get("code") in ERROR_CODES:
        return Answer(meta["code"], None, str(meta.get("message", text)), raw)
    head, sep, rest = text.partition(":")
    if sep and head.strip() in ERROR_CODES:
        return Answer(head.strip(), None, rest.strip(), raw)
    return Answer(_by_words(text), None, text, raw)


def classify_error(error: Exception, waited: float | None = None) -> Answer:
    """The :class:`Answer` of a call that raised: a JSON-RPC error (the SDK raises it as
    ``MCPError``), a timeout (after ``waited`` seconds), or a transport that broke."""
    if isinstance(error, MCPError):
        raw = error.error.model_dump(mode="json", exclude_none=True)
        code = _RPC_CODES.get(error.code) or _by_words(error.message)
        return Answer(code, None, error.message, raw)
    text = f"{type(error).__name__}: {error}".rstrip(": ")
    if isinstance(error, TimeoutError):
        text = "no answer" + ("" if waited is None else f" within {waited:g} s")
        return Answer("timeout", None, text, text)
    return Answer("connection_closed", None, text, text)


def _by_words(text: str) -> str:
    for code, words in _WORDS:
        if words.search(text):
            return code
    return "unclassified"
