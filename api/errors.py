"""One JSON error shape for every API: ``{"error": {"code": str, "message": str}}``.

This is the only module that maps domain exceptions to HTTP status codes.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.rasa_client import RasaUnavailable
from cases.errors import (
    CaseNotFound,
    ConflictOfInterest,
    IllegalTransition,
    InvalidIntake,
    InvalidNote,
    NoHandlerAvailable,
    NotPermitted,
    StoreUnavailable,
    UnknownVillage,
)
from cases.rights import DeletionRefused, NotVerified
from cases.staff import StaffError
from knowledge.errors import IndexNotBuilt, InvalidQuery, InvalidVillage, RulesFormatError, UnknownSource
from triage.safety import URGENT_CALLS

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = f"助手暂时无法回答，请稍后再试。{URGENT_CALLS}"


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}}, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


#: Domain exceptions whose message is safe and useful to show as is.
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    InvalidQuery: (422, "invalid_query"),
    UnknownSource: (422, "unknown_source"),
    RulesFormatError: (422, "invalid_rules"),
    InvalidVillage: (422, "invalid_village"),
    IndexNotBuilt: (503, "index_not_ready"),
    # A case that is not the caller's answers like a missing one: the same 404 and code.
    CaseNotFound: (404, "not_found"),
    UnknownVillage: (404, "not_found"),
    NotPermitted: (403, "forbidden"),
    IllegalTransition: (409, "illegal_transition"),
    ConflictOfInterest: (409, "conflict_of_interest"),
    NoHandlerAvailable: (409, "no_handler_available"),
    InvalidIntake: (422, "invalid_case"),
    InvalidNote: (422, "invalid_note"),
    StaffError: (422, "invalid_staff_change"),
    StoreUnavailable: (503, "case_store_unavailable"),
    NotVerified: (404, "not_verified"),
    DeletionRefused: (409, "legal_hold"),
}


def _domain_handler(status: int, code: str):
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return error_response(status, code, str(exc))

    return handle


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "payload_too_large",
            422: "invalid_request",
            429: "rate_limited",
        }
        status_code = code.get(exc.status_code, "http_error")
        return error_response(exc.status_code, status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _validation_message(exc))

    for exc_type, (status, code) in DOMAIN_ERRORS.items():
        app.add_exception_handler(exc_type, _domain_handler(status, code))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback for us; the caller gets the error shape and a way to get help.
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", UNAVAILABLE_MESSAGE)

    @app.exception_handler(RasaUnavailable)
    async def _rasa_down(_: Request, exc: RasaUnavailable) -> JSONResponse:
        logger.warning("%s", exc)
        return error_response(503, "assistant_unavailable", UNAVAILABLE_MESSAGE)
