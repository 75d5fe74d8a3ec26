"""Carry out a plan: each step starts as soon as the steps it waits for are done, on a pool
of workers, so independent items run in parallel.

A step whose dependency failed is skipped with that reason, never attempted blind. A step that
fails on a passing fault (no answer, a 5xx, a 429 out of retries) is tried again, planned
afresh from what Looker now holds, while what needs it waits; a step that still fails is
recorded in the restore state with its error and the run goes on with the rest. A step no run
could ever write (the backup lacks what it needs) is skipped with its reason, not recorded as
a failure. A step with a second call (references marked `late`: a group's members, a
folder's access) lets what waits for it go on after its first call, and ends once the second
call is done; a folder's second call also waits for its parent folder's (top-down access).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Literal

from lookervault.looker.client import LookerRequestError, transient
from lookervault.restore.plan import WRITES, Step, classify, wanted
from lookervault.restore.resolver import translator
from lookervault.restore.source import Key
from lookervault.restore.state import RestoreState
from lookervault.restore.target import fetch_full
from lookervault.restore.types import handler
from lookervault.restore.writes import Context, Noted, Unrestorable, write_plain

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


@dataclass
class Outcome:
    """What happened to one step."""

    step: Step
    result: Result
    target_id: str | None
    error: str | None = None
    notes: tuple[str, ...] = ()
    """What the step left undone without failing (a part Looker refused)."""
    attempts: int = 1

    def record(self) -> Json:
        return self.step.record() | {
            "result": self.result,
            "target_id": self.target_id,
            "error": self.error,
            "notes": list(self.notes),
            "attempts": self.attempts,
        }


def apply_plan(
    ctx: Context,
    state: RestoreState,
    workers: int,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run every step, each as soon as the steps it waits for are done, and a step's second
    call (a group's members) once what that waits for is done; return one outcome per step,
    in plan order."""
    plan = ctx.plan
    outcomes: dict[Key, Outcome] = {}
    waiting = _waits(plan.steps, "waits_for")
    late_waiting = _waits(plan.steps, "late_waits")
    dependents = _dependents(waiting)
    late_dependents = _dependents(late_waiting)
    after = _waits(plan.steps, "late_after")
    final_dependents = _dependents(after)
    for key, keys in after.items():
        late_waiting[key] |= keys
    held: dict[Key, Outcome] = {}
    ready = [key for key, waits in waiting.items() if not waits]
    running: dict[Future[Outcome], tuple[Key, bool]] = {}

    def finish(outcome: Outcome) -> None:
        key = outcome.step.key
        outcomes[key] = outcome
        if progress:
            progress(outcome)
        for other in final_dependents.get(key, []):
            late_waiting[other].discard(key)
            if other in held:
                hold_or_finish(other, held[other])

    def hold_or_finish(key: Key, outcome: Outcome) -> None:
        if key not in held:
            finish(outcome)
        elif not late_waiting[key]:
            running[pool.submit(_run_late, ctx, state, held.pop(key))] = (key, True)

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="lookervault-restore") as pool:
        while ready or running or len(outcomes) < len(plan.steps):
            if not ready and not running:  # a cycle of references: break it in plan order
                ready = [next(k for k in plan.steps if k in waiting)]
            for key in ready:
                step = plan.steps[key]
                future = pool.submit(_run, ctx, state, step, _blocker(step, outcomes, held))
                running[future] = (key, False)
                waiting.pop(key, None)
            ready = []
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                key, late = running.pop(future)
                outcome = future.result()
                if late:
                    finish(outcome)
                    continue
                if _has_late_part(outcome):
                    held[key] = outcome
                hold_or_finish(key, outcome)
                for other in dependents.get(key, []):
                    if other in waiting:
                        waiting[other].discard(key)
                        if not waiting[other]:
                            ready.append(other)
                for other in late_dependents.get(key, []):
                    late_waiting[other].discard(key)
                    if other in held:
                        hold_or_finish(other, held[other])
    return [outcomes[key] for key in plan.steps]


def _waits(steps: dict[Key, Step], name: str) -> dict[Key, set[Key]]:
    return {
        key: {k for k in getattr(step, name) if k in steps and k != key}
        for key, step in steps.items()
    }


def _dependents(waits: dict[Key, set[Key]]) -> dict[Key, list[Key]]:
    found: dict[Key, list[Key]] = {}
    for key, keys in waits.items():
        for other in keys:
            found.setdefault(other, []).append(key)
    return found


def _has_late_part(outcome: Outcome) -> bool:
    written = outcome.result in ("created", "updated", "undeleted")
    return written and handler(outcome.step.key[0]).late_write is not None


def _blocker(step: Step, outcomes: dict[Key, Outcome], held: dict[Key, Outcome]) -> str | None:
    """Why a step cannot run: a dependency that failed, or was skipped and has no target."""
    for key in step.waits_for:
        done = outcomes.get(key) or held.get(key)
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
    policy = ctx.plan.target.client.session.policy
    attempts = min(ITEM_ATTEMPTS, policy.max_attempts)
    rng = random.Random()
    current = step
    for attempt in range(1, attempts + 1):
        try:
            target_id = _write(ctx, current)
        except Noted as noted:
            state.clear_failure(step.key)
            return Outcome(step, "skipped", current.target_id, None, (str(noted),), attempt)
        except Unrestorable as exc:  # no run could do better: a note, not a failure to retry
            state.clear_failure(step.key)
            reason = f"not restorable: {exc}"
            return Outcome(step, "skipped", current.target_id, None, (reason,), attempt)
        except LookerRequestError as exc:
            if not transient(exc) or attempt == attempts:
                return _failed(state, step, exc, attempt)
            time.sleep(policy.delay(attempt, None, rng))
            current = _replan(ctx, step)
            if current.action not in WRITES:  # the failed try had done it all
                state.clear_failure(step.key)
                return Outcome(step, _DONE[step.action], current.target_id, attempts=attempt)
            continue
        except Exception as exc:  # one item's failure must not stop the others; it is recorded
            return _failed(state, step, exc, attempt)
        state.clear_failure(step.key)
        notes = tuple(ctx.notes.get(step.key, ()))
        return Outcome(step, _DONE[current.action], target_id, None, notes, attempt)
    raise AssertionError("unreachable: the loop returns")


ITEM_ATTEMPTS = 3
"""Tries of one step whose write failed on a passing fault (each request already has its own
retries): the same bound as the client's retries when those are fewer."""


def _failed(state: RestoreState, step: Step, exc: Exception, attempts: int) -> Outcome:
    error = str(exc) or type(exc).__name__
    state.record_failure(step.key, error)
    return Outcome(step, "failed", step.target_id, error, attempts=attempts)


def _replan(ctx: Context, step: Step) -> Step:
    """The step again, from what Looker holds now: the failed try may have made the item
    (its id is in the id map) or part of it."""
    plan = ctx.plan
    target_id = plan.resolver.resolve(step.key)
    if target_id is not None:
        plan.target.full.pop((step.key[0], target_id), None)
        fetch_full(plan.target, [(step.key[0], target_id)], 1)
    return classify(plan, step.key, translator(plan.resolver))


def _run_late(ctx: Context, state: RestoreState, outcome: Outcome) -> Outcome:
    """The second call of a written step, now that what it names exists."""
    key, target_id = outcome.step.key, outcome.target_id
    assert target_id is not None
    try:
        want = wanted(ctx.plan, key, ctx.translate, ctx.target_item(key[0], target_id))
        late = handler(key[0]).late_write
        assert late is not None  # _has_late_part
        late(ctx, key, want, target_id)
    except Exception as exc:  # as in _run: recorded, and the run goes on
        error = str(exc) or type(exc).__name__
        state.record_failure(key, error)
        return Outcome(outcome.step, "failed", target_id, error)
    return outcome


def _write(ctx: Context, step: Step) -> str:
    key = step.key
    target_id = None if step.action == "create" else step.target_id
    current = ctx.target_item(key[0], target_id) if target_id else None
    want = wanted(ctx.plan, key, ctx.translate, current)
    target_id = (handler(key[0]).write or write_plain)(ctx, key, want, target_id)
    _remember_match(ctx, step, target_id)
    return target_id


def _remember_match(ctx: Context, step: Step, target_id: str | None = None) -> None:
    """Keep a match the id map did not have (a natural key, a system folder) for next time."""
    found = target_id or step.target_id
    resolver = ctx.plan.resolver
    if found is None or (resolver.same_instance and found == step.key[1]):
        return
    resolver.record(step.key, found)
