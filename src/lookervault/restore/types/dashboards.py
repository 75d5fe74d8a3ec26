"""Restore one dashboard: its own fields, then filters, tiles, layout and tile positions.

Looker writes each part with calls of its own (RESTORE-FACTS, "Dashboards"): filters before
tiles (tiles name the filters they listen to), a new tile gets a layout component on its own,
and components are only ever PATCHed. The dashboard ends with exactly the backup's filters and
tiles: parts the backup does not have are deleted, the only deletes a restore makes (besides a
tile Looker will not turn into a look tile: no public client shows that Looker accepts a look
on a tile that has a result maker, so where it refuses, or keeps the query, the tile is made
anew as a look tile, as gzr makes every tile).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from lookervault.looker.client import LookerRequestError, api_path
from lookervault.restore import canonical, lookup
from lookervault.restore.source import Key
from lookervault.restore.target import Target, again
from lookervault.restore.types.base import Adjustment, Handler
from lookervault.restore.writes import (
    Context,
    ItemError,
    NewSlug,
    Unrestorable,
    changed_fields,
    create,
    create_part,
    create_query,
    pair_parts,
    top_body,
    update,
)

if TYPE_CHECKING:
    from lookervault.restore.plan import Plan, Step
    from lookervault.restore.resolver import Resolver

Json = dict[str, Any]
_PARTS = ("dashboard_filters", "dashboard_elements", "dashboard_layouts")


def write_dashboard(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    trash = bool(want.get("deleted"))
    imported = None if target_id is not None else _import(ctx, key, want)
    if target_id is None and imported is None:
        target_id = _create(ctx, key, want)
        changed = list(_PARTS)
    else:
        target_id = target_id or imported
        assert target_id is not None
        changed = changed_fields(ctx, key, want, target_id)
        body = top_body(want, key[0], [c for c in changed if c != "deleted" or not trash])
        _update_keeping_slug_if_taken(ctx, key, target_id, body)
    slug = ctx.source_item(key).get("slug")
    now = ctx.target_item(key[0], target_id).get("slug")
    if slug and now != slug:
        title = ctx.plan.source.title(key)
        ctx.new_slugs.append(NewSlug(key, title, target_id, str(slug), now))
    if any(part in changed for part in _PARTS):
        target = ctx.target_item(key[0], target_id)
        _write_parts(ctx, key, target_id, target)
    if trash and not ctx.target_item(key[0], target_id).get("deleted"):
        update(ctx, key, target_id, {"deleted": True})
    return target_id


LOOKML_IMPORT_SINCE = (22, 8)
"""The first release whose spec has `import_dashboard_from_lookml` (sdk-codegen's spec
history: release 22.8.73)."""


def lookml_route(release: str | None) -> bool:
    """Whether the Looker release `/versions` reported has the import route."""
    try:
        numbers = tuple(int(n) for n in str(release).split(".")[:2])
    except ValueError:
        return False
    return len(numbers) == 2 and numbers >= LOOKML_IMPORT_SINCE


def _import(ctx: Context, key: Key, want: Json) -> str | None:
    """The dashboard in one call, from the LookML the backup holds (`import_dashboard_from
    _lookml`), into its folder; None when that route is off, has no LookML to work from, or
    Looker refuses it for this dashboard (the caller then writes it part by part).

    The LookML's `preferred_slug` is left out: Looker would overwrite any dashboard holding
    it, and drop that one's alerts. The slug, the owner and whatever else the LookML does not
    carry (a look's tile is a query tile there) are then written as for an update. Releases
    22.8 to 23.2 answer with the LookML envelope (`dashboard_id`, no `id`): the dashboard is
    then read whole.
    """
    lookml = ctx.source_item(key).get("lookml")
    if not ctx.lookml_import or not lookml or want.get("folder_id") is None:
        return None
    body = {"folder_id": want["folder_id"], "lookml": without_preferred_slug(lookml)}
    made = {"title": want.get("title"), "folder_id": want["folder_id"]}
    find = lookup.created(ctx.plan.target, key[0], made)
    try:
        answer = ctx.send("POST", "/dashboards/lookml", key, body, find=find)
    except LookerRequestError as exc:
        if exc.status == 405:  # this Looker has no such route at all
            ctx.lookml_import = False
        if exc.status is None or exc.status >= 500:
            raise  # it may have made the dashboard: the next run finds it by title
        return None  # 404 also means a model or folder this dashboard's LookML names
    if isinstance(answer, dict) and answer.get("id") is None and answer.get("dashboard_id"):
        answer = ctx.get(api_path("/dashboards/{id}", str(answer["dashboard_id"])))
    return ctx.created(key, answer)


def without_preferred_slug(lookml: str) -> str:
    dashboards = yaml.safe_load(lookml)
    if not isinstance(dashboards, list):
        raise ItemError("the backed-up LookML is not a list of dashboards")
    for dashboard in dashboards:
        if isinstance(dashboard, dict):
            dashboard.pop("preferred_slug", None)
    return str(yaml.safe_dump(dashboards, sort_keys=False, allow_unicode=True))


def _update_keeping_slug_if_taken(ctx: Context, key: Key, target_id: str, body: Json) -> None:
    """An update; when the slug it sets is another dashboard's (422), again without it."""
    try:
        update(ctx, key, target_id, body)
    except LookerRequestError as exc:
        if exc.status not in (409, 422) or "slug" not in body:
            raise
        update(ctx, key, target_id, {k: v for k, v in body.items() if k != "slug"})


def _create(ctx: Context, key: Key, want: Json) -> str:
    """Create with the backed-up slug; when another dashboard holds it (Looker answers 409
    "The resource already exists.", a trashed holder included), again without it: Looker
    makes a new one, as gzr does."""
    body = top_body(want, key[0])
    body.pop("deleted", None)
    try:
        return create(ctx, key, body)
    except LookerRequestError as exc:
        if exc.status != 409 or "slug" not in body:
            raise
    body.pop("slug")
    return create(ctx, key, body)


def _write_parts(ctx: Context, key: Key, target_id: str, target: Json) -> None:
    """`target` is the dashboard as last read or as its create answered.

    Calls that do not need each other go side by side, in four rounds: what the backup does
    not have is deleted; filters are written beside the tiles' new queries; then the tiles;
    then the layout and the tiles' places.
    """
    backup = ctx.source_item(key)
    filters = _filter_plan(backup, target)
    have = {str(e["id"]): e for e in target.get("dashboard_elements") or []}
    elements = backup.get("dashboard_elements") or []
    pairs = pair_parts(ctx, key, "dashboard_elements", elements, set(have), target_id == key[1])
    doomed = [("/dashboard_filters/{id}", str(f["id"])) for f in filters.extra]
    doomed += [("/dashboard_elements/{id}", e) for e in sorted(set(have) - set(pairs.values()))]
    ctx.each(
        functools.partial(ctx.send, "DELETE", path, key, id=part_id) for path, part_id in doomed
    )
    same = ctx.plan.resolver.same_instance
    tiles = [_Tile(element, pairs.get(str(element["id"]))) for element in elements]
    tiles = [t for t in tiles if not canonical.left_out(t.want(ctx))]
    tiles = [t for t in tiles if t.target_id or not unbuildable(t.want(ctx), same)]
    claims = lookup.Claims({*have, *(t.target_id for t in tiles if t.target_id)})
    filter_claims = lookup.Claims({str(f["id"]) for f in target.get("dashboard_filters") or []})
    calls: list[Callable[[], object]] = [
        functools.partial(_write_filter, ctx, key, target_id, source, existing, filter_claims)
        for source, existing in filters.wanted
    ]
    calls += [functools.partial(tile.prepare, ctx, key, have) for tile in tiles]
    ctx.each(calls)
    created = ctx.each(functools.partial(tile.write, ctx, key, target_id, claims) for tile in tiles)
    placed = {str(t.element["id"]): t.target_id for t in tiles if t.target_id}
    _write_layout(ctx, key, backup, target, placed, any(created))


@dataclass
class _Filters:
    extra: list[Json]
    wanted: list[tuple[Json, Json | None]]
    """Backed-up filters in row order, each with the target's filter of that name."""


def _filter_plan(backup: Json, target: Json) -> _Filters:
    """Filters by name (tiles name them too); extras go first, titles must stay unique."""
    have = {f["name"]: f for f in target.get("dashboard_filters") or []}
    want = {f["name"]: f for f in backup.get("dashboard_filters") or []}
    ordered = sorted(want.values(), key=lambda f: f.get("row") or 0)
    extra = [f for name, f in have.items() if name not in want]
    return _Filters(extra, [(f, have.get(f["name"])) for f in ordered])


def _write_filter(
    ctx: Context,
    key: Key,
    target_id: str,
    source: Json,
    existing: Json | None,
    claims: lookup.Claims,
) -> None:
    form = canonical.filter_form(source)
    source_id = str(source["id"])
    if existing is None:
        body = {"dashboard_id": target_id} | form
        path = api_path("/dashboards/{id}/dashboard_filters", target_id)
        find = lookup.part(ctx.plan.target.client, path, claims, body, ("name",))
        made = create_part(
            ctx, key, "/dashboard_filters", body, "dashboard_filters", source_id, find
        )
        claims.add(made)
        return
    diff = canonical.differing(form, canonical.filter_form(existing))
    if diff:
        ctx.send("PATCH", "/dashboard_filters/{id}", key, diff, id=str(existing["id"]))
    ctx.plan.resolver.record(("dashboard_filters", source_id), str(existing["id"]))


TILE_MATCH = ("type", "title", "title_text", "look_id", "query_id", "merge_result_id")
"""What a tile a lost create made must share with the tile's body."""


@dataclass
class _Tile:
    """One backed-up tile on its way into the target: paired with a target tile or new."""

    element: Json
    target_id: str | None
    body: Json | None = None

    def want(self, ctx: Context) -> Json:
        return canonical.element_form(self.element, ctx.translate, None)

    def prepare(self, ctx: Context, key: Key, have: dict[str, Json]) -> None:
        """Its body, with a new query (or merge query) made first when its source changed."""
        current = None
        if self.target_id is not None:
            current = canonical.element_form(have[self.target_id], lambda _t, v: v, None)
        self.body = _element_body(ctx, key, self.want(ctx), current)

    def write(self, ctx: Context, key: Key, dashboard_id: str, claims: lookup.Claims) -> bool:
        """Create or update the tile; True when it was made (it has a new place then)."""
        assert self.body is not None
        source_id = str(self.element["id"])
        if self.target_id is not None:
            if not self.body or self._patched(ctx, key):
                ctx.plan.resolver.record(("dashboard_elements", source_id), self.target_id)
                return False
            ctx.send("DELETE", "/dashboard_elements/{id}", key, id=self.target_id)
            self.body = _element_body(ctx, key, self.want(ctx), None)
        body = {"dashboard_id": dashboard_id} | self.body
        path = api_path("/dashboards/{id}/dashboard_elements", dashboard_id)
        names = [name for name in TILE_MATCH if name in body]
        find = lookup.part(ctx.plan.target.client, path, claims, body, names)
        self.target_id = create_part(
            ctx, key, "/dashboard_elements", body, "dashboard_elements", source_id, find
        )
        claims.add(self.target_id)
        return True

    def _patched(self, ctx: Context, key: Key) -> bool:
        """PATCH the tile; False when it was to show a look (a query tile a LookML import made
        of a look's tile, say) and Looker refused that or kept another data source: the
        tile is then made anew, as gzr makes every tile."""
        assert self.body is not None and self.target_id is not None
        look = self.body.get("look_id")
        try:
            answer = ctx.send(
                "PATCH", "/dashboard_elements/{id}", key, self.body, id=self.target_id
            )
        except LookerRequestError as exc:
            if look is None or exc.status != 422:
                raise
            return False
        shown = answer if isinstance(answer, dict) else {}
        return look is None or (
            str(shown.get("look_id")) == str(look) and not shown.get("query_id")
        )


def _element_body(ctx: Context, key: Key, want: Json, current: Json | None) -> Json:
    """What to send for a tile: changed plain fields, its data source, its filter wiring."""

    def differs(name: str) -> bool:
        if current is None:
            return name in want
        return canonical.canonical_json(want.get(name)) != canonical.canonical_json(
            current.get(name)
        )

    body = {
        name: want[name]
        for name in sorted(canonical.ELEMENT_FIELDS)
        if name in want and differs(name) and (current is not None or want[name] is not None)
    }
    text = want.get("type") in canonical.TEXT_TYPES
    if not text:
        if "look_id" in want and differs("look_id"):
            body["look_id"] = want["look_id"]
        elif "query" in want and differs("query"):
            body["query_id"] = create_query(ctx, key, want["query"])
        elif "merge_query" in want and differs("merge_query"):
            body["merge_result_id"] = _create_merge_query(ctx, key, want["merge_query"])
        elif "merge_result_id" in want and differs("merge_result_id"):
            if unbuildable(want, ctx.plan.resolver.same_instance):
                raise Unrestorable("a merged-results tile cannot be rebuilt in another instance")
            body["merge_result_id"] = want["merge_result_id"]
        new_source = {"look_id", "query_id", "merge_result_id"} & set(body)
        if new_source and current is not None:  # a tile shows one thing: clear the others
            body |= {name: None for name in ("look_id", "query_id", "merge_result_id")} | {
                name: body[name] for name in new_source
            }
        if new_source or differs("filterables"):  # a new data source resets the wiring
            body["result_maker"] = {"filterables": want.get("filterables") or []}
    return body


def unbuildable(form: Json, same_instance: bool) -> bool:
    """A merged-results tile whose merge query the backup lacks (made before LookerVault
    stored them, or unreadable then): only its own instance still has that query."""
    return "merge_result_id" in form and not same_instance


def _create_merge_query(ctx: Context, key: Key, definition: Json) -> str:
    """The source queries first, then the merge query over them (Looker returns an identical
    one if it has it)."""
    sources = [
        {
            "query_id": create_query(ctx, key, source["query"]),
            "name": source.get("name"),
            "merge_fields": source.get("merge_fields"),
        }
        for source in definition["source_queries"]
    ]
    body = definition | {"source_queries": sources}
    answer = ctx.send("POST", "/merge_queries", key, body, find=again)
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise ItemError("Looker answered the merge query create without an id")
    return str(answer["id"])


def _write_layout(
    ctx: Context, key: Key, backup: Json, target: Json, placed: dict[str, str], fresh: bool
) -> None:
    """The active layout's settings and each tile's place in it. Looker gives a new tile a
    place of its own; only when tiles were created are the places read again (one call)."""
    source_layout = canonical.active_layout(backup)
    target_layout = canonical.active_layout(target)
    if source_layout is None or target_layout is None:
        return
    layout_id = str(target_layout["id"])
    calls: list[Callable[[], object]] = []
    diff = canonical.differing(
        canonical.layout_form(source_layout), canonical.layout_form(target_layout)
    )
    if diff:
        calls.append(
            functools.partial(ctx.send, "PATCH", "/dashboard_layouts/{id}", key, diff, id=layout_id)
        )
    components = target_layout.get("dashboard_layout_components") or []
    if fresh:
        path = f"/dashboard_layouts/{layout_id}/dashboard_layout_components"
        components = ctx.plan.target.client.get_json(path) or []
    where = {str(c["dashboard_element_id"]): c for c in components}
    places = canonical.positions(backup)
    for source_id, target_element in placed.items():
        place, component = places.get(source_id), where.get(target_element)
        if place is None or component is None:
            continue
        moved = {k: v for k, v in place.items() if component.get(k) != v}
        if moved:
            path = "/dashboard_layout_components/{id}"
            calls.append(
                functools.partial(ctx.send, "PATCH", path, key, moved, id=str(component["id"]))
            )
    ctx.each(calls)


DASHBOARDS = "dashboards"


def parts(item: Json, translate: canonical.Translate) -> Json:
    return canonical.dashboard_children(item, translate)


def lookml_dashboard(item_id: str, _item: Json) -> str | None:
    """A LookML dashboard's id names its file (`model::name`): it lives in its project."""
    return None if item_id.isdigit() else "a LookML dashboard: it lives in its LookML project"


def without_taken_slug(plan: Plan, _item: Json, want: Json, target: Json | None) -> None:
    """An update may not take another dashboard's slug (Looker: 422)."""
    if want.get("slug") and target is not None:
        holder = slug_holder(plan.target, want["slug"])
        if holder is not None and holder != str(target.get("id")):
            want.pop("slug")


def slug_holder(target: Target, slug: str) -> str | None:
    """The target dashboard (in the trash or not) that holds a slug: slugs are unique
    instance-wide, and a trashed dashboard keeps its slug."""
    return next((i for i, d in target.ids(DASHBOARDS).items() if d.get("slug") == slug), None)


def tiles_on_looks_nowhere(
    _resolver: Resolver, item: Json, translate: canonical.Translate
) -> list[Adjustment]:
    """A tile on a look that is in neither the backup nor Looker: a query tile of the look's
    stored query, or left out."""
    found = []
    for element in item.get("dashboard_elements") or []:
        look = element.get("look_id")
        if look is None or translate("looks", str(look)) is not None:
            continue
        tile = element.get("title") or element.get("title_text") or element["id"]
        said = f"tile {tile!r} shows look {look}, which is in neither the backup nor Looker"
        if canonical.left_out(canonical.element_form(element, translate, None)):
            text = f"{said}: it is left out (the backup holds no query for it)"
            found.append(Adjustment("tile_left_out", text, str(element["id"])))
        else:
            text = f"{said}: it comes back as a query tile of the look's stored query"
            found.append(Adjustment("query_tile", text, str(element["id"])))
    return found


def slug_and_tile_notes(plan: Plan) -> list[str]:
    notes = []
    written = [s for s in plan.steps.values() if s.key[0] == DASHBOARDS]
    taken = [
        step.key[1]
        for step in written
        if step.action == "create"
        and slug_holder(plan.target, str((plan.source.get(step.key) or {}).get("slug") or ""))
    ]
    if taken:
        notes.append(
            f"{len(taken)} dashboard(s) ({', '.join(taken[:5])}{', ...' if len(taken) > 5 else ''})"
            " will get a new slug: another dashboard in Looker holds theirs (one in the trash "
            "counts). The report lists the new ones."
        )
    lost = _unbuildable_tiles(plan, [s for s in written if s.action in ("create", "update")])
    if lost:
        notes.append(
            f"{len(lost)} merged-results tile(s) cannot be rebuilt in this instance and are "
            "left out: the backup lacks their merge queries (it was made before LookerVault "
            "stored them, or Looker would not return them). " + "; ".join(lost[:10])
        )
    return notes


def _unbuildable_tiles(plan: Plan, steps: list[Step]) -> list[str]:
    """Tiles a write of their dashboard would leave out, named for the plan's notes."""
    found = []
    for step in steps:
        for element in (plan.source.get(step.key) or {}).get("dashboard_elements") or []:
            form = canonical.element_form(element, lambda _t, v: v, None)
            if not unbuildable(form, plan.resolver.same_instance):
                continue
            tile = ("dashboard_elements", str(element["id"]))
            if plan.resolver.resolve(tile, step.key[1]) is None:
                title = element.get("title") or element.get("title_text") or element["id"]
                found.append(f"dashboard {step.key[1]} {step.title!r}, tile {title!r}")
    return found


def route_note(plan: Plan, release: str | None, lookml_import: bool) -> str | None:
    """Why new dashboards go part by part although the LookML route was asked for."""
    made = any(s.key[0] == DASHBOARDS and s.action == "create" for s in plan.steps.values())
    if not (lookml_import and made) or lookml_route(release):
        return None
    return (
        f"Looker {release or 'of an unknown release'} has no route to make a dashboard "
        "from its LookML (it came with release 22.8): new dashboards are written part by "
        "part."
    )


HANDLER = Handler(
    pseudo=parts,
    write=write_dashboard,
    skip=lookml_dashboard,
    fit=without_taken_slug,
    adjustments=tiles_on_looks_nowhere,
    notes=slug_and_tile_notes,
)
