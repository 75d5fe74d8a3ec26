"""Wire-level pieces shared by the store and the HTTP layer: API errors and their JSON bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOCUMENTATION_URL = "https://cloud.google.com/looker/docs/reference/looker-api/latest"
"""Error bodies carry Looker's API reference page. Not a `/r/err/...` URL on purpose: for
those, looker_sdk fetches an error-code index from the internet while raising SDKError."""


@dataclass
class ErrorDetail:
    field: str
    code: str
    message: str


@dataclass
class ApiError(Exception):
    """An error answer: status, message, optional 422 details and extra headers."""

    status: int
    message: str
    errors: list[ErrorDetail] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "documentation_url": DOCUMENTATION_URL}
        if self.errors:
            body["errors"] = [
                {
                    "field": e.field,
                    "code": e.code,
                    "message": e.message,
                    "documentation_url": DOCUMENTATION_URL,
                }
                for e in self.errors
            ]
        return body


def not_found() -> ApiError:
    return ApiError(404, "Not found")


def validation_failed(errors: list[ErrorDetail]) -> ApiError:
    return ApiError(422, "Validation Failed", errors)
