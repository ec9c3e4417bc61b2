"""One error shape for every failure: RFC 9457 problem details.

Every error response is ``application/problem+json`` with ``type``,
``title``, ``status``, ``detail`` and ``instance``; validation failures add
``errors: [{loc, field, msg, type, input}]``, where ``loc`` is the path of the
offending value (for an import: sheet, row, column).  Services raise the
``ServiceError`` subclasses below; the handlers turn them, FastAPI's own
validation errors, HTTP errors, database conflicts and anything unexpected
into that shape (a pydantic error escaping a service is a bug: 500).  A 500 never shows the
exception: it is logged with an id that the response carries.
"""

from __future__ import annotations

import logging
import math
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.limits import MAX_ERRORS

log = logging.getLogger("api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "urn:dehua-alliance:problem:"


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="path of the offending value / 出错位置")
    field: str = Field(description="the same path as text, e.g. orders[0].due_day")
    msg: str
    type: str = "value_error"
    input: Any = None
    where: str | None = Field(default=None, description="the place for a person to read (file, sheet, row, column)")


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""

    type: str = Field(description="URI that names the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
    errors_omitted: int | None = Field(default=None, description="field errors not listed (at most MAX_ERRORS are)")
    error_id: str | None = Field(default=None, description="for 500 only: quote it to the operator")


def field_path(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


# Error types of refusals that depend on stored data or on other fields, which a JSON Schema cannot state: a code
# the round does not plan, a firm outside the alliance, a day past the horizon, a check digit.  A client learns
# of them only by asking; tests/api/test_schemathesis.py accepts them for schema-valid requests, and no other.
REFERENCE_ERROR_TYPES: frozenset[str] = frozenset({
    "credit_code",  # GB 32100-2015 check digit
    "date_out_of_range",  # a calendar window (2000-2100; a round within five years of today): no JSON Schema keyword
    "unknown_code",  # a skill, machine or process the round or scenario does not list
    "unknown_enterprise",  # a firm that is not a member
    # alliance/scenario.py's cross-field rules: ids unique within a list, per-day lists as long as the horizon,
    # lendable <= idle, no firm blocking or measured against itself, a machine for machine hours, days inside
    # the horizon, release before due
    "duplicate", "per_day_length", "lendable_exceeds_idle", "self_reference", "machine_missing",
    "outside_horizon", "release_after_due",
    # the service's own: a password guessable by its strength estimate (zxcvbn), an account of another role,
    # a figure of the other kind of item (workers for a loan, units for a sub-contract), accepted > delivered,
    # an alliance that does not exist
    "weak_password", "wrong_role", "wrong_kind", "accepted_exceeds_delivered", "unknown_alliance",
})


def make_field_error(loc: Sequence[str | int], msg: str, kind: str = "value_error", value: Any = None,
                     where: str | None = None) -> FieldError:
    return FieldError(loc=list(loc), field=field_path(loc), msg=msg, type=kind, input=_jsonable(value), where=where)


def _jsonable(value: Any, depth: int = 0) -> Any:
    """Echo the offending input back, but only as plain, short JSON (no bytes, NaN or huge blobs)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value[:500] if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth < 3 and isinstance(value, dict):
        return {str(k)[:100]: _jsonable(v, depth + 1) for k, v in list(value.items())[:50]}
    if depth < 3 and isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in list(value)[:50]]
    return str(value)[:200]


def pydantic_errors(errors: Iterable[Any], prefix: Sequence[str | int] = ()) -> list[FieldError]:
    out = []
    for e in errors:
        loc = [*prefix, *e.get("loc", ())]
        out.append(make_field_error(loc, str(e.get("msg", "")), str(e.get("type", "value_error")), e.get("input")))
    return out


# ----- errors raised by the services ----------------------------------------------------------------------


class ServiceError(Exception):
    status = 400
    slug = "bad-request"
    title = "请求无效 / Bad request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(ServiceError):
    status = 404
    slug = "not-found"
    title = "未找到 / Not found"


class Forbidden(ServiceError):
    status = 403
    slug = "forbidden"
    title = "无权操作 / Forbidden"


class Conflict(ServiceError):
    status = 409
    slug = "conflict"
    title = "状态冲突 / Conflict"


class Unauthorized(ServiceError):
    status = 401
    slug = "unauthorized"
    title = "未登录或登录已过期 / Not authenticated"


class InvalidInput(ServiceError):
    status = 422
    slug = "validation-error"
    title = "数据无效 / Invalid data"


class PayloadTooLarge(ServiceError):
    status = 413
    slug = "payload-too-large"
    title = "文件过大 / Payload too large"


class TooManyRequests(ServiceError):
    status = 429
    slug = "too-many-requests"
    title = "请求过于频繁 / Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(ServiceError):
    status = 503
    slug = "busy"
    title = "服务繁忙 / Service busy"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def not_found(what: str, ident: object) -> NotFound:
    return NotFound(f"{what} {ident} 不存在或无权查看 / {what} {ident} does not exist or is not visible to you")


# ----- rendering ------------------------------------------------------------------------------------------


def problem_response(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    error_id: str | None = None,
    total_errors: int | None = None,
) -> JSONResponse:
    omitted = None
    if errors is not None:
        # A bounded answer: a million bad keys must not become a million-entry response.
        total = max(len(errors), total_errors or 0)
        errors = errors[:MAX_ERRORS]
        omitted = (total - len(errors)) or None
    body = Problem(
        type=PROBLEM_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        errors_omitted=omitted,
        error_id=error_id,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


_HTTP_TITLES = {
    400: ("bad-request", "请求无效 / Bad request"),
    401: ("unauthorized", "未登录或登录已过期 / Not authenticated"),
    403: ("forbidden", "无权操作 / Forbidden"),
    404: ("not-found", "未找到 / Not found"),
    405: ("method-not-allowed", "不支持的请求方法 / Method not allowed"),
    409: ("conflict", "状态冲突 / Conflict"),
    413: ("payload-too-large", "文件过大 / Payload too large"),
    415: ("unsupported-media-type", "不支持的内容类型 / Unsupported media type"),
    422: ("validation-error", "数据无效 / Invalid data"),
}


def allowed_methods(request: Request) -> str | None:
    """Every method the path answers to, from the published document.  Starlette's 405 names the methods of
    the first route whose path matched, but FastAPI registers one route per method, so ``GET /alliances`` alone
    would hide ``POST /alliances``.  None for a path the document does not hold (the pages)."""
    methods: set[str] = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in item if m in _HTTP_METHODS}
    return ", ".join(sorted(methods)) or None


_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_TITLES.get(exc.status_code, ("http-error", f"HTTP {exc.status_code}"))
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(getattr(exc, "headers", None) or {})
    allow = allowed_methods(request) if exc.status_code == 405 else None
    if allow:
        headers["Allow"] = allow
    return problem_response(request, exc.status_code, slug, title, detail, headers=headers or None)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    errors = pydantic_errors(raw[:MAX_ERRORS])
    return problem_response(
        request, 422, "validation-error", "数据无效 / Invalid data",
        f"{len(raw)} 处错误 / {len(raw)} error(s) in the request", errors, total_errors=len(raw),
    )


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    if isinstance(exc, (TooManyRequests, ServiceUnavailable)):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem_response(request, exc.status, exc.slug, exc.title, exc.detail, exc.errors, headers)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Two requests raced for a unique key (or a reference vanished): the caller may retry.
    log.info("integrity error on %s: %s", request.url.path, exc)
    return problem_response(
        request, 409, "conflict", "状态冲突 / Conflict",
        "数据已被修改或重复，请刷新后重试 / the data changed or already exists; reload and retry",
    )


async def _operational_error(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    log.error("database unavailable [%s] on %s", error_id, request.url.path, exc_info=exc)
    return problem_response(
        request, 503, "database-unavailable", "数据库暂不可用 / Database unavailable",
        "请稍后重试 / please retry later", error_id=error_id,
    )


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    log.error("unhandled error [%s] on %s %s", error_id, request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, 500, "internal-error", "服务器内部错误 / Internal server error",
        "请求未能完成，已记录 / the request failed and was logged", error_id=error_id,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _operational_error)
    app.add_exception_handler(Exception, _unhandled)


# Documented on every route, so the OpenAPI schema names the error shape.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {PROBLEM_CONTENT_TYPE: {}}, "description": desc}
    for code, desc in (
        (401, "未登录 / not authenticated"),
        (403, "角色无权 / role not allowed"),
        (404, "不存在或不可见 / not found or not visible"),
        (409, "状态冲突 / conflict"),
        (422, "数据无效 / invalid data"),
        (413, "请求过大 / payload too large"),
    )
}
