"""Request bodies capped per route before anything parses them (an ASGI middleware).

FastAPI reads and parses a JSON body whole before the endpoint runs, so a size check in the endpoint comes
too late: a 20 MB body is already in memory, parsed into millions of objects.  Here the declared
``Content-Length`` is checked first (413 at once, nothing read), and a body streamed without one is counted
chunk by chunk and cut at the limit.  Starlette has no per-route body limit of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import limits
from api.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE

_REPORT = re.compile(r"^/api/v1/rounds/\d+/reports/\d+(/validate)?$")
_IMPORT = re.compile(r"^/api/v1/rounds/\d+/reports/\d+/import$")
_SOLVE = re.compile(r"^/api/v1/solve$")


def body_limit(path: str, content_type: str, max_upload_bytes: int) -> int:
    """The largest body, bytes, a request to ``path`` may carry."""
    if _IMPORT.match(path) and content_type.startswith("multipart/form-data"):
        return max_upload_bytes * limits.MAX_UPLOAD_FILES + limits.MULTIPART_OVERHEAD_BYTES
    if _SOLVE.match(path):
        return limits.MAX_SOLVE_BODY_BYTES
    if _REPORT.match(path):
        return limits.MAX_REPORT_BODY_BYTES
    return limits.MAX_BODY_BYTES


def too_large_detail(limit: int) -> str:
    return (f"请求体超过上限 {limit} 字节（{limit / 1048576:.2f} MiB）/ the request body is larger than the limit "
            f"of {limit} bytes")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_upload_bytes: Callable[[], int]) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        limit = body_limit(scope["path"], headers.get("content-type", ""), self.max_upload_bytes())
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # FastAPI lets an HTTPException raised while it reads the body through to the handlers.
                    raise HTTPException(413, too_large_detail(limit))
            return message

        await self.app(scope, counted, send)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body: dict[str, Any] = {"type": PROBLEM_BASE + "payload-too-large", "title": "请求过大 / Payload too large",
                            "status": 413, "detail": too_large_detail(limit), "instance": scope["path"],
                            "limit_bytes": limit}
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                            (b"content-length", str(len(data)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})
