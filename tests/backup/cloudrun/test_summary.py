"""How an Execution resource becomes a state a user reads (pure logic, no server)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.cloud import run_v2

from lookervault.backup.cloudrun import ensure_succeeded, summarize
from lookervault.errors import EXIT_FAILURE, RuntimeFailure

START = datetime(2025, 5, 1, 2, 0, tzinfo=UTC)
END = datetime(2025, 5, 1, 2, 5, tzinfo=UTC)
State = run_v2.Condition.State
Reason = run_v2.Condition.ExecutionReason


def _completed(
    state: State, reason: Reason = Reason.EXECUTION_REASON_UNDEFINED
) -> run_v2.Condition:
    return run_v2.Condition(type_="Completed", state=state, execution_reason=reason, message="m")


@pytest.mark.parametrize(
    ("execution", "state"),
    [
        (run_v2.Execution(), "pending"),
        (run_v2.Execution(start_time=START), "running"),
        (
            run_v2.Execution(start_time=START, conditions=[_completed(State.CONDITION_PENDING)]),
            "running",
        ),
        (run_v2.Execution(conditions=[_completed(State.CONDITION_SUCCEEDED)]), "succeeded"),
        (run_v2.Execution(conditions=[_completed(State.CONDITION_FAILED)]), "failed"),
        (
            run_v2.Execution(conditions=[_completed(State.CONDITION_FAILED, Reason.CANCELLED)]),
            "cancelled",
        ),
        (run_v2.Execution(start_time=START, completion_time=END, failed_count=1), "failed"),
        (run_v2.Execution(start_time=START, completion_time=END, cancelled_count=1), "cancelled"),
        (run_v2.Execution(start_time=START, completion_time=END, succeeded_count=1), "succeeded"),
    ],
)
def test_state(execution: run_v2.Execution, state: str) -> None:
    assert summarize(execution).state == state


def test_an_operation_error_marks_the_execution_failed() -> None:
    summary = summarize(run_v2.Execution(start_time=START), message="Task failed.")
    assert (summary.state, summary.message) == ("failed", "Task failed.")


def test_duration_needs_start_and_completion() -> None:
    assert (
        summarize(run_v2.Execution(start_time=START, completion_time=END)).duration_seconds == 300
    )
    assert summarize(run_v2.Execution(start_time=START)).duration_seconds is None


@pytest.mark.parametrize("state", [State.CONDITION_FAILED, State.CONDITION_PENDING])
def test_only_success_passes(state: State) -> None:
    summary = summarize(run_v2.Execution(name="p/x/executions/e-1", conditions=[_completed(state)]))
    with pytest.raises(RuntimeFailure) as caught:
        ensure_succeeded(summary)
    assert caught.value.exit_code == EXIT_FAILURE
    assert "e-1" in caught.value.message


def test_success_passes() -> None:
    ensure_succeeded(
        summarize(run_v2.Execution(conditions=[_completed(State.CONDITION_SUCCEEDED)]))
    )
