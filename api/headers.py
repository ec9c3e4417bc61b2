"""Browser security headers on every response (an ASGI middleware), and a Content-Security-Policy on the pages.

The pages load only their own module scripts and stylesheets from ``/static`` and embed data as
``<script type="application/json">`` (not executed, so allowed by ``script-src 'self'``); they have no inline
script, style or event handler, so the policy needs no ``'unsafe-inline'``.  The OpenAPI viewers (``/docs``,
``/redoc``) run FastAPI's inline bootstrap script and keep no CSP of ours; they get the other headers.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
NO_CSP_PREFIXES = ("/docs", "/redoc")
# The printable documents the API serves as HTML (agreements, settlement sheets, notices) carry their print
# styles inline, so a person can save one file; they run no script at all, hence a policy of their own.
DOCUMENT_PREFIX = "/api/"
DOCUMENT_CSP = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_csp = not scope["path"].startswith(NO_CSP_PREFIXES)
        policy = DOCUMENT_CSP if scope["path"].startswith(DOCUMENT_PREFIX) else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in ALWAYS if k not in present]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if with_csp and content_type.startswith(b"text/html") and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", policy.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
