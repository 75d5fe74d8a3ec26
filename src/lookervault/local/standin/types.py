"""The stand-in's one table of its own types: what each stored type is called on the API, which
generic routes serve it, what Looker checks on a write of it, and its blank shape.

Every other part (routes, store checks, indexes, the seed's tables, counts) reads this table,
so adding a flat type is one `TypeRow` here plus its seed generator (seed.py). The stand-in's
own list: it never reads the product's type registry, so it stays an independent oracle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from lookervault.local.standin import shapes
from lookervault.local.standin.shapes import Json


@dataclass(frozen=True)
class BuiltIn:
    """Objects Looker ships and protects: which ones, and the status and message of the
    refusal to change them."""

    is_built_in: Callable[[Json], bool]
    status: int
    message: str


@dataclass(frozen=True)
class TypeRow:
    """One stored type."""

    name: str
    blank: Callable[[], Json]
    """A new object with every key at its default (shapes.py)."""
    content: bool = False
    """A content type the extractor backs up (the shared vocabulary, `CONTENT_TYPES`); the
    others are internal, or served but not backed up yet."""
    path: str | None = None
    """Where the generic routes serve it (`POST path`, `GET path/{id}`...); None: only the
    routes of its family, or none (an internal type)."""
    searchable: bool = False
    """`GET path/search`."""
    listable: bool = False
    """`GET path`."""
    replaceable: bool = False
    """`PUT path/{id}` besides PATCH."""
    required: tuple[str, ...] = ()
    """Keys a create must give (422 missing)."""
    references: Mapping[str, str] = field(default_factory=dict)
    """Keys that name another object -> its table; a table the stand-in does not model holds
    nothing, so any id there is dangling."""
    unique: tuple[str, ...] = ()
    """Keys whose value no two objects share (422 already_exists)."""
    built_in: BuiltIn | None = None
    id_key: str = "id"
    item_param: str | None = None
    """The spec's name for the id in an item path; by default the singular name + "_id"."""
    managed: frozenset[str] = frozenset()
    """Keys of this type a request body cannot set, besides `SERVER_MANAGED`."""
    list_omits: frozenset[str] = frozenset()
    """Keys a list or search leaves out: callers fetch the object by id for those."""
    soft_deletable: bool = False
    """`deleted: true` trashes it, a search hides it unless asked."""
    content_meta: tuple[str, str] | None = None
    """It has content metadata: (its `content_type` there, the key naming it)."""
    in_new_instance: int = 0
    """How many a new Looker instance holds (`SeedSize.empty()`)."""

    @property
    def param(self) -> str:
        return self.item_param or self.name[:-1] + "_id"


SERVER_MANAGED = frozenset(
    {
        "id",
        "can",
        "created_at",
        "updated_at",
        "url",
        "content_metadata_id",
        "content_favorite_id",
        "deleter_id",
        "view_count",
        "favorite_count",
        "last_updater_id",
        "last_viewed_at",
        "last_accessed_at",
        "readonly",
        "user_name",
        "short_url",
    }
)
"""Keys a client cannot set on any type: Looker ignores them in request bodies (readOnly).
`deleted_at` is not among them: a board (and a board section) is trashed by writing it (spec
`Board.deleted_at`); a dashboard or look by writing `deleted`."""

TRASH_STAMPS = frozenset({"deleted_at"})
"""What dashboards and looks keep to themselves: `deleted` trashes them, Looker stamps it."""

STANDARD_COLLECTIONS = ("looker", "google", "dashboard")
"""The ids of the colour collections every Looker instance ships (UNCONFIRMED: which ones)."""

LOOKER_THEME_ID = "1"
"""The theme "Looker" every instance has (spec `create_theme`: "the default theme settings")."""

SETS_BUILT_IN = BuiltIn(lambda obj: bool(obj["built_in"]), 405, "Resource Can't Be Modified")
"""The spec documents 405 "Resource Can't Be Modified" for update and delete of permission and
model sets."""

ROWS = (
    TypeRow(
        "dashboards",
        shapes.dashboard,
        content=True,
        path="/dashboards",
        searchable=True,
        listable=True,
        required=("title", "folder_id"),
        references={"folder_id": "folders", "user_id": "users"},
        managed=frozenset({"dashboard_elements", "dashboard_filters", "dashboard_layouts"})
        | TRASH_STAMPS,
        list_omits=frozenset({"dashboard_elements", "dashboard_filters", "dashboard_layouts"}),
        soft_deletable=True,
        content_meta=("dashboard", "dashboard_id"),
    ),
    TypeRow(
        "looks",
        shapes.look,
        content=True,
        path="/looks",
        searchable=True,
        listable=True,
        required=("title", "folder_id", "query_id"),
        references={"folder_id": "folders", "user_id": "users", "query_id": "queries"},
        managed=TRASH_STAMPS,
        soft_deletable=True,
        content_meta=("look", "look_id"),
    ),
    TypeRow(
        "folders",
        shapes.folder,
        content=True,
        path="/folders",
        searchable=True,
        listable=True,
        required=("name", "parent_id"),
        references={"parent_id": "folders"},
        managed=frozenset(
            {"child_count", "creator_id", "is_personal", "is_personal_descendant"}
            | {"is_shared_root", "is_users_root", "is_embed"}
            | {"is_embed_shared_root", "is_embed_users_root"}
        ),
        # The spec names a folder's content type "space" (`ContentMeta.folder_id`).
        content_meta=("space", "folder_id"),
    ),
    TypeRow(
        "boards",
        shapes.board,
        content=True,
        path="/boards",
        searchable=True,
        listable=True,
        required=("title",),
        references={"user_id": "users"},
        managed=frozenset({"board_sections", "primary_homepage"}),
        content_meta=("board", "homepage_id"),
    ),
    TypeRow(
        "users",
        shapes.user,
        content=True,
        path="/users",
        searchable=True,
        listable=True,
        managed=frozenset(
            {"group_ids", "role_ids", "personal_folder_id", "display_name", "email"}
            | {"credentials_email", "avatar_url", "verified_looker_employee"}
            | {"is_service_account"}
        ),
        in_new_instance=1,
    ),
    TypeRow(
        "groups",
        shapes.group,
        content=True,
        path="/groups",
        searchable=True,
        listable=True,
        required=("name",),
        unique=("name",),
        managed=frozenset({"user_count", "externally_managed", "contains_current_user"}),
        in_new_instance=1,
    ),
    TypeRow(
        "roles",
        shapes.role,
        content=True,
        path="/roles",
        searchable=True,
        listable=True,
        required=("name", "permission_set_id", "model_set_id"),
        references={"permission_set_id": "permission_sets", "model_set_id": "model_sets"},
        unique=("name",),
        in_new_instance=1,
    ),
    TypeRow(
        "permission_sets",
        shapes.permission_set,
        content=True,
        path="/permission_sets",
        searchable=True,
        listable=True,
        required=("name", "permissions"),
        unique=("name",),
        built_in=SETS_BUILT_IN,
        managed=frozenset({"built_in", "all_access"}),
        in_new_instance=1,
    ),
    TypeRow(
        "model_sets",
        shapes.model_set,
        content=True,
        path="/model_sets",
        searchable=True,
        listable=True,
        required=("name", "models"),
        unique=("name",),
        built_in=SETS_BUILT_IN,
        managed=frozenset({"built_in", "all_access"}),
        in_new_instance=1,
    ),
    TypeRow(
        "user_attributes",
        shapes.user_attribute,
        content=True,
        path="/user_attributes",
        listable=True,
        required=("name", "label", "type"),
        unique=("name", "label"),
        # The spec documents no status for this refusal: 422 chosen (400 on delete).
        built_in=BuiltIn(
            lambda obj: bool(obj["is_system"]),
            422,
            "System user attributes cannot be changed or deleted.",
        ),
        managed=frozenset({"is_system", "is_permanent"}),
        in_new_instance=3,
    ),
    TypeRow(
        "scheduled_plans",
        shapes.scheduled_plan,
        content=True,
        path="/scheduled_plans",
        listable=True,
        required=("name",),
        references={
            "user_id": "users",
            "dashboard_id": "dashboards",
            "look_id": "looks",
            "query_id": "queries",
            "lookml_dashboard_id": "lookml_dashboards",
        },
    ),
    TypeRow(
        "alerts",
        shapes.alert,
        content=True,
        path="/alerts",
        searchable=True,
        replaceable=True,
        required=("comparison_type", "cron", "field", "owner_id", "threshold", "destinations"),
        references={"owner_id": "users", "dashboard_element_id": "dashboard_elements"},
        managed=frozenset({"followed", "followable"}),
    ),
    TypeRow(
        "lookml_models",
        shapes.lookml_model,
        content=True,
        path="/lookml_models",
        listable=True,
        required=("name",),
        unique=("name",),
        id_key="name",
        item_param="lookml_model_name",
        managed=frozenset({"has_content", "explores"}),
    ),
    TypeRow("content_favorites", shapes.content_favorite_blank, content=True),
    TypeRow("queries", shapes.query, required=("model", "view")),
    TypeRow("user_attribute_group_values", shapes.user_attribute_group_value),
    TypeRow("role_groups", dict, id_key="role_id"),
    TypeRow("content_metadata", dict),
    TypeRow("content_metadata_access", dict),
    TypeRow("merge_queries", shapes.merge_query),
    TypeRow("user_attribute_user_values", dict),
    TypeRow(
        "color_collections",
        shapes.color_collection,
        path="/color_collections",
        listable=True,
        required=("label",),
        item_param="collection_id",
        built_in=BuiltIn(
            lambda obj: obj["id"] in STANDARD_COLLECTIONS,
            403,
            "Standard color collections cannot be changed or deleted.",
        ),
    ),
    TypeRow(
        "themes",
        shapes.theme,
        path="/themes",
        searchable=True,
        listable=True,
        required=("name",),
        # update_theme documents 422, delete_theme 400 only (the stand-in's built-in rule).
        built_in=BuiltIn(
            lambda obj: obj["id"] == LOOKER_THEME_ID,
            422,
            "The Looker theme cannot be changed or deleted.",
        ),
    ),
)
"""Content types first, in the order of the shared vocabulary; then the internal types:
queries behind looks and tiles, merge queries behind merged-results tiles, group values, the
groups of each role that has any (role_id -> group_ids), the content metadata of every
folder, dashboard, look and board, the access entries of content that does not inherit, and
the values set on one user's account for a user attribute. Last the types the stand-in serves
that are not backed up yet: colour collections and themes."""

TYPES: Mapping[str, TypeRow] = {row.name: row for row in ROWS}

CONTENT_TYPES = tuple(row.name for row in ROWS if row.content)
"""The content types the extractor backs up (shared vocabulary)."""

CONTENT_META_TARGETS = {row.name: row.content_meta for row in ROWS if row.content_meta is not None}
"""Types with content metadata: type -> (its `content_type`, the key naming it)."""


def id_key(type_name: str) -> str:
    return TYPES[type_name].id_key


def writable(type_name: str, key: str) -> bool:
    """Whether a request body may set `key` on an object of `type_name`."""
    row = TYPES[type_name]
    if key == row.id_key and row.id_key != "id":
        return True
    return key not in SERVER_MANAGED and key not in row.managed


def blank(type_name: str) -> Json:
    """A new object of `type_name` with every key at its default."""
    return TYPES[type_name].blank()
