"""Deterministic seed content: a small Looker instance with realistic relations.

The same `SeedSize` and `seed_value` always give the same objects, so tests can compare what an
extractor fetched with the ground truth.
"""

from __future__ import annotations

import bisect
import dataclasses
import random
import string
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from lookervault.local.standin import shapes, styles, types
from lookervault.local.standin.shapes import Json

SOFT_DELETED_SHARE = 0.07
EPOCH = datetime(2022, 1, 1, tzinfo=UTC)

FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
TOPICS = ["Revenue", "Orders", "Churn", "Inventory", "Marketing", "Support", "Pipeline", "Usage"]
ADJECTIVES = ["Weekly", "Daily", "Regional", "Executive", "Quarterly", "Live", "Team", "Global"]
MODEL_NAMES = ["ecommerce", "marketing", "finance", "supply_chain", "web_events", "support"]
VIEWS = ["order_items", "users", "products", "sessions", "tickets", "invoices", "campaigns"]
MEASURES = ["count", "total_revenue", "average_sale_price", "total_margin", "unique_users"]
DIMENSIONS = ["created_date", "created_month", "status", "category", "country", "brand"]
VIS_TYPES = ["looker_column", "looker_line", "looker_pie", "single_value", "table", "looker_area"]
PERMISSIONS = [
    "access_data",
    "see_lookml_dashboards",
    "see_looks",
    "see_user_dashboards",
    "explore",
    "create_table_calculations",
    "save_content",
    "create_public_looks",
    "download_with_limit",
    "schedule_look_emails",
    "see_schedules",
    "see_sql",
    "manage_spaces",
    "send_to_integration",
]
SYSTEM_ATTRIBUTES = [("email", "Email"), ("first_name", "First Name"), ("last_name", "Last Name")]
CUSTOM_ATTRIBUTES = ["region", "department", "cost_center", "brand", "country", "team"]


@dataclass(frozen=True)
class SeedSize:
    """How many objects of each content type to seed (one int per content type), and how many
    tiles a dashboard has on average.

    `folders` counts ordinary shared folders; the shared root, the users root and one personal
    folder per user come on top. `content_favorites` is an upper bound: a user favours each
    live dashboard, look or board at most once. Every other count is the exact total served.
    `tiles`: each dashboard gets between tiles // 2 and 2 * tiles - tiles // 2 tiles (2 to 6
    for the default 4, as the seed always had), and one in five a merged-results tile on top.

    The parts below `tiles` are off (0) unless asked for, so the default seed stays as it was
    until a client supports each (seed_parts.py makes them; `with_all_parts()` turns all on):
    values set on users' accounts for user attributes, custom attributes made hidden, boards
    with access of their own, trashed boards, dashboards with tabs, custom colour collections
    (one the default, some tiles' `vis_config` naming them) and custom themes.
    """

    dashboards: int = 20
    looks: int = 30
    folders: int = 10
    boards: int = 3
    users: int = 10
    groups: int = 4
    roles: int = 4
    permission_sets: int = 3
    model_sets: int = 3
    user_attributes: int = 6
    scheduled_plans: int = 12
    alerts: int = 6
    lookml_models: int = 3
    content_favorites: int = 15
    tiles: int = 4
    user_attribute_user_values: int = 0
    hidden_attributes: int = 0
    private_boards: int = 0
    trashed_boards: int = 0
    tabbed_dashboards: int = 0
    color_collections: int = 0
    themes: int = 0

    @classmethod
    def empty(cls) -> SeedSize:
        """What a new Looker instance holds before anyone adds content: the shared and users
        root folders, the API user and its personal folder, the built-in Admin permission set,
        the All model set, the Admin role, the All Users group and the system user attributes.
        """
        counts = {f.name: 0 for f in fields(cls) if f.name != "tiles"}
        counts.update({row.name: row.in_new_instance for row in types.ROWS if row.name in counts})
        return cls(**counts)

    @classmethod
    def scaled(cls, n_dashboards: int, tiles: int = 4) -> SeedSize:
        """Every count grown in proportion to `n_dashboards` (defaults have 20 dashboards),
        with `tiles` tiles per dashboard on average; the parts stay off."""
        base = cls()
        factor = n_dashboards / base.dashboards
        counts = {
            f.name: max(1, round(getattr(base, f.name) * factor))
            for f in fields(cls)
            if f.name != "tiles" and f.name not in ALL_PARTS
        }
        counts["dashboards"] = n_dashboards
        return cls(**counts, tiles=tiles)

    @classmethod
    def everything(cls) -> SeedSize:
        """The default seed with every part on, a few of each."""
        return cls().with_all_parts()

    def with_all_parts(self) -> SeedSize:
        """These counts with every part on, a few of each (`--all-parts`)."""
        return dataclasses.replace(self, **ALL_PARTS)


ALL_PARTS = {
    "user_attribute_user_values": 8,
    "hidden_attributes": 1,
    "private_boards": 1,
    "trashed_boards": 1,
    "tabbed_dashboards": 3,
    "color_collections": 3,
    "themes": 2,
}
"""The parts of a seed that are off by default, and how many `with_all_parts()` makes."""


STANDARD_DEFAULT = types.STANDARD_COLLECTIONS[0]
"""A new instance's default colour collection: Looker's own (UNCONFIRMED)."""


@dataclass
class Seeded:
    """Objects per stored type (id -> object, in id order), the next id of every sequence, and
    the instance's defaults ("color_collection": an id, "theme": a name)."""

    objects: dict[str, dict[str, Json]]
    next_ids: dict[str, int] = field(default_factory=dict)
    defaults: dict[str, str] = field(
        default_factory=lambda: {"color_collection": STANDARD_DEFAULT, "theme": "Looker"}
    )

    def new_id(self, sequence: str) -> str:
        """The next id of a sequence, for what is added to the seed after it was drawn."""
        value = self.next_ids.get(sequence, 1)
        self.next_ids[sequence] = value + 1
        return str(value)


class _Gen:
    """The generator's state: one random stream and the id sequences."""

    def __init__(self, seed_value: int) -> None:
        self.rng = random.Random(seed_value)
        self.objects: dict[str, dict[str, Json]] = {name: {} for name in types.TYPES}
        self.next_ids: dict[str, int] = {}

    def new_id(self, sequence: str) -> str:
        value = self.next_ids.get(sequence, 1)
        self.next_ids[sequence] = value + 1
        return str(value)

    def add(self, type_name: str, obj: Json) -> Json:
        self.objects[type_name][obj[types.id_key(type_name)]] = obj
        return obj

    def stamp(self) -> tuple[str, str]:
        created = EPOCH + timedelta(seconds=self.rng.randrange(3 * 365 * 86400))
        updated = created + timedelta(seconds=self.rng.randrange(90 * 86400))
        return iso(created), iso(updated)

    def token(self, length: int) -> str:
        return "".join(self.rng.choices(string.ascii_letters + string.digits, k=length))

    def title(self) -> str:
        return f"{self.rng.choice(ADJECTIVES)} {self.rng.choice(TOPICS)} {self.rng.randrange(1000)}"

    def soft_deleted(self, n: int) -> set[int]:
        """Which of n objects are soft-deleted: about 7%, at least one when n >= 2."""
        if n < 2:
            return set()
        return set(self.rng.sample(range(n), max(1, round(n * SOFT_DELETED_SHARE))))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def generate(size: SeedSize, seed_value: int = 0, *, access_top_down: bool = False) -> Seeded:
    """Build the whole instance: parents before children so every reference resolves.

    `access_top_down`: no folder gives a group or user less access than its parent folder,
    as a Looker that changes access top-down only can hold (the strict profile)."""
    gen = _Gen(seed_value)
    models = _lookml_models(gen, size.lookml_models)
    _permission_sets(gen, size.permission_sets)
    _model_sets(gen, size.model_sets, models)
    _roles(gen, size.roles)
    _groups(gen, size.groups)
    _users(gen, size.users)
    _folders(gen, size.folders)
    _looks(gen, size.looks, models)
    _dashboards(gen, size.dashboards, size.tiles, models)
    _boards(gen, size.boards)
    _user_attributes(gen, size.user_attributes)
    _scheduled_plans(gen, size.scheduled_plans)
    _alerts(gen, size.alerts)
    _settle(gen, seed_value)
    _merged_tiles(gen, seed_value)
    _role_groups(gen, seed_value)
    _content_access(gen, seed_value, access_top_down)
    _favorites(gen, size.content_favorites, seed_value)
    _built_in_styles(gen)
    return Seeded(objects=gen.objects, next_ids=gen.next_ids)


def _built_in_styles(gen: _Gen) -> None:
    """The standard colour collections and the Looker theme every instance ships; their ids
    are fixed, so they draw nothing and take no id from a sequence but the theme's own."""
    for made in styles.standard_collections():
        gen.add("color_collections", made)
    gen.add("themes", styles.looker_theme())
    gen.next_ids["themes"] = int(types.LOOKER_THEME_ID) + 1


def _lookml_models(gen: _Gen, n: int) -> list[str]:
    names = []
    for i in range(n):
        name = MODEL_NAMES[i % len(MODEL_NAMES)] + (f"_{i // len(MODEL_NAMES)}" if i >= 6 else "")
        obj = types.blank("lookml_models")
        obj.update(
            name=name,
            label=name.replace("_", " ").title(),
            project_name=f"{name}_project",
            allowed_db_connection_names=[gen.rng.choice(["bigquery_prod", "snowflake", "pg"])],
            explores=[
                {
                    "name": view,
                    "label": view.replace("_", " ").title(),
                    "description": f"Explore {view}",
                    "hidden": False,
                    "group_label": name.title(),
                }
                for view in gen.rng.sample(VIEWS, gen.rng.randint(2, 4))
            ],
        )
        gen.add("lookml_models", obj)
        names.append(name)
    return names


def _permission_sets(gen: _Gen, n: int) -> None:
    for i in range(n):
        obj = types.blank("permission_sets")
        obj["id"] = gen.new_id("permission_sets")
        if i == 0:
            obj.update(name="Admin", permissions=list(PERMISSIONS), all_access=True, built_in=True)
        else:
            obj.update(
                name=f"Permission Set {i}",
                permissions=sorted(gen.rng.sample(PERMISSIONS, gen.rng.randint(2, 8))),
            )
        gen.add("permission_sets", obj)


def _model_sets(gen: _Gen, n: int, models: list[str]) -> None:
    for i in range(n):
        obj = types.blank("model_sets")
        obj["id"] = gen.new_id("model_sets")
        if i == 0:
            obj.update(name="All", models=list(models), all_access=True, built_in=True)
        else:
            picked = gen.rng.sample(models, gen.rng.randint(1, len(models)))
            obj.update(name=f"Model Set {i}", models=sorted(picked))
        gen.add("model_sets", obj)


def _roles(gen: _Gen, n: int) -> None:
    permission_sets = list(gen.objects["permission_sets"])
    model_sets = list(gen.objects["model_sets"])
    for i in range(n):
        obj = types.blank("roles")
        obj["id"] = gen.new_id("roles")
        obj.update(
            name="Admin" if i == 0 else f"Role {i}",
            permission_set_id=permission_sets[0] if i == 0 else gen.rng.choice(permission_sets),
            model_set_id=model_sets[0] if i == 0 else gen.rng.choice(model_sets),
        )
        gen.add("roles", obj)


def _merged_tiles(gen: _Gen, seed_value: int) -> None:
    """One dashboard in five gets a merged-results tile below its others: a merge query of two
    seeded queries joined on their first fields. Drawn from a stream of its own and added
    after every other tile, so the content drawn before stays as it was."""
    rng = random.Random(f"merges-{seed_value}")
    dashboards = list(gen.objects["dashboards"].values())
    queries = list(gen.objects["queries"].values())
    if len(queries) < 2:
        return
    for dashboard in rng.sample(dashboards, round(len(dashboards) / 5)):
        merge = _merge_query(gen, rng.sample(queries, 2), rng)
        names = [source["name"] for source in merge["source_queries"]]
        element = shapes.dashboard_element()
        element.update(
            id=gen.new_id("dashboard_elements"),
            dashboard_id=dashboard["id"],
            title=f"Merged {' and '.join(names)}",
            merge_result_id=merge["id"],
            result_maker_id=gen.new_id("result_makers"),
            result_maker={
                "filterables": [
                    shapes.filterable(gen.objects["queries"][source["query_id"]], source["name"])
                    for source in merge["source_queries"]
                ]
            },
        )
        dashboard["dashboard_elements"].append(element)
        layout = dashboard["dashboard_layouts"][0]
        component_id = gen.new_id("dashboard_layout_components")
        component = shapes.component_below(
            component_id, layout, element, merge["vis_config"]["type"]
        )
        layout["dashboard_layout_components"].append(component)


def _merge_query(gen: _Gen, sources: list[Json], rng: random.Random) -> Json:
    primary, secondary = sources
    merge = shapes.merge_query()
    merge.update(
        id=gen.new_id("merge_queries"),
        result_maker_id=gen.new_id("result_makers"),
        sorts=list(primary["sorts"]),
        limit="500",
        vis_config={"type": rng.choice(VIS_TYPES)},
        source_queries=[
            shapes.merge_source(
                {"name": primary["view"], "query_id": primary["id"]}, primary["slug"]
            ),
            shapes.merge_source(
                {
                    "name": secondary["view"],
                    "query_id": secondary["id"],
                    "merge_fields": [
                        {
                            "field_name": primary["fields"][0],
                            "source_field_name": secondary["fields"][0],
                        }
                    ],
                },
                secondary["slug"],
            ),
        ],
    )
    return gen.add("merge_queries", merge)


def _role_groups(gen: _Gen, seed_value: int) -> None:
    """Every role but Admin is given to one or two groups, drawn from a stream of its own so
    the content drawn before stays as it was."""
    rng = random.Random(f"role-groups-{seed_value}")
    groups = list(gen.objects["groups"])
    for role_id in list(gen.objects["roles"])[1:]:
        picked = rng.sample(groups, min(len(groups), rng.randint(1, 2)))
        gen.add("role_groups", {"role_id": role_id, "group_ids": sorted(picked, key=int)})


def _content_access(gen: _Gen, seed_value: int, top_down: bool) -> None:
    """A content metadata record for every folder, dashboard, look and board; the Shared
    folder open to All Users (Looker's default, "completely open"); about one shared folder
    in three with access of its own: one to three groups or users, each view or edit. Drawn
    from a stream of its own so the content drawn before stays as it was. `top_down`: each
    such folder starts from its parent's access (as turning inheritance off does) and the
    draw only adds to it or raises it, parents before children."""
    records = [
        shapes.content_meta(
            target, obj, inherits=not (obj.get("is_shared_root") or obj.get("is_users_root"))
        )
        for type_name, target in types.CONTENT_META_TARGETS.items()
        for obj in gen.objects[type_name].values()
    ]
    for record in sorted(records, key=lambda r: int(r["id"])):
        gen.add("content_metadata", record)
    folders = list(gen.objects["folders"].values())
    everyone = next(g["id"] for g in gen.objects["groups"].values() if g["include_by_default"])
    shared_root = next(f for f in folders if f["is_shared_root"])
    _grant(gen, shared_root, "edit", ("group_id", everyone))
    rng = random.Random(f"access-{seed_value}")
    shared = [f for f in folders if f["parent_id"] and not f["is_personal"]]
    principals = [("group_id", g) for g in gen.objects["groups"]]
    principals += [("user_id", u) for u in gen.objects["users"]]
    drawn = [
        (
            folder,
            [
                (principal, rng.choice(["view", "edit"]))
                for principal in rng.sample(principals, min(len(principals), rng.randint(1, 3)))
            ],
        )
        for folder in rng.sample(shared, round(len(shared) / 3))
    ]
    for folder, grants in sorted(drawn, key=lambda d: int(d[0]["id"])) if top_down else drawn:
        gen.objects["content_metadata"][folder["content_metadata_id"]]["inherits"] = False
        if top_down:
            grants = _raised(_parent_access(gen, folder), grants)
        for principal, permission_type in grants:
            _grant(gen, folder, permission_type, principal)


def _parent_access(gen: _Gen, folder: Json) -> list[tuple[tuple[str, str], str]]:
    """The access a folder's parent gives: the entries of the nearest folder above it (the
    parent included) that does not inherit."""
    metas = gen.objects["content_metadata"]
    parent = gen.objects["folders"][folder["parent_id"]]
    while metas[parent["content_metadata_id"]]["inherits"]:
        parent = gen.objects["folders"][parent["parent_id"]]
    meta_id = parent["content_metadata_id"]
    return [
        (_principal(entry), entry["permission_type"])
        for entry in gen.objects["content_metadata_access"].values()
        if entry["content_metadata_id"] == meta_id
    ]


def _raised(
    inherited: list[tuple[tuple[str, str], str]], drawn: list[tuple[tuple[str, str], str]]
) -> list[tuple[tuple[str, str], str]]:
    """The inherited grants, each raised to edit where the draw says so, then the drawn
    grants for groups and users the parent does not name."""
    wanted = dict(drawn)
    kept = [
        (principal, "edit" if wanted.get(principal) == "edit" else level)
        for principal, level in inherited
    ]
    named = {principal for principal, _ in inherited}
    return kept + [(principal, level) for principal, level in drawn if principal not in named]


def _principal(entry: Json) -> tuple[str, str]:
    key = "group_id" if entry["group_id"] else "user_id"
    return key, entry[key]


def _favorites(gen: _Gen, n: int, seed_value: int) -> None:
    """n favourites of live dashboards, looks and boards, dealt to the users in turn (so each
    has one or two), none twice for one user; drawn from a stream of their own."""
    rng = random.Random(f"favorites-{seed_value}")
    users = list(gen.objects["users"])
    live = [
        gen.objects["content_metadata"][obj["content_metadata_id"]]
        for type_name in ("dashboards", "looks", "boards")
        for obj in gen.objects[type_name].values()
        if not obj.get("deleted")
    ]
    taken: dict[str, list[int]] = {}
    for i in range(n):
        user_id = users[i % len(users)]
        mine = taken.setdefault(user_id, [])
        if len(mine) == len(live):
            continue
        # The draw rng.choice makes over the content not yet this user's favourite, without
        # building that list (choice reads only its length): then skip past what is taken.
        position = rng.choice(range(len(live) - len(mine)))
        for held in mine:
            if held <= position:
                position += 1
        bisect.insort(mine, position)
        meta = live[position]
        favorite = shapes.content_favorite(gen.new_id("content_favorites"), user_id, meta)
        gen.add("content_favorites", favorite)


def _grant(gen: _Gen, folder: Json, permission_type: str, principal: tuple[str, str]) -> None:
    access_id = gen.new_id("content_metadata_access")
    entry = shapes.content_access(
        access_id, folder["content_metadata_id"], permission_type, principal
    )
    gen.add("content_metadata_access", entry)


def _groups(gen: _Gen, n: int) -> None:
    for i in range(n):
        obj = types.blank("groups")
        obj["id"] = gen.new_id("groups")
        obj["name"] = "All Users" if i == 0 else f"{gen.rng.choice(TOPICS)} Team {i}"
        obj["include_by_default"] = i == 0
        gen.add("groups", obj)


def _users(gen: _Gen, n: int) -> None:
    roles = list(gen.objects["roles"])
    groups = list(gen.objects["groups"])
    for i in range(max(1, n)):
        obj = types.blank("users")
        obj["id"] = gen.new_id("users")
        first = "API" if i == 0 else gen.rng.choice(FIRST_NAMES)
        last = "Admin" if i == 0 else gen.rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{obj['id']}@example.com".lower()
        created, _ = gen.stamp()
        extra = gen.rng.sample(groups[1:], min(len(groups) - 1, gen.rng.randint(0, 2)))
        obj.update(
            first_name=first,
            last_name=last,
            display_name=f"{first} {last}",
            email=email,
            is_disabled=i > 0 and gen.rng.random() < 0.05,
            role_ids=[roles[0]] if i == 0 else sorted(gen.rng.sample(roles, 1), key=int),
            group_ids=sorted({groups[0], *extra}, key=int),
            avatar_url=f"https://gravatar.invalid/avatar/{gen.token(16)}?s=156&d=blank",
            credentials_email={
                "email": email,
                "created_at": created,
                "logged_in_at": None,
                "is_disabled": False,
                "forced_password_reset_at_next_login": False,
                "type": "email",
            },
        )
        gen.add("users", obj)
    for group in gen.objects["groups"].values():
        group["user_count"] = sum(
            group["id"] in user["group_ids"] for user in gen.objects["users"].values()
        )


def _folders(gen: _Gen, n: int) -> None:
    shared = _folder(gen, "Shared", None, "1")
    shared["is_shared_root"] = True
    users_root = _folder(gen, "Users", None, "1")
    users_root["is_users_root"] = True
    for user in gen.objects["users"].values():
        personal = _folder(gen, user["display_name"], users_root["id"], user["id"])
        personal["is_personal"] = True
        user["personal_folder_id"] = personal["id"]
        user["home_folder_id"] = shared["id"]
    tree = [shared["id"]]
    user_ids = list(gen.objects["users"])
    for _ in range(n):
        parent = gen.rng.choice(tree[: max(1, len(tree) // 2 + 1)])
        owner = gen.rng.choice(user_ids)
        child = _folder(gen, f"{gen.rng.choice(TOPICS)} {gen.token(4)}", parent, owner)
        tree.append(child["id"])
    for folder in gen.objects["folders"].values():
        if folder["parent_id"] is not None:
            gen.objects["folders"][folder["parent_id"]]["child_count"] += 1


def _folder(gen: _Gen, name: str, parent_id: str | None, creator_id: str) -> Json:
    obj = types.blank("folders")
    obj["id"] = gen.new_id("folders")
    obj.update(
        name=name,
        parent_id=parent_id,
        creator_id=creator_id,
        created_at=gen.stamp()[0],
        content_metadata_id=gen.new_id("content_metadata"),
    )
    return gen.add("folders", obj)


def _query(gen: _Gen, models: list[str]) -> Json:
    model = gen.rng.choice(models)
    view = gen.rng.choice(VIEWS)
    dims = [f"{view}.{d}" for d in gen.rng.sample(DIMENSIONS, gen.rng.randint(1, 2))]
    measures = [f"{view}.{m}" for m in gen.rng.sample(MEASURES, gen.rng.randint(1, 2))]
    obj = types.blank("queries")
    obj["id"] = gen.new_id("queries")
    obj.update(
        model=model,
        view=view,
        fields=dims + measures,
        filters={f"{view}.created_date": gen.rng.choice(["7 days", "30 days", "this year"])},
        sorts=[f"{measures[0]} desc"],
        vis_config={"type": gen.rng.choice(VIS_TYPES), "show_legend": True, "stacking": ""},
        client_id=gen.token(22),
        slug=gen.token(7),
    )
    return gen.add("queries", obj)


class _Owners:
    """Picks an owner and a folder for new content: mostly shared folders, sometimes personal."""

    def __init__(self, gen: _Gen) -> None:
        self.gen = gen
        self.users = list(gen.objects["users"].values())
        self.shared = [
            f["id"]
            for f in gen.objects["folders"].values()
            if not f["is_personal"] and not f["is_users_root"]
        ]

    def pick(self) -> tuple[str, str]:
        user = self.gen.rng.choice(self.users)
        if self.gen.rng.random() < 0.2:
            return user["id"], user["personal_folder_id"]
        return user["id"], self.gen.rng.choice(self.shared)


def _mark_deleted(gen: _Gen, obj: Json, updated: str) -> None:
    obj.update(deleted=True, deleted_at=updated, deleter_id=obj["user_id"])


def _looks(gen: _Gen, n: int, models: list[str]) -> None:
    deleted = gen.soft_deleted(n)
    owners = _Owners(gen)
    for i in range(n):
        obj = types.blank("looks")
        obj["id"] = gen.new_id("looks")
        user_id, folder_id = owners.pick()
        created, updated = gen.stamp()
        obj.update(
            title=gen.title(),
            description=gen.rng.choice([None, "Saved analysis for the team."]),
            user_id=user_id,
            folder_id=folder_id,
            query_id=_query(gen, models)["id"],
            created_at=created,
            updated_at=updated,
            last_updater_id=user_id,
            view_count=gen.rng.randrange(500),
            favorite_count=gen.rng.randrange(20),
            content_metadata_id=gen.new_id("content_metadata"),
            short_url=f"/x/{gen.token(22)}",
        )
        if i in deleted:
            _mark_deleted(gen, obj, updated)
        gen.add("looks", obj)


def _dashboards(gen: _Gen, n: int, tiles: int, models: list[str]) -> None:
    deleted = gen.soft_deleted(n)
    looks = list(gen.objects["looks"])
    owners = _Owners(gen)
    for i in range(n):
        obj = types.blank("dashboards")
        obj["id"] = gen.new_id("dashboards")
        user_id, folder_id = owners.pick()
        created, updated = gen.stamp()
        obj.update(
            title=gen.title(),
            description=gen.rng.choice([None, "Key numbers at a glance.", "Owned by analytics."]),
            user_id=user_id,
            folder_id=folder_id,
            slug=gen.token(22),
            created_at=created,
            updated_at=updated,
            last_updater_id=user_id,
            view_count=gen.rng.randrange(2000),
            favorite_count=gen.rng.randrange(50),
            content_metadata_id=gen.new_id("content_metadata"),
        )
        count = gen.rng.randint(tiles // 2, 2 * tiles - tiles // 2)
        elements = [_element(gen, obj["id"], looks, models) for _ in range(count)]
        obj["dashboard_elements"] = elements
        obj["dashboard_filters"] = [
            _dashboard_filter(gen, obj["id"], row, models) for row in range(gen.rng.randint(0, 3))
        ]
        obj["dashboard_layouts"] = [_layout(gen, obj, elements)]
        if i in deleted:
            _mark_deleted(gen, obj, updated)
        gen.add("dashboards", obj)


def _element(gen: _Gen, dashboard_id: str, looks: list[str], models: list[str]) -> Json:
    obj = shapes.dashboard_element()
    obj["id"] = gen.new_id("dashboard_elements")
    obj["dashboard_id"] = dashboard_id
    roll = gen.rng.random()
    if roll < 0.1:
        obj.update(type="text", title_text=gen.title(), body_text="Numbers refresh hourly.")
    elif roll < 0.5 and looks:
        obj.update(look_id=gen.rng.choice(looks), title=gen.title())
    else:
        obj.update(query_id=_query(gen, models)["id"], title=gen.title())
        obj["result_maker_id"] = gen.new_id("result_makers")
    return obj


def _settle(gen: _Gen, seed_value: int) -> None:
    """What Looker guarantees of stored content, applied after the random draw (so the draw,
    and every object it made, stays as it was): titles unique among the live dashboards
    (looks) of a folder, filter titles unique within a dashboard, and a result maker on every
    tile that shows a query, some of them listening to their dashboard's filters (drawn from
    a stream of their own)."""
    for type_name in ("looks", "dashboards"):
        seen: set[tuple[str, str]] = set()
        for obj in gen.objects[type_name].values():
            title = obj["title"]
            n = 1
            while (obj["folder_id"], title) in seen and not obj["deleted"]:
                n += 1
                title = f"{obj['title']} ({n})"
            obj["title"] = title
            if not obj["deleted"]:
                seen.add((obj["folder_id"], title))
    rng = random.Random(f"listeners-{seed_value}")
    for dashboard in gen.objects["dashboards"].values():
        titles: set[str] = set()
        kept = []
        for flt in dashboard["dashboard_filters"]:
            if flt["title"] not in titles:
                titles.add(flt["title"])
                kept.append(flt)
        dashboard["dashboard_filters"] = kept
        for element in dashboard["dashboard_elements"]:
            _result_maker(gen, element, kept, rng)


def _result_maker(gen: _Gen, element: Json, filters: list[Json], rng: random.Random) -> None:
    if element["type"] == "text":
        return
    query_id = element["query_id"]
    if query_id is None:
        query_id = gen.objects["looks"][element["look_id"]]["query_id"]
    source = gen.objects["queries"][query_id]
    element["result_maker_id"] = element["result_maker_id"] or gen.new_id("result_makers")
    listening = [f for f in filters if rng.random() < 0.6]
    element["result_maker"] = {
        "filterables": [
            {
                "model": source["model"],
                "view": source["view"],
                "name": None,
                "listen": [
                    {"dashboard_filter_name": f["name"], "field": f["dimension"]} for f in listening
                ],
            }
        ]
    }


def _dashboard_filter(gen: _Gen, dashboard_id: str, row: int, models: list[str]) -> Json:
    view = gen.rng.choice(VIEWS)
    dimension = gen.rng.choice(DIMENSIONS)
    obj = shapes.dashboard_filter()
    obj.update(
        id=gen.new_id("dashboard_filters"),
        dashboard_id=dashboard_id,
        name=dimension.replace("_", " ").title(),
        title=dimension.replace("_", " ").title(),
        default_value=gen.rng.choice(["", "7 days", "USA"]),
        model=gen.rng.choice(models),
        explore=view,
        dimension=f"{view}.{dimension}",
        row=row,
    )
    return obj


def _layout(gen: _Gen, dashboard: Json, elements: list[Json]) -> Json:
    layout = shapes.dashboard_layout()
    layout.update(id=gen.new_id("dashboard_layouts"), dashboard_id=dashboard["id"])
    components = []
    for index, element in enumerate(elements):
        component = shapes.dashboard_layout_component()
        component.update(
            id=gen.new_id("dashboard_layout_components"),
            dashboard_layout_id=layout["id"],
            dashboard_element_id=element["id"],
            row=(index // 3) * 6,
            column=(index % 3) * 8,
            element_title=element["title"] or element["title_text"],
            vis_type="text" if element["type"] == "text" else gen.rng.choice(VIS_TYPES),
        )
        components.append(component)
    layout["dashboard_layout_components"] = components
    return layout


def _boards(gen: _Gen, n: int) -> None:
    dashboards = list(gen.objects["dashboards"])
    looks = list(gen.objects["looks"])
    for _ in range(n):
        obj = types.blank("boards")
        obj["id"] = gen.new_id("boards")
        created, updated = gen.stamp()
        obj.update(
            title=f"{gen.rng.choice(TOPICS)} Board",
            description="Start here.",
            user_id=gen.rng.choice(list(gen.objects["users"])),
            created_at=created,
            updated_at=updated,
            content_metadata_id=gen.new_id("content_metadata"),
        )
        for _ in range(gen.rng.randint(1, 3)):
            obj["board_sections"].append(_board_section(gen, obj, dashboards, looks))
        obj["section_order"] = [s["id"] for s in obj["board_sections"]]
        gen.add("boards", obj)


def _board_section(gen: _Gen, board: Json, dashboards: list[str], looks: list[str]) -> Json:
    section = shapes.board_section()
    section.update(
        id=gen.new_id("board_sections"),
        board_id=board["id"],
        title=gen.rng.choice(TOPICS),
        created_at=board["created_at"],
        updated_at=board["updated_at"],
    )
    for order in range(gen.rng.randint(1, 5)):
        item = shapes.board_item()
        item.update(id=gen.new_id("board_items"), board_section_id=section["id"], order=order)
        if looks and (not dashboards or gen.rng.random() < 0.4):
            item["look_id"] = gen.rng.choice(looks)
            item["url"] = f"/looks/{item['look_id']}"
            item["title"] = gen.objects["looks"][item["look_id"]]["title"]
        elif dashboards:
            item["dashboard_id"] = gen.rng.choice(dashboards)
            item["url"] = f"/dashboards/{item['dashboard_id']}"
            item["title"] = gen.objects["dashboards"][item["dashboard_id"]]["title"]
        section["board_items"].append(item)
    section["item_order"] = [item["id"] for item in section["board_items"]]
    section["visible_item_order"] = list(section["item_order"])
    return section


def _user_attributes(gen: _Gen, n: int) -> None:
    groups = list(gen.objects["groups"])
    for i in range(n):
        obj = types.blank("user_attributes")
        obj["id"] = gen.new_id("user_attributes")
        if i < len(SYSTEM_ATTRIBUTES):
            name, label = SYSTEM_ATTRIBUTES[i]
            obj.update(name=name, label=label, is_system=True, is_permanent=True)
        else:
            name = CUSTOM_ATTRIBUTES[(i - 3) % len(CUSTOM_ATTRIBUTES)]
            name += (
                f"_{(i - 3) // len(CUSTOM_ATTRIBUTES)}" if i - 3 >= len(CUSTOM_ATTRIBUTES) else ""
            )
            obj.update(
                name=name,
                label=name.replace("_", " ").title(),
                default_value=gen.rng.choice([None, "none", "EMEA"]),
                user_can_edit=gen.rng.random() < 0.3,
            )
            for rank, group_id in enumerate(gen.rng.sample(groups, min(len(groups), 2)), 1):
                value = types.blank("user_attribute_group_values")
                value.update(
                    id=gen.new_id("user_attribute_group_values"),
                    group_id=group_id,
                    user_attribute_id=obj["id"],
                    rank=rank,
                    value=gen.rng.choice(["EMEA", "APAC", "AMER", "finance", "sales"]),
                )
                gen.add("user_attribute_group_values", value)
        gen.add("user_attributes", obj)


def _scheduled_plans(gen: _Gen, n: int) -> None:
    users = list(gen.objects["users"])
    live_dashboards = [d["id"] for d in gen.objects["dashboards"].values() if not d["deleted"]]
    live_looks = [look["id"] for look in gen.objects["looks"].values() if not look["deleted"]]
    for i in range(n):
        obj = types.blank("scheduled_plans")
        obj["id"] = gen.new_id("scheduled_plans")
        owner = users[0] if i % 3 == 0 else gen.rng.choice(users)
        created, updated = gen.stamp()
        name = f"{gen.rng.choice(ADJECTIVES)} delivery {i + 1}"
        obj.update(
            name=name,
            title=name,
            user_id=owner,
            crontab=gen.rng.choice(["0 6 * * 1", "0 8 * * *", "30 7 1 * *"]),
            created_at=created,
            updated_at=updated,
            next_run_at=iso(datetime(2030, 1, 6, 6, tzinfo=UTC)),
        )
        if live_dashboards and (not live_looks or gen.rng.random() < 0.6):
            obj["dashboard_id"] = gen.rng.choice(live_dashboards)
        elif live_looks:
            obj["look_id"] = gen.rng.choice(live_looks)
        obj["scheduled_plan_destination"] = [
            _destination(gen, obj["id"]) for _ in range(gen.rng.randint(1, 2))
        ]
        gen.add("scheduled_plans", obj)


def _destination(gen: _Gen, plan_id: str) -> Json:
    return {
        "id": gen.new_id("scheduled_plan_destinations"),
        "scheduled_plan_id": plan_id,
        "format": gen.rng.choice(["wysiwyg_pdf", "csv_zip", "wysiwyg_png"]),
        "apply_formatting": True,
        "apply_vis": True,
        "address": f"team{gen.rng.randrange(50)}@example.com",
        "type": "email",
        "parameters": None,
        "message": None,
    }


def _alerts(gen: _Gen, n: int) -> None:
    users = list(gen.objects["users"])
    tiles: list[tuple[str, Any]] = [
        (element["id"], gen.objects["queries"][element["query_id"]])
        for dashboard in gen.objects["dashboards"].values()
        for element in dashboard["dashboard_elements"]
        if element["query_id"]
    ]
    for i in range(n):
        obj = types.blank("alerts")
        obj["id"] = gen.new_id("alerts")
        owner = users[0] if i % 2 == 0 else gen.rng.choice(users)
        field_name = "order_items.count"
        if tiles:
            element_id, query = gen.rng.choice(tiles)
            obj["dashboard_element_id"] = element_id
            field_name = query["fields"][-1]
        obj.update(
            owner_id=owner,
            comparison_type=gen.rng.choice(["GREATER_THAN", "LESS_THAN", "EQUAL_TO"]),
            cron=gen.rng.choice(["0 9 * * *", "0 * * * *"]),
            custom_title=f"{field_name} watch",
            threshold=float(gen.rng.randrange(1, 10000)),
            field={"title": field_name.split(".")[-1].title(), "name": field_name, "filter": []},
            destinations=[
                {
                    "destination_type": "EMAIL",
                    "email_address": f"oncall{gen.rng.randrange(9)}@example.com",
                    "action_hub_integration_id": None,
                    "action_hub_form_params_json": None,
                }
            ],
        )
        gen.add("alerts", obj)
