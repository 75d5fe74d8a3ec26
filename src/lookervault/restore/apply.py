"""Carry out a plan: each step starts as soon as the steps it waits for are done, on a pool
of workers, so independent items run in parallel.

A step whose dependency failed is skipped with that reason, never attempted blind. A step that
fails is recorded in the restore state with its error and the run goes on with the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Literal

from lookervault.restore.boards import write_board
from lookervault.restore.dashboards import write_dashboard
from lookervault.restore.plan import Step, wanted
from lookervault.restore.source import Key
from lookervault.restore.state import RestoreState
from lookervault.restore.writes import (
    Context,
    write_alert,
    write_group,
    write_look,
    write_plain,
    write_scheduled_plan,
    write_user,
    write_user_attribute,
)

Json = dict[str, Any]
Result = Literal["created", "updated", "undeleted", "unchanged", "skipped", "failed"]
RESULTS: tuple[Result, ...] = ("created", "updated", "undeleted", "unchanged", "skipped", "failed")
_DONE: dict[str, Result] = {
    "create": "created",
    "update": "updated",
    "undelete": "undeleted",
    "unchanged": "unchanged",
    "skip": "skipped",
}

WriteStep = Callable[[Context, Key, Json, "str | None"], str]
WRITERS: dict[str, WriteStep] = {
    "users": write_user,
    "groups": write_group,
    "user_attributes": write_user_attribute,
    "looks": write_look,
    "dashboards": write_dashboard,
    "boards": write_board,
    "scheduled_plans": write_scheduled_plan,
    "alerts": write_alert,
}
"""Types with parts written by calls of their own; every other type is one call."""


@dataclass
class Outcome:
    """What happened to one step."""

    step: Step
    result: Result
    target_id: str | None
    error: str | None = None

    def record(self) -> Json:
        return self.step.record() | {
            "result": self.result,
            "target_id": self.target_id,
            "error": self.error,
        }


def apply_plan(
    ctx: Context,
    state: RestoreState,
    workers: int,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run every step, each as soon as the steps it waits for are done; return one outcome
    per step, in plan order."""
    plan = ctx.plan
    outcomes: dict[Key, Outcome] = {}
    waiting = {
        key: {k for k in step.waits_for if k in plan.steps and k != key}
        for key, step in plan.steps.items()
    }
    dependents: dict[Key, list[Key]] = {}
    for key, waits in waiting.items():
        for other in waits:
            dependents.setdefault(other, []).append(key)
    ready = [key for key, waits in waiting.items() if not waits]
    running: dict[Future[Outcome], Key] = {}
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="lookervault-restore") as pool:
        while ready or running or len(outcomes) < len(plan.steps):
            if not ready and not running:  # a cycle of references: break it in plan order
                ready = [next(k for k in plan.steps if k not in outcomes)]
            for key in ready:
                step = plan.steps[key]
                running[pool.submit(_run, ctx, state, step, _blocker(step, outcomes))] = key
                waiting.pop(key, None)
            ready = []
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                key = running.pop(future)
                outcomes[key] = future.result()
                if progress:
                    progress(outcomes[key])
                for other in dependents.get(key, []):
                    if other in waiting:
                        waiting[other].discard(key)
                        if not waiting[other]:
                            ready.append(other)
    return [outcomes[key] for key in plan.steps]


def _blocker(step: Step, outcomes: dict[Key, Outcome]) -> str | None:
    """Why a step cannot run: a dependency that failed, or was skipped and has no target."""
    for key in step.waits_for:
        done = outcomes.get(key)
        if done is None:
            continue
        if done.result == "failed":
            return f"needs {key[0]} {key[1]}, which failed"
        if done.result == "skipped" and done.target_id is None:
            return f"needs {key[0]} {key[1]}, which was skipped"
    return None


def _run(ctx: Context, state: RestoreState, step: Step, blocker: str | None) -> Outcome:
    if blocker is not None:
        return Outcome(step, "skipped", step.target_id, blocker)
    if step.action in ("skip", "unchanged"):
        _remember_match(ctx, step)
        return Outcome(step, _DONE[step.action], step.target_id)
    try:
        target_id = _write(ctx, step)
    except Exception as exc:  # one item's failure must not stop the others; it is recorded
        error = str(exc) or type(exc).__name__
        state.record_failure(step.key, error)
        return Outcome(step, "failed", step.target_id, error)
    state.clear_failure(step.key)
    return Outcome(step, _DONE[step.action], target_id)


def _write(ctx: Context, step: Step) -> str:
    key = step.key
    target_id = None if step.action == "create" else step.target_id
    current = ctx.target_item(key[0], target_id) if target_id else None
    want = wanted(ctx.plan, key, ctx.translate, current)
    target_id = WRITERS.get(key[0], write_plain)(ctx, key, want, target_id)
    _remember_match(ctx, step, target_id)
    return target_id


def _remember_match(ctx: Context, step: Step, target_id: str | None = None) -> None:
    """Keep a match the id map did not have (a natural key, a system folder) for next time."""
    found = target_id or step.target_id
    resolver = ctx.plan.resolver
    if found is None or (resolver.same_instance and found == step.key[1]):
        return
    resolver.record(step.key, found)
