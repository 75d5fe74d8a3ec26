"""The registry of content types: one row per type says how to list, fetch and restore it.

Extraction reads the list and detail calls; restore (a later issue) reads the dependency order.
Calls are named by their API 4.0 operationId (also the `Looker40SDK` method name) and path, so
a test can check each row against the official OpenAPI spec.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_EMPTY: Mapping[str, str] = MappingProxyType({})
DEFAULT_PAGE_SIZE = 100


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
    depends_on: tuple[str, ...] = ()
    id_field: str = "id"
    title_fields: tuple[str, ...] = ("title", "name")
    folder_field: str | None = None
    owner_field: str | None = None
    updated_field: str | None = None
    soft_delete: bool = False


_DELETED_STREAMS: tuple[Mapping[str, str], ...] = (
    MappingProxyType({"deleted": "false"}),
    MappingProxyType({"deleted": "true"}),
)

REGISTRY: tuple[ContentType, ...] = (
    ContentType(
        name="folders",
        list_op="search_folders",
        list_path="/folders/search",
        title_fields=("name",),
        folder_field="parent_id",
        owner_field="creator_id",
    ),
    ContentType(
        name="users",
        list_op="search_users",
        list_path="/users/search",
        depends_on=("folders",),
        title_fields=("display_name", "email"),
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
        depends_on=("users",),
        title_fields=("name",),
    ),
    ContentType(
        name="roles",
        list_op="search_roles",
        list_path="/roles/search",
        depends_on=("groups", "users", "permission_sets", "model_sets"),
        title_fields=("name",),
    ),
    ContentType(
        name="permission_sets",
        list_op="search_permission_sets",
        list_path="/permission_sets/search",
        title_fields=("name",),
    ),
    ContentType(
        name="model_sets",
        list_op="search_model_sets",
        list_path="/model_sets/search",
        depends_on=("lookml_models",),
        title_fields=("name",),
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
        depends_on=("groups",),
        title_fields=("label", "name"),
    ),
    ContentType(
        name="lookml_models",
        list_op="all_lookml_models",
        list_path="/lookml_models",
        sortable=False,
        id_field="name",
        title_fields=("label", "name"),
    ),
    ContentType(
        name="looks",
        list_op="search_looks",
        list_path="/looks/search",
        detail_op="look",
        detail_path="/looks/{id}",
        streams=_DELETED_STREAMS,
        depends_on=("folders", "users"),
        folder_field="folder_id",
        owner_field="user_id",
        updated_field="updated_at",
        soft_delete=True,
    ),
    ContentType(
        name="dashboards",
        list_op="search_dashboards",
        list_path="/dashboards/search",
        detail_op="dashboard",
        detail_path="/dashboards/{id}",
        streams=_DELETED_STREAMS,
        depends_on=("folders", "users", "looks"),
        folder_field="folder_id",
        owner_field="user_id",
        updated_field="updated_at",
        soft_delete=True,
    ),
    ContentType(
        name="boards",
        list_op="search_boards",
        list_path="/boards/search",
        detail_op="board",
        detail_path="/boards/{id}",
        depends_on=("dashboards", "looks", "users"),
        owner_field="user_id",
        updated_field="updated_at",
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
        depends_on=("users", "looks", "dashboards"),
        title_fields=("name",),
        owner_field="user_id",
        updated_field="updated_at",
    ),
    ContentType(
        name="alerts",
        list_op="search_alerts",
        list_path="/alerts/search",
        sortable=False,
        list_params=MappingProxyType({"all_owners": "true"}),
        depends_on=("users", "dashboards"),
        title_fields=("custom_title", "field"),
        owner_field="owner_id",
    ),
)

BY_NAME: Mapping[str, ContentType] = MappingProxyType({ct.name: ct for ct in REGISTRY})
TYPE_NAMES: tuple[str, ...] = tuple(ct.name for ct in REGISTRY)


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
