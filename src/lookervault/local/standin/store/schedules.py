"""Schedules and alerts: scheduled plans with their destinations, run_once (which delivers and
stores nothing), which plans and alerts a list call shows, and the plans and alerts that go
when what they point at is deleted.
"""

from __future__ import annotations

from typing import Any

from lookervault.local.standin import shapes, types
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import Delivery, Tables, require_object
from lookervault.local.standin.wire import not_found


class SchedulesMixin(Tables):
    """Scheduled plans' own calls and side effects, and the alerts that follow their tiles."""

    def run_once(self, plan_id: str | None, body: Any, caller_id: str) -> Json:
        """Deliver a plan now: nothing is stored, one delivery is recorded."""
        body = require_object(body if body is not None else {})
        with self._lock:
            if plan_id is None:
                plan = types.blank("scheduled_plans")
                plan.update(
                    {
                        k: v
                        for k, v in body.items()
                        if k in plan and types.writable("scheduled_plans", k)
                    }
                )
                self._validate("scheduled_plans", body, None, plan)
                plan.update(id=self.new_id("scheduled_plans"), user_id=plan["user_id"] or caller_id)
                plan["title"] = plan["name"]
                self._on_plan_write(plan, body)
                self.deliveries.append(Delivery("scheduled_plan_run_once", str(plan["name"])))
            else:
                stored = self._objects["scheduled_plans"].get(plan_id)
                if stored is None:
                    raise not_found()
                changes = {
                    k: v
                    for k, v in body.items()
                    if k in stored and types.writable("scheduled_plans", k)
                }
                plan = {**stored, **changes}
                self._validate("scheduled_plans", body, stored, plan)
                self._on_plan_write(plan, body)
                self.deliveries.append(Delivery("scheduled_plan_run_once_by_id", plan_id))
            return self._render("scheduled_plans", plan, detail=True)

    def create_alert(self, body: Any, caller_id: str) -> Json:
        """create_alert documents neither `owner_id` nor `is_disabled` (only update_alert_field
        does): unless the answers create as given, the caller owns the new alert and it is
        enabled, whatever the body says (UNCONFIRMED either way)."""
        body = require_object(body)
        if not self.answers.creates_as_given:
            body = {**body, "owner_id": caller_id, "is_disabled": False, "disabled_reason": None}
        return self.create("alerts", body, caller_id)

    def _on_plan_create(self, obj: Json, caller_id: str) -> None:
        obj["user_id"] = obj["user_id"] or caller_id
        obj["title"] = obj["name"]
        self._on_plan_write(obj, obj)

    def _on_plan_write(self, plan: Json, body: Json) -> None:
        """Destinations given replace all of the plan's destinations, each with its own id."""
        if "scheduled_plan_destination" not in body:
            return
        plan["scheduled_plan_destination"] = [
            {
                **shapes.plan_destination(),
                **{k: v for k, v in d.items() if k in shapes.plan_destination()},
                "id": self.new_id("scheduled_plan_destinations"),
                "scheduled_plan_id": plan["id"] or None,
            }
            for d in body["scheduled_plan_destination"] or []
        ]

    def _drop_plans(self, key: str, ids: set[str]) -> None:
        """Plans whose `key` (dashboard_id or look_id) names hard-deleted content go with it."""
        plans = self._objects["scheduled_plans"]
        for plan_id in [p for p, plan in plans.items() if plan[key] in ids]:
            del plans[plan_id]

    def _drop_alerts(self, element_ids: set[str]) -> None:
        alerts = self._objects["alerts"]
        for alert_id in [
            a for a, alert in alerts.items() if alert["dashboard_element_id"] in element_ids
        ]:
            del alerts[alert_id]


def plans_in_scope(plans: list[Json], filters: dict[str, str], caller_id: str) -> list[Json]:
    """A plan list shows the caller's plans, or one user's, or (`all_users`) everyone's."""
    all_users = filters.pop("all_users", "false") == "true"
    if all_users and "user_id" not in filters:
        return plans
    owner = filters.pop("user_id", caller_id)
    return [obj for obj in plans if obj["user_id"] == owner]


def alerts_in_scope(alerts: list[Json], filters: dict[str, str], caller_id: str) -> list[Json]:
    """An alert list shows the caller's alerts, or (`all_owners`) everyone's."""
    if "disabled" in filters:
        filters["is_disabled"] = filters.pop("disabled")
    if filters.pop("all_owners", "false") == "true":
        return alerts
    return [obj for obj in alerts if obj["owner_id"] == caller_id]
