"""The registry of content types: one row per type says how to list, fetch and restore it.

Extraction reads the list and detail calls; restore reads the references (which other items an
item points at, so it knows what to restore first and which ids to translate), the write calls
and the natural key that matches an item in another instance. Calls are named by their API 4.0
operationId (also the `Looker40SDK` method name) and path, and writable fields come from the
SDK's `Write*` model, so a test can check each row against the official OpenAPI spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, str] = MappingProxyType({})
DEFAULT_PAGE_SIZE = 100
QUIET_REASON = "Restored by LookerVault into another instance: enable it when ready."
BUILT_IN = "built in: Looker manages it"


@dataclass(frozen=True)
class SubResource:
    """A related list fetched per item and stored inside the item's JSON under `key`.

    `ids_only` keeps just the ids (group members are users, stored in their own rows).
    """

    key: str
    op: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    paged: bool = False
    ids_only: bool = False
    id_field: str = "id"
    """The item's field whose value fills `{id}` in `path` and in `params`."""
    single: bool = False
    """The call answers one object, not a list."""
    unless: tuple[str, ...] = ()
    """Item flags that make the call pointless (a personal folder's access is not editable)."""
    optional: bool = False
    """Some editions refuse the call (403): the key is then left out, not the run failed."""
    user_defined_only: bool = False
    """Only for items with a numeric id: a LookML dashboard's id names its file."""
    pick: str | None = None
    """Keep only this field of the answer (a dashboard's LookML text, without its envelope)."""
    backup_only: bool = False
    """Kept for people reading the backup; a restore reading the target never asks for it."""
    unless_set: tuple[str, str] | None = None
    """(key, field): skipped when an earlier sub-resource's field is set (an item's access
    entries, when its content metadata says it inherits: Looker copies the parent's)."""
    keep: Mapping[str, str] = field(default_factory=dict)
    """Only entries with these values (a user's own attribute values, not the group or
    default values it inherits)."""


@dataclass(frozen=True)
class Nested:
    """An object an item names by id, fetched by `op` at `path` and stored under `key` in the
    object that holds the id (`at` is a reference path, as in `Reference`): a merged-results
    tile's merge query, then each of that query's source queries."""

    at: str
    op: str
    path: str
    key: str


@dataclass(frozen=True)
class Reference:
    """Where an item names another item: `path` is a field (`parent_id`), a list of ids
    (`role_ids[]`) or a field inside a list (`dashboard_elements[].look_id`).

    `soft`: translated when it can be, but not waited for (a user's home folder may be the
    user's own personal folder, which exists only once the user does).
    `late`: restored with the item, but written by a second call of its step once the items
    it names exist (a group's members are users, and users wait for roles, which wait for
    groups: the members come last).
    `vital`: the item exists for what this names (a schedule for its dashboard): where that is
    in neither the backup nor Looker, the item is left out rather than carried over.
    `personal`: what this names belongs to the item and is named after it (a user's personal
    folder).
    """

    path: str
    type: str
    soft: bool = False
    late: bool = False
    vital: bool = False
    personal: bool = False


@dataclass(frozen=True)
class ContentType:
    """How one Looker content type is extracted and where it sits in the restore order."""

    name: str
    list_op: str
    list_path: str
    detail_op: str | None = None
    detail_path: str | None = None
    paged: bool = True
    sortable: bool = True
    list_params: Mapping[str, str] = field(default_factory=dict)
    streams: tuple[Mapping[str, str], ...] = (_EMPTY,)
    sub_resources: tuple[SubResource, ...] = ()
    nested: tuple[Nested, ...] = ()
    references: tuple[Reference, ...] = ()
    write_model: str = ""
    create_path: str = ""
    update_method: str = "PATCH"
    natural_key: tuple[str, ...] = ()
    nullable_key: tuple[str, ...] = ()
    """Natural-key fields that may be empty on both sides (a favourite is of a dashboard, a
    look or a board); any other empty one matches nothing."""
    found_by: tuple[str, ...] = ()
    """The key a create whose answer was lost is looked up by, when not the natural key (an
    alert's owner may be the caller's until it is set)."""
    searched_by: tuple[str, ...] = ()
    """Natural-key fields the list call filters on (spec parameters; a test checks them)."""
    second_key: tuple[str, ...] = ()
    """Matches an item the natural key cannot (a user Looker holds without an email login),
    where exactly one item on each side has it."""
    id_field: str = "id"
    title_fields: tuple[str, ...] = ("title", "name")
    person_name: str | None = "{name|title}"
    """How a person names an item in any instance (looker/compare.py): a format over its
    fields, where `a|b` is the first of them that is set, a dotted name reaches inside, and a
    reference field gives the name of what it points at. None: named by what it holds."""
    system_names: Mapping[str, str] = field(default_factory=dict)
    """Flags of the items Looker makes with the instance, and what a person calls each."""
    folder_field: str | None = None
    owner_field: str | None = None
    fallback_owner: bool = False
    """Restore writes `owner_field`: content of a user who left goes to the fallback owner."""
    updated_field: str | None = None
    created_field: str | None = None
    """Where Looker keeps the moment it made the item (restore/identity.py)."""
    listed_fields: tuple[str, ...] = ()
    """Fields restore needs from the target's listing beyond the key (a dashboard's slug, the
    content metadata a favourite is made with)."""
    soft_delete: bool = False
    skip_flags: Mapping[str, str] = field(default_factory=dict)
    """Flags of items no client writes (Looker or an identity provider manages them), and why."""
    quiet: Mapping[str, Any] = field(default_factory=dict)
    """The fields that keep an item from sending (a schedule, an alert) and their quiet values:
    what a restore into another instance writes unless told to enable them."""
    follows_content: bool = False
    """Restoring a folder brings the items whose vital references name its content."""
    not_written: frozenset[str] = frozenset()
    """Writable fields restore neither compares nor sends: ids it makes again, deprecated
    aliases, orders kept with the parts they order."""
    derived: frozenset[str] = frozenset()
    """Fields Looker derives from elsewhere: left out of comparisons."""
    derived_when: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Fields Looker derives while a flag is set (a model set with all access lists every
    model of the instance)."""
    unordered: tuple[str, ...] = ()
    """Lists compared as sets (who may see a folder, a user's own attribute values)."""
    compared_references: tuple[Reference, ...] = ()
    """References restore never writes (Looker derives them) but a comparison follows."""

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Types this type's items wait for when restored (soft and late references excluded)."""
        return self._named(lambda ref: not ref.soft and not ref.late)

    @property
    def refers_to(self) -> tuple[str, ...]:
        """Types a restore of this type reads and brings along (soft references excluded)."""
        return self._named(lambda ref: not ref.soft)

    def _named(self, chosen: Callable[[Reference], bool]) -> tuple[str, ...]:
        found = (
            PART_OWNERS.get(ref.type, ref.type)
            for ref in self.references
            if chosen(ref) and ref.type != self.name
        )
        return tuple(dict.fromkeys(found))

    def title_of(self, item: Mapping[str, Any]) -> str | None:
        """What a person calls the item: its first non-empty title field."""
        title = next((item[f] for f in self.title_fields if item.get(f)), None)
        return None if title is None else str(title)

    @staticmethod
    def value(item: Mapping[str, Any], name: str) -> Any:
        """A field of the item: a dotted name reaches inside (`field.name`), and `a|b` is the
        first of them that is set (a user's email, or its email login's)."""
        for alternative in name.split("|"):
            found: Any = item
            for step in alternative.split("."):
                found = found.get(step) if isinstance(found, Mapping) else None
            if found is not None and found != "":
                return found
        return None

    @property
    def written_owner(self) -> str | None:
        """The owner field a restore writes (None where Looker keeps the creator)."""
        return self.owner_field if self.fallback_owner else None

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The top-level fields the natural key reads."""
        names = (part.split(".")[0] for name in self.natural_key for part in name.split("|"))
        return tuple(dict.fromkeys(names))

    @property
    def item_path(self) -> str:
        """GET, PATCH/PUT and DELETE of one item."""
        return self.detail_path or f"/{self.name}/{{id}}"


UNSHARED_FOLDER = ("is_personal", "is_personal_descendant", "is_users_root", "is_embed_users_root")
"""Folders whose access Looker manages itself: a user's own, and the roots above them."""
ACCESS_FIELDS = "id,permission_type,group_id,user_id"
USER_VALUE_FIELDS = "user_attribute_id,name,value,value_is_hidden,source"
FAVORITE_FIELDS = "id,user_id,content_metadata_id,dashboard_id,look_id,board_id,lookml_dashboard_id"


def access_of(unless: tuple[str, ...] = ()) -> tuple[SubResource, ...]:
    """Who may view or edit an item (a folder, a board): its content metadata's inheritance
    and its access entries."""
    return (
        SubResource(
            key="content_metadata",
            op="content_metadata",
            path="/content_metadata/{id}",
            params=MappingProxyType({"fields": "id,inherits"}),
            id_field="content_metadata_id",
            single=True,
            unless=unless,
        ),
        SubResource(
            key="content_metadata_access",
            op="all_content_metadata_accesses",
            path="/content_metadata_access",
            params=MappingProxyType({"content_metadata_id": "{id}", "fields": ACCESS_FIELDS}),
            id_field="content_metadata_id",
            unless=unless,
            unless_set=("content_metadata", "inherits"),
        ),
    )


ACCESS_REFERENCES = (
    Reference("content_metadata_access[].group_id", "groups", late=True),
    Reference("content_metadata_access[].user_id", "users", late=True),
)
"""Access entries name groups and users: written once those exist."""

_DELETED_STREAMS: tuple[Mapping[str, str], ...] = (
    MappingProxyType({"deleted": "false"}),
    MappingProxyType({"deleted": "true"}),
)

REGISTRY: tuple[ContentType, ...] = (
    ContentType(
        name="folders",
        list_op="search_folders",
        list_path="/folders/search",
        sub_resources=access_of(unless=UNSHARED_FOLDER),
        title_fields=("name",),
        person_name="{parent_id} / {name}",
        unordered=("content_metadata_access",),
        system_names=MappingProxyType(
            {
                "is_shared_root": "Shared",
                "is_users_root": "Users",
                "is_embed_shared_root": "Embed Groups",
                "is_embed_users_root": "Embed Users",
            }
        ),
        folder_field="parent_id",
        owner_field="creator_id",
        created_field="created_at",
        references=(Reference("parent_id", "folders"), *ACCESS_REFERENCES),
        write_model="UpdateFolder",
        create_path="/folders",
        natural_key=("name", "parent_id"),
        searched_by=("name", "parent_id"),
    ),
    ContentType(
        name="users",
        list_op="search_users",
        list_path="/users/search",
        sub_resources=(
            SubResource(
                key="attribute_values",
                op="user_attribute_user_values",
                path="/users/{id}/attribute_values",
                params=MappingProxyType({"fields": USER_VALUE_FIELDS}),
                keep=MappingProxyType({"source": "user"}),
            ),
        ),
        title_fields=("display_name", "email"),
        person_name="{email|credentials_email.email|display_name}",
        unordered=("attribute_values",),
        created_field="credentials_email.created_at",
        references=(
            Reference("role_ids[]", "roles"),
            Reference("home_folder_id", "folders", soft=True),
            Reference("personal_folder_id", "folders", soft=True, personal=True),
            Reference("attribute_values[].user_attribute_id", "user_attributes", late=True),
        ),
        compared_references=(Reference("group_ids[]", "groups"),),
        write_model="WriteUser",
        create_path="/users",
        natural_key=("email|credentials_email.email",),
        second_key=("first_name", "last_name"),
        searched_by=("first_name", "last_name"),
    ),
    ContentType(
        name="groups",
        list_op="search_groups",
        list_path="/groups/search",
        sub_resources=(
            SubResource(
                key="member_user_ids",
                op="all_group_users",
                path="/groups/{id}/users",
                params=MappingProxyType({"fields": "id", "sorts": "id"}),
                paged=True,
                ids_only=True,
            ),
        ),
        title_fields=("name",),
        references=(Reference("member_user_ids[]", "users", late=True),),
        write_model="WriteGroup",
        create_path="/groups",
        natural_key=("name",),
        searched_by=("name",),
        skip_flags=MappingProxyType({"externally_managed": "managed by the identity provider"}),
    ),
    ContentType(
        name="roles",
        list_op="search_roles",
        list_path="/roles/search",
        sub_resources=(
            SubResource(
                key="group_ids",
                op="role_groups",
                path="/roles/{id}/groups",
                params=MappingProxyType({"fields": "id"}),
                ids_only=True,
                optional=True,
            ),
        ),
        title_fields=("name",),
        references=(
            Reference("permission_set_id", "permission_sets"),
            Reference("model_set_id", "model_sets"),
            Reference("group_ids[]", "groups"),
        ),
        write_model="WriteRole",
        create_path="/roles",
        natural_key=("name",),
        searched_by=("name",),
    ),
    ContentType(
        name="permission_sets",
        list_op="search_permission_sets",
        list_path="/permission_sets/search",
        title_fields=("name",),
        write_model="WritePermissionSet",
        create_path="/permission_sets",
        natural_key=("name",),
        searched_by=("name",),
        skip_flags=MappingProxyType({"built_in": BUILT_IN}),
    ),
    ContentType(
        name="model_sets",
        list_op="search_model_sets",
        list_path="/model_sets/search",
        title_fields=("name",),
        references=(Reference("models[]", "lookml_models"),),
        write_model="WriteModelSet",
        create_path="/model_sets",
        natural_key=("name",),
        searched_by=("name",),
        skip_flags=MappingProxyType({"built_in": BUILT_IN}),
        derived_when=MappingProxyType({"all_access": frozenset({"models"})}),
    ),
    ContentType(
        name="user_attributes",
        list_op="all_user_attributes",
        list_path="/user_attributes",
        paged=False,
        sub_resources=(
            SubResource(
                key="group_values",
                op="all_user_attribute_group_values",
                path="/user_attributes/{id}/group_values",
            ),
        ),
        title_fields=("label", "name"),
        references=(Reference("group_values[].group_id", "groups"),),
        write_model="WriteUserAttribute",
        create_path="/user_attributes",
        natural_key=("name",),
        skip_flags=MappingProxyType({"is_system": "a system attribute: Looker manages it"}),
    ),
    ContentType(
        name="lookml_models",
        list_op="all_lookml_models",
        list_path="/lookml_models",
        sortable=False,
        id_field="name",
        title_fields=("label", "name"),
        person_name="{name}",
        derived=frozenset({"explores", "label", "has_content"}),
        write_model="WriteLookmlModel",
        create_path="/lookml_models",
        natural_key=("name",),
    ),
    ContentType(
        name="looks",
        list_op="search_looks",
        list_path="/looks/search",
        detail_op="look",
        detail_path="/looks/{id}",
        streams=_DELETED_STREAMS,
        person_name="{folder_id} / {title}",
        folder_field="folder_id",
        owner_field="user_id",
        fallback_owner=True,
        updated_field="updated_at",
        created_field="created_at",
        listed_fields=("content_metadata_id",),
        soft_delete=True,
        references=(Reference("folder_id", "folders"), Reference("user_id", "users")),
        write_model="WriteLookWithQuery",
        create_path="/looks",
        natural_key=("title", "folder_id"),
        searched_by=("title", "folder_id"),
        not_written=frozenset({"query_id"}),
    ),
    ContentType(
        name="dashboards",
        list_op="search_dashboards",
        list_path="/dashboards/search",
        detail_op="dashboard",
        detail_path="/dashboards/{id}",
        streams=_DELETED_STREAMS,
        sub_resources=(
            SubResource(
                key="lookml",
                op="dashboard_lookml",
                path="/dashboards/lookml/{id}",
                single=True,
                user_defined_only=True,
                optional=True,
                pick="lookml",
                backup_only=True,
            ),
        ),
        nested=(
            Nested(
                "dashboard_elements[].merge_result_id",
                "merge_query",
                "/merge_queries/{id}",
                "merge_query",
            ),
            Nested(
                "dashboard_elements[].merge_query.source_queries[].query_id",
                "query",
                "/queries/{id}",
                "query",
            ),
        ),
        person_name="{folder_id} / {title}",
        folder_field="folder_id",
        owner_field="user_id",
        fallback_owner=True,
        updated_field="updated_at",
        created_field="created_at",
        listed_fields=("slug", "content_metadata_id"),
        soft_delete=True,
        references=(
            Reference("folder_id", "folders"),
            Reference("user_id", "users"),
            Reference("dashboard_elements[].look_id", "looks"),
        ),
        derived=frozenset({"lookml"}),
        write_model="WriteDashboard",
        create_path="/dashboards",
        natural_key=("title", "folder_id"),
        searched_by=("title", "folder_id"),
    ),
    ContentType(
        name="boards",
        list_op="search_boards",
        list_path="/boards/search",
        detail_op="board",
        detail_path="/boards/{id}",
        sub_resources=access_of(),
        unordered=("content_metadata_access",),
        owner_field="user_id",
        fallback_owner=True,
        updated_field="updated_at",
        created_field="created_at",
        listed_fields=("content_metadata_id",),
        references=(
            Reference("user_id", "users"),
            Reference("board_sections[].board_items[].dashboard_id", "dashboards"),
            Reference("board_sections[].board_items[].look_id", "looks"),
            *ACCESS_REFERENCES,
        ),
        write_model="WriteBoard",
        create_path="/boards",
        natural_key=("title",),
        searched_by=("title",),
        not_written=frozenset({"section_order", "deleted_at"}),
    ),
    ContentType(
        name="scheduled_plans",
        list_op="all_scheduled_plans",
        list_path="/scheduled_plans",
        detail_op="scheduled_plan",
        detail_path="/scheduled_plans/{id}",
        paged=False,
        sortable=False,
        list_params=MappingProxyType({"all_users": "true"}),
        title_fields=("name",),
        person_name="{name} by {user_id} on {dashboard_id|look_id|lookml_dashboard_id}",
        owner_field="user_id",
        fallback_owner=True,
        updated_field="updated_at",
        created_field="created_at",
        quiet=MappingProxyType({"enabled": False}),
        follows_content=True,
        references=(
            Reference("user_id", "users"),
            Reference("dashboard_id", "dashboards", vital=True),
            Reference("look_id", "looks", vital=True),
        ),
        write_model="WriteScheduledPlan",
        create_path="/scheduled_plans",
        natural_key=("name", "user_id", "dashboard_id", "look_id", "lookml_dashboard_id"),
        nullable_key=("dashboard_id", "look_id", "lookml_dashboard_id"),
        searched_by=("user_id",),
        not_written=frozenset({"run_once", "dashboard_filters", "query_id", "tab_ids"}),
    ),
    ContentType(
        name="alerts",
        list_op="search_alerts",
        list_path="/alerts/search",
        sortable=False,
        list_params=MappingProxyType({"all_owners": "true"}),
        title_fields=("custom_title", "field"),
        person_name=None,
        owner_field="owner_id",
        fallback_owner=True,
        quiet=MappingProxyType({"is_disabled": True, "disabled_reason": QUIET_REASON}),
        follows_content=True,
        references=(
            Reference("owner_id", "users"),
            Reference("dashboard_element_id", "dashboard_elements", vital=True),
        ),
        derived=frozenset({"owner_display_name"}),
        write_model="WriteAlert",
        create_path="/alerts",
        update_method="PUT",
        natural_key=(
            *("dashboard_element_id", "owner_id", "comparison_type", "threshold"),
            *("field.name", "cron"),
        ),
        found_by=("dashboard_element_id", "comparison_type", "threshold", "field.name", "cron"),
        not_written=frozenset(
            {"query_id", "investigative_content_id", "investigative_content_type"}
        ),
    ),
    ContentType(
        name="content_favorites",
        list_op="search_content_favorites",
        list_path="/content_favorite/search",
        list_params=MappingProxyType({"fields": FAVORITE_FIELDS}),
        title_fields=("id",),
        person_name=None,
        owner_field="user_id",
        references=(
            Reference("user_id", "users", vital=True),
            Reference("dashboard_id", "dashboards", vital=True),
            Reference("look_id", "looks", vital=True),
            Reference("board_id", "boards", vital=True),
        ),
        write_model="WriteContentFavorite",
        create_path="/content_favorite",
        natural_key=("user_id", "dashboard_id", "look_id", "board_id"),
        nullable_key=("dashboard_id", "look_id", "board_id"),
        searched_by=("user_id", "content_metadata_id"),
        not_written=frozenset({"content_metadata_id", "dashboard", "lookml_dashboard"}),
    ),
)

BY_NAME: Mapping[str, ContentType] = MappingProxyType({ct.name: ct for ct in REGISTRY})

PART_OWNERS: Mapping[str, str] = MappingProxyType(
    {
        "dashboard_elements": "dashboards",
        "dashboard_filters": "dashboards",
        "dashboard_layouts": "dashboards",
        "board_sections": "boards",
        "board_items": "boards",
    }
)
"""Objects that live inside an item (tiles of a dashboard, sections of a board): a reference to
one waits for the item that holds it."""
PART_NOUNS: Mapping[str, str] = MappingProxyType(
    {
        "dashboard_elements": "tile",
        "dashboard_filters": "filter",
        "dashboard_layouts": "layout",
        "board_sections": "section",
        "board_items": "board item",
    }
)
"""What a person calls a part in a sentence."""
TYPE_NAMES: tuple[str, ...] = tuple(ct.name for ct in REGISTRY)
FOLDERS = "folders"
"""The type the others are filed in: its items hold one another by `folder_field`."""
FILED: tuple[str, ...] = tuple(ct.name for ct in REGISTRY if ct.folder_field and ct.name != FOLDERS)
"""Types whose items live in a folder (looks, dashboards)."""


def id_order(item_id: Any) -> tuple[int, str]:
    """Sort key: numeric ids in numeric order ("9" before "10"), names in name order after."""
    text = str(item_id)
    return (len(text), text) if text.isdigit() else (1 << 30, text)


def parts(owner: Mapping[str, Any], part_type: str) -> Iterator[dict[str, Any]]:
    """The parts of one type inside an item: a dashboard's tiles, a board's items."""
    if part_type == "board_items":
        for section in owner.get("board_sections") or []:
            yield from section.get("board_items") or []
    else:
        yield from owner.get(part_type) or []


def holders_at(item: Any, path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """(object, id) for every id at a reference path, with the object that holds it."""
    *steps, last = path.split(".")
    nodes = [item]
    for step in steps:
        found = []
        for node in nodes:
            value = node.get(step.removesuffix("[]")) if isinstance(node, dict) else None
            found += value if isinstance(value, list) else [] if value is None else [value]
        nodes = found
    for node in nodes:
        if isinstance(node, dict) and node.get(last) is not None:
            yield node, str(node[last])


def ids_at(item: Any, path: str) -> list[str]:
    """Every id at a reference path: `a`, `a[]`, `a[].b`, `a[].b[].c`."""
    head, _, rest = path.partition(".")
    name = head.removesuffix("[]")
    value = item.get(name) if isinstance(item, dict) else None
    if value is None:
        return []
    if head.endswith("[]"):
        values = value if isinstance(value, list) else []
        if not rest:
            return [str(v) for v in values if v is not None]
        return [found for v in values for found in ids_at(v, rest)]
    return ids_at(value, rest) if rest else [str(value)]


def resolve(names: Iterable[str] | None) -> list[ContentType]:
    """Registry rows for `names` (all when None or empty), in registry order."""
    wanted = set(names or TYPE_NAMES)
    unknown = sorted(wanted - set(BY_NAME))
    if unknown:
        raise KeyError(", ".join(unknown))
    return [ct for ct in REGISTRY if ct.name in wanted]


def restore_order(names: Iterable[str] | None = None) -> list[str]:
    """Types ordered so every type comes after those it depends on (registry order breaks ties).

    Dependencies outside `names` are ignored: restoring only dashboards needs no folders pass.
    """
    chosen = [ct.name for ct in resolve(names)]
    done: list[str] = []
    pending = list(chosen)
    while pending:
        ready = next(
            name
            for name in pending
            if all(dep in done or dep not in chosen for dep in BY_NAME[name].depends_on)
        )
        done.append(ready)
        pending.remove(ready)
    return done
