"""`lookervault.logs`: google-cloud-logging's structured entries, one JSON object per line."""

from __future__ import annotations

import logging
import threading
import warnings

import pytest

from lookervault import logs
from lookervault.audit import AuditEvent, emit_audit
from tests.support.structured_logs import (  # noqa: F401
    LABELS,
    SOURCE,
    TRACE,
    parse_entries,
    structured_logging,
)

TASK = {"job": "lookervault-backup", "execution": "exec-1"}


@pytest.mark.usefixtures("structured_logging")
def test_entries_carry_severity_labels_fields_and_where_they_were_logged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.setup(TASK)
    log = logging.getLogger("lookervault.test")

    log.info("plain")
    with logs.labels(instance="emea"):
        log.error("with %s", "fields", extra=logs.fields({"audit": "true"}, hint="do this"))
        with logs.labels(event_id="e-1"):
            log.debug("nested")
    log.warning("after the block")

    plain, failed, nested, after = parse_entries(capsys.readouterr().out)
    assert (plain["severity"], plain["message"]) == ("INFO", "plain")
    assert plain[LABELS] == {**TASK, "python_logger": "lookervault.test"}
    assert plain[TRACE] == ""  # no request, no trace
    assert plain[SOURCE]["function"] == (
        "test_entries_carry_severity_labels_fields_and_where_they_were_logged"
    )
    assert plain[SOURCE]["file"] == __file__
    assert (failed["severity"], failed["message"]) == ("ERROR", "with fields")
    assert failed["hint"] == "do this"
    assert failed[LABELS] == {**plain[LABELS], "instance": "emea", "audit": "true"}
    assert nested["severity"] == "DEBUG"
    assert nested[LABELS] == {**plain[LABELS], "instance": "emea", "event_id": "e-1"}
    assert after[LABELS] == plain[LABELS]


@pytest.mark.usefixtures("structured_logging")
def test_library_warnings_become_entries_and_library_chatter_does_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.setup(TASK)
    library = logging.getLogger("urllib3.connectionpool")

    library.info("Starting new HTTPS connection")
    library.warning("Retrying after connection broken")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("this API goes away", DeprecationWarning, stacklevel=1)

    retrying, deprecated = parse_entries(capsys.readouterr().out)
    assert (retrying["severity"], retrying["message"]) == (
        "WARNING",
        "Retrying after connection broken",
    )
    assert retrying[LABELS] == {**TASK, "python_logger": "urllib3.connectionpool"}
    assert deprecated["severity"] == "WARNING"
    assert "DeprecationWarning: this API goes away" in deprecated["message"]
    assert deprecated[LABELS]["python_logger"] == "py.warnings"


@pytest.mark.usefixtures("structured_logging")
def test_an_audit_event_is_a_notice_labelled_audit_with_its_payload(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.setup(TASK)
    event = AuditEvent(
        action="snapshot.created", object="snapshots/emea/looker-x.db.gz", actor="job"
    )

    with logs.labels(instance="emea"):
        emit_audit(event)
        emit_audit(event.model_copy(update={"outcome": "failure"}))

    created, failed = parse_entries(capsys.readouterr().out)
    assert created["severity"] == "NOTICE"
    assert created["message"] == "snapshot.created snapshots/emea/looker-x.db.gz"
    assert created[LABELS] == {
        **TASK,
        "python_logger": "lookervault.audit",
        "instance": "emea",
        "audit": "true",
    }
    assert created["audit"] == event.model_dump(mode="json")
    assert failed["severity"] == "WARNING"


@pytest.mark.usefixtures("structured_logging")
def test_labels_belong_to_the_thread_that_set_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The function serves requests on threads: one event's id must not label another's."""
    logs.setup()
    log = logging.getLogger("lookervault.test")
    inside = threading.Event()
    logged = threading.Event()

    def other_request() -> None:
        inside.wait(10)
        log.info("other")
        logged.set()

    thread = threading.Thread(target=other_request)
    thread.start()
    with logs.labels(event_id="mine"):
        inside.set()
        assert logged.wait(10)
        log.info("mine")
    thread.join()

    other, mine = parse_entries(capsys.readouterr().out)
    assert "event_id" not in other[LABELS]
    assert mine[LABELS]["event_id"] == "mine"
