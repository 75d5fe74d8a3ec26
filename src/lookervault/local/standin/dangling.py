"""Dangling references: what a real instance holds after things were deleted, added to a seed.

`leave_dangling` changes a generated seed, drawn from a stream of its own, so the same seed
value always leaves the same references dangling:
- tiles on looks deleted for good: about one live dashboard in twenty (at least two) gets a
  tile whose `look_id` names a look that no longer exists; every other such tile's result
  maker kept the look's query (shown as `result_maker.query`), the others have none;
- content of departed users: one or two users (never the API user) are deleted as Looker's
  delete_user does it (their personal folder, group memberships, access entries, favourites
  and schedules go), after the content in their personal folder was moved to the Shared
  folder; at least three live dashboards in shared folders (all there are, when fewer) keep
  `user_id` naming one of them, and so do the rest of their dashboards, looks and boards;
- scheduled plans on dashboards deleted for good: two plans whose `dashboard_id` names a
  dashboard that no longer exists.
Ids of what is gone are taken from the id sequences, so nothing made later reuses them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from lookervault.local.standin import shapes, types
from lookervault.local.standin.seed import ADJECTIVES, EPOCH, TOPICS, Seeded, iso
from lookervault.local.standin.shapes import Json

TILE_SHARE = 0.05
MIN_TILES = 2
MIN_ORPHANED_DASHBOARDS = 3
GONE_DASHBOARD_PLANS = 2
API_USER_ID = "1"
NEXT_RUN = datetime(2030, 1, 6, 6, tzinfo=UTC)

Dangling = dict[str, list[str]]
"""What was left dangling, by kind: "tiles_with_query" and "tiles_without_query" (tile ids),
"gone_looks", "departed_users", "orphaned_dashboards" (live dashboards in shared folders owned
by a departed user), "plans_on_gone_dashboards" and "gone_dashboards"."""


def leave_dangling(seeded: Seeded, seed_value: int) -> Dangling:
    """Add the dangling references to `seeded` in place; what was made dangling."""
    rng = random.Random(f"dangling-{seed_value}")
    return {
        **_tiles_on_gone_looks(seeded, rng),
        **_departed_users(seeded, rng),
        **_plans_on_gone_dashboards(seeded, rng),
    }


def _title(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(TOPICS)} {rng.randrange(1000)}"


def _tiles_on_gone_looks(seeded: Seeded, rng: random.Random) -> Dangling:
    """A tile below the others on some live dashboards, on a look deleted for good."""
    objects = seeded.objects
    live = [d for d in objects["dashboards"].values() if not d["deleted"]]
    queries = list(objects["queries"].values())
    wanted = min(len(live), max(MIN_TILES, round(len(live) * TILE_SHARE)))
    made: Dangling = {"tiles_with_query": [], "tiles_without_query": [], "gone_looks": []}
    for index, dashboard in enumerate(rng.sample(live, wanted)):
        element = shapes.dashboard_element()
        element.update(
            id=seeded.new_id("dashboard_elements"),
            dashboard_id=dashboard["id"],
            title=_title(rng),
            look_id=seeded.new_id("looks"),
            result_maker_id=seeded.new_id("result_makers"),
        )
        query = rng.choice(queries) if index % 2 == 0 and queries else None
        if query is not None:
            maker = {"filterables": [shapes.filterable(query, None)], "query_id": query["id"]}
            made["tiles_with_query"].append(element["id"])
        else:
            maker = {"filterables": []}
            made["tiles_without_query"].append(element["id"])
        element["result_maker"] = maker
        made["gone_looks"].append(element["look_id"])
        dashboard["dashboard_elements"].append(element)
        vis_type = query["vis_config"]["type"] if query is not None else None
        for layout in dashboard["dashboard_layouts"]:
            component_id = seeded.new_id("dashboard_layout_components")
            component = shapes.component_below(component_id, layout, element, vis_type)
            layout["dashboard_layout_components"].append(component)
    return made


def _departed_users(seeded: Seeded, rng: random.Random) -> Dangling:
    """One or two users deleted after their content was drawn; enough live dashboards in
    shared folders made theirs first that at least three stay behind."""
    objects = seeded.objects
    candidates = [user_id for user_id in objects["users"] if user_id != API_USER_ID]
    departed = rng.sample(candidates, min(len(candidates), rng.randint(1, 2)))
    if not departed:
        return {"departed_users": [], "orphaned_dashboards": []}
    for user_id in departed:
        _empty_personal_folder(seeded, objects["users"][user_id])
    folders = objects["folders"]
    shared = [
        d
        for d in objects["dashboards"].values()
        if not d["deleted"] and not folders[d["folder_id"]]["is_personal"]
    ]
    owned = [d for d in shared if d["user_id"] in departed]
    others = [d for d in shared if d["user_id"] not in departed]
    missing = min(len(others), MIN_ORPHANED_DASHBOARDS - len(owned))
    for dashboard in rng.sample(others, max(0, missing)):
        dashboard["user_id"] = departed[0]
    for user_id in departed:
        _delete_user(seeded, user_id)
    orphaned = [d["id"] for d in shared if d["user_id"] in departed]
    return {"departed_users": departed, "orphaned_dashboards": sorted(orphaned, key=int)}


def _empty_personal_folder(seeded: Seeded, user: Json) -> None:
    """What an admin does before deleting a user whose content is to stay (the spec's
    delete_user advises keeping content): the looks and dashboards in the user's personal
    folder move to the Shared folder, renamed " (n)" where a live one has their title."""
    folders = seeded.objects["folders"]
    shared_root = next(f for f in folders.values() if f["is_shared_root"])
    for type_name in ("looks", "dashboards"):
        items = seeded.objects[type_name].values()
        taken = {
            obj["title"]
            for obj in items
            if obj["folder_id"] == shared_root["id"] and not obj["deleted"]
        }
        for obj in [o for o in items if o["folder_id"] == user["personal_folder_id"]]:
            obj["folder_id"] = shared_root["id"]
            if obj["deleted"]:
                continue
            title, n = obj["title"], 1
            while title in taken:
                n += 1
                title = f"{obj['title']} ({n})"
            obj["title"] = title
            taken.add(title)


def _delete_user(seeded: Seeded, user_id: str) -> None:
    """What delete_user does besides trashing content (which these users' content escaped):
    the user, their personal folder, group memberships, access entries, favourites and
    schedules go (spec delete_user: "Schedules created by the users ... will be deleted");
    alerts stay ("Alerts will continue to run"), as does every `user_id` on content."""
    objects = seeded.objects
    user = objects["users"].pop(user_id)
    personal = objects["folders"].pop(user["personal_folder_id"])
    objects["folders"][personal["parent_id"]]["child_count"] -= 1
    meta_id = personal["content_metadata_id"]
    objects["content_metadata"].pop(meta_id)
    for group_id in user["group_ids"]:
        objects["groups"][group_id]["user_count"] -= 1
    _drop(
        objects["content_metadata_access"],
        lambda e: user_id == e["user_id"] or meta_id == e["content_metadata_id"],
    )
    _drop(objects["content_favorites"], lambda favorite: favorite["user_id"] == user_id)
    _drop(objects["scheduled_plans"], lambda plan: plan["user_id"] == user_id)


def _drop(table: dict[str, Json], gone: Callable[[Json], bool]) -> None:
    for object_id in [k for k, obj in table.items() if gone(obj)]:
        del table[object_id]


def _plans_on_gone_dashboards(seeded: Seeded, rng: random.Random) -> Dangling:
    """Plans still scheduled on dashboards deleted for good, owned by users who remain."""
    owners = list(seeded.objects["users"])
    made: Dangling = {"plans_on_gone_dashboards": [], "gone_dashboards": []}
    stamp = iso(EPOCH)
    for _ in range(GONE_DASHBOARD_PLANS):
        plan = types.blank("scheduled_plans")
        name = f"{_title(rng)} delivery"
        plan.update(
            id=seeded.new_id("scheduled_plans"),
            name=name,
            title=name,
            user_id=rng.choice(owners),
            dashboard_id=seeded.new_id("dashboards"),
            crontab="0 6 * * 1",
            created_at=stamp,
            updated_at=stamp,
            next_run_at=iso(NEXT_RUN),
        )
        destination = shapes.plan_destination()
        destination.update(
            id=seeded.new_id("scheduled_plan_destinations"),
            scheduled_plan_id=plan["id"],
            format="wysiwyg_pdf",
            address=f"team{rng.randrange(50)}@example.com",
            type="email",
        )
        plan["scheduled_plan_destination"] = [destination]
        seeded.objects["scheduled_plans"][plan["id"]] = plan
        made["plans_on_gone_dashboards"].append(plan["id"])
        made["gone_dashboards"].append(plan["dashboard_id"])
    return made
