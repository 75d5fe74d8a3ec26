"""The one place that creates a Cloud Storage client and translates its errors.

The client finds a local emulator through STORAGE_EMULATOR_HOST on its own; nothing here (or
anywhere else) knows whether it talks to one.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import google.cloud.storage as storage
import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.auth import exceptions as auth_exceptions
from google.cloud.storage.exceptions import DataCorruption, InvalidResponse
from google.cloud.storage.retry import _should_retry

from lookervault.errors import (
    ConfigError,
    IntegrityError,
    LookerVaultError,
    NotFoundError,
    RuntimeFailure,
)

NO_CREDENTIALS_HINT = (
    "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS "
    "to a service account key file."
)
PERMISSION_DENIED_HINT = (
    "Grant the account the role infra/README.md lists for its part under "
    '"What each part needs" (never delete to the backup job), or use another account.'
)
KEY_FILE_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
DEFAULT_RETRY_SECONDS = 120.0
log = logging.getLogger("lookervault.gcs")


def retry_policy(seconds: float = DEFAULT_RETRY_SECONDS) -> Retry:
    """Retry what google-cloud-storage deems transient (its own predicate), with its backoff,
    for at most `seconds`. The first retried error is reported at once, so an unreachable
    Cloud Storage is a warning within seconds instead of minutes of silence."""
    reported = False

    def report(exc: Exception) -> None:
        nonlocal reported
        if not reported:
            reported = True
            log.warning(
                "Cloud Storage did not answer (%s); retrying for up to %g s. "
                "Check the network connection (or STORAGE_EMULATOR_HOST).",
                _describe(exc),
                seconds,
            )

    return Retry(predicate=_should_retry, timeout=seconds, on_error=report)


def _describe(exc: Exception) -> str:
    if isinstance(exc, api_exceptions.GoogleAPICallError) and exc.code:
        return f"HTTP {int(exc.code)}"
    if isinstance(exc, (requests.ConnectionError, ConnectionError)):
        return f"cannot connect: {type(exc).__name__}"
    return type(exc).__name__


def make_client(project: str | None = None) -> storage.Client:
    with storage_errors():
        return storage.Client(project=project)


@contextlib.contextmanager
def storage_errors(
    what: str = "Cloud Storage request", bucket: str | None = None
) -> Iterator[None]:
    """Turn client exceptions into LookerVault errors with exit codes and next steps."""
    try:
        yield
    except LookerVaultError:
        raise
    except auth_exceptions.DefaultCredentialsError as exc:
        key_file = os.environ.get(KEY_FILE_ENV)
        if key_file and not Path(key_file).is_file():
            raise ConfigError(
                f"No Google Cloud credentials: {KEY_FILE_ENV} names {key_file}, "
                "which does not exist.",
                f"Point {KEY_FILE_ENV} at your service account key file, or unset it to use "
                "`gcloud auth application-default login`.",
            ) from exc
        raise ConfigError("No Google Cloud credentials found.", NO_CREDENTIALS_HINT) from exc
    except auth_exceptions.RefreshError as exc:
        raise ConfigError(
            "Google Cloud credentials were rejected or have expired.", NO_CREDENTIALS_HINT
        ) from exc
    except api_exceptions.NotFound as exc:
        target = f"Bucket gs://{bucket}" if bucket else "The requested object or bucket"
        raise NotFoundError(
            f"{what} failed: {target} was not found.",
            "Check LOOKERVAULT_BUCKET (or `[snapshot] bucket`) and that the bucket exists.",
        ) from exc
    except (api_exceptions.Forbidden, api_exceptions.Unauthorized) as exc:
        raise RuntimeFailure(
            f"{what} failed: permission denied ({exc.message}).",
            PERMISSION_DENIED_HINT,
        ) from exc
    except DataCorruption as exc:
        raise IntegrityError(
            f"{what} failed: checksum mismatch in transit.",
            "Nothing was kept; retry. If it repeats, check the network path to Cloud Storage.",
        ) from exc
    except api_exceptions.RetryError as exc:
        raise RuntimeFailure(
            f"{what} failed after retries: {exc.cause or exc}.",
            "Check your network connection (or STORAGE_EMULATOR_HOST) and retry.",
        ) from exc
    except (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError) as exc:
        raise RuntimeFailure(
            f"{what} failed: cannot reach Cloud Storage ({type(exc).__name__}).",
            "Check your network connection (or STORAGE_EMULATOR_HOST) and retry.",
        ) from exc
    except (api_exceptions.GoogleAPICallError, InvalidResponse) as exc:
        raise RuntimeFailure(
            f"{what} failed: {exc}", "Retry; if it persists, check GCS status."
        ) from exc
