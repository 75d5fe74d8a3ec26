"""Object shapes of the stand-in: field names and defaults taken from the API 4.0 schemas.

One blank per stored type. The seed fills blanks; `create_*` starts from a blank and copies the
writable keys of the request body, so every object of a type has the same keys whatever made it.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

CONTENT_TYPES = (
    "dashboards",
    "looks",
    "folders",
    "boards",
    "users",
    "groups",
    "roles",
    "permission_sets",
    "model_sets",
    "user_attributes",
    "scheduled_plans",
    "alerts",
    "lookml_models",
    "content_favorites",
)
"""The content types the extractor backs up (shared vocabulary)."""

INTERNAL_TYPES = (
    "queries",
    "user_attribute_group_values",
    "role_groups",
    "content_metadata",
    "content_metadata_access",
    "merge_queries",
)
"""Stored but not content types of their own: queries behind looks and tiles, the merge
queries behind merged-results tiles, group values, the groups of each role that has any
(role_id -> group_ids), the content metadata of every folder, dashboard, look and board, and
the access entries of content that does not inherit."""

CONTENT_META_TARGETS = {
    "folders": ("space", "folder_id"),
    "dashboards": ("dashboard", "dashboard_id"),
    "looks": ("look", "look_id"),
    "boards": ("board", "homepage_id"),
}
"""Types with content metadata: type -> (its `content_type`, the key naming it there). The
spec names a folder's content type "space" (`ContentMeta.folder_id`)."""

SOFT_DELETABLE = frozenset({"dashboards", "looks"})

SERVER_MANAGED = frozenset(
    {
        "id",
        "can",
        "created_at",
        "updated_at",
        "url",
        "content_metadata_id",
        "content_favorite_id",
        "deleted_at",
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
"""Keys a client cannot set: Looker ignores them in request bodies (they are readOnly)."""

TYPE_MANAGED: dict[str, frozenset[str]] = {
    "dashboards": frozenset({"dashboard_elements", "dashboard_filters", "dashboard_layouts"}),
    "folders": frozenset(
        {"child_count", "creator_id", "is_personal", "is_personal_descendant"}
        | {"is_shared_root", "is_users_root", "is_embed"}
        | {"is_embed_shared_root", "is_embed_users_root"}
    ),
    "boards": frozenset({"board_sections", "primary_homepage"}),
    "users": frozenset(
        {"group_ids", "role_ids", "personal_folder_id", "display_name", "email"}
        | {"credentials_email", "avatar_url", "verified_looker_employee", "is_service_account"}
    ),
    "groups": frozenset({"user_count", "externally_managed", "contains_current_user"}),
    "permission_sets": frozenset({"built_in", "all_access"}),
    "model_sets": frozenset({"built_in", "all_access"}),
    "user_attributes": frozenset({"is_system", "is_permanent"}),
    "lookml_models": frozenset({"has_content", "explores"}),
    "alerts": frozenset({"followed", "followable"}),
}

LIST_OMITS: dict[str, frozenset[str]] = {
    "dashboards": frozenset({"dashboard_elements", "dashboard_filters", "dashboard_layouts"}),
}
"""Keys a list or search call leaves out: callers fetch the object by id for those."""

ID_KEY: dict[str, str] = {"lookml_models": "name", "role_groups": "role_id"}

CAN_CONTENT = {"show": True, "update": True, "destroy": True, "index": True}


def id_key(type_name: str) -> str:
    return ID_KEY.get(type_name, "id")


def writable(type_name: str, key: str) -> bool:
    """Whether a request body may set `key` on an object of `type_name`."""
    if key == id_key(type_name) and type_name in ID_KEY:
        return True
    return key not in SERVER_MANAGED and key not in TYPE_MANAGED.get(type_name, frozenset())


def blank(type_name: str) -> Json:
    """A new object of `type_name` with every key at its default."""
    return _BLANKS[type_name]()


def _dashboard() -> Json:
    return {
        "id": "",
        "title": None,
        "description": None,
        "user_id": None,
        "folder_id": None,
        "slug": None,
        "hidden": False,
        "query_timezone": None,
        "refresh_interval": None,
        "preferred_viewer": "dashboards-next",
        "background_color": None,
        "crossfilter_enabled": False,
        "filters_bar_collapsed": False,
        "filters_location_top": True,
        "load_configuration": "wait",
        "show_filters_bar": True,
        "show_title": True,
        "text_tile_text_color": None,
        "tile_background_color": None,
        "tile_text_color": None,
        "title_color": None,
        "deleted": False,
        "deleted_at": None,
        "deleter_id": None,
        "created_at": None,
        "updated_at": None,
        "last_updater_id": None,
        "last_viewed_at": None,
        "last_accessed_at": None,
        "view_count": 0,
        "favorite_count": 0,
        "content_metadata_id": None,
        "content_favorite_id": None,
        "readonly": False,
        "can": dict(CAN_CONTENT),
        "dashboard_elements": [],
        "dashboard_filters": [],
        "dashboard_layouts": [],
    }


def dashboard_element() -> Json:
    return {
        "id": "",
        "dashboard_id": None,
        "type": "vis",
        "title": None,
        "title_hidden": False,
        "title_text": None,
        "subtitle_text": None,
        "body_text": None,
        "note_text": None,
        "note_display": None,
        "note_state": None,
        "look_id": None,
        "query_id": None,
        "merge_result_id": None,
        "result_maker_id": None,
        "refresh_interval": None,
        "rich_content_json": None,
        "extension_id": None,
        "result_maker": None,
    }


def content_meta(type_name: str, obj: Json, *, inherits: bool) -> Json:
    """The stored part of an object's content metadata; its name, parent, slug and where it
    inherits from are read from the object and its folder when it is shown."""
    content_type, key = CONTENT_META_TARGETS[type_name]
    record: Json = {
        "id": obj["content_metadata_id"],
        "content_type": content_type,
        "folder_id": None,
        "dashboard_id": None,
        "look_id": None,
        "homepage_id": None,
        "inherits": inherits,
    }
    record[key] = obj["id"]
    return record


def content_access(
    access_id: str, content_metadata_id: str, permission_type: str, principal: tuple[str, str]
) -> Json:
    """An access entry: `principal` is ("group_id", id) or ("user_id", id)."""
    entry: Json = {
        "id": access_id,
        "content_metadata_id": content_metadata_id,
        "permission_type": permission_type,
        "group_id": None,
        "user_id": None,
    }
    entry[principal[0]] = principal[1]
    return entry


def content_favorite(favorite_id: str, user_id: str, meta: Json) -> Json:
    """A user's favourite of the content a content metadata record names."""
    favorite = _content_favorite()
    favorite.update(
        id=favorite_id,
        user_id=user_id,
        content_metadata_id=meta["id"],
        dashboard_id=meta["dashboard_id"],
        look_id=meta["look_id"],
        board_id=meta["homepage_id"],
    )
    return favorite


def credentials_email(created_at: str) -> Json:
    return {
        "email": None,
        "created_at": created_at,
        "logged_in_at": None,
        "is_disabled": False,
        "forced_password_reset_at_next_login": False,
        "type": "email",
    }


def plan_destination() -> Json:
    return {
        "id": "",
        "scheduled_plan_id": None,
        "format": None,
        "apply_formatting": False,
        "apply_vis": False,
        "address": None,
        "type": None,
        "parameters": None,
        "message": None,
    }


def dashboard_filter() -> Json:
    return {
        "id": "",
        "dashboard_id": None,
        "name": None,
        "title": None,
        "type": "field_filter",
        "default_value": None,
        "model": None,
        "explore": None,
        "dimension": None,
        "row": 0,
        "listens_to_filters": [],
        "allow_multiple_values": True,
        "required": False,
        "ui_config": {"type": "advanced", "display": "popover"},
    }


def dashboard_layout() -> Json:
    return {
        "id": "",
        "dashboard_id": None,
        "type": "newspaper",
        "active": True,
        "column_width": None,
        "width": None,
        "deleted": False,
        "label": None,
        "description": None,
        "order": 0,
        "dashboard_layout_components": [],
    }


def dashboard_layout_component() -> Json:
    return {
        "id": "",
        "dashboard_layout_id": None,
        "dashboard_element_id": None,
        "row": 0,
        "column": 0,
        "width": 8,
        "height": 6,
        "deleted": False,
        "element_title": None,
        "element_title_hidden": False,
        "vis_type": None,
    }


def component_below(component_id: str, layout: Json, element: Json, vis_type: str | None) -> Json:
    """A tile's place on a layout, below every tile already there (where Looker puts a new
    tile)."""
    components = layout["dashboard_layout_components"]
    component = dashboard_layout_component()
    component.update(
        id=component_id,
        dashboard_layout_id=layout["id"],
        dashboard_element_id=element["id"],
        row=max((c["row"] + c["height"] for c in components), default=0),
        element_title=element["title"] or element["title_text"],
        vis_type=vis_type,
    )
    return component


def _look() -> Json:
    return {
        "id": "",
        "title": None,
        "description": None,
        "user_id": None,
        "folder_id": None,
        "query_id": None,
        "is_run_on_load": False,
        "public": False,
        "deleted": False,
        "deleted_at": None,
        "deleter_id": None,
        "created_at": None,
        "updated_at": None,
        "last_updater_id": None,
        "last_viewed_at": None,
        "last_accessed_at": None,
        "view_count": 0,
        "favorite_count": 0,
        "content_metadata_id": None,
        "content_favorite_id": None,
        "short_url": None,
        "can": dict(CAN_CONTENT),
    }


def _query() -> Json:
    return {
        "id": "",
        "model": "",
        "view": "",
        "fields": [],
        "pivots": None,
        "fill_fields": None,
        "filters": {},
        "filter_expression": None,
        "sorts": [],
        "limit": "500",
        "column_limit": None,
        "total": False,
        "row_total": None,
        "subtotals": None,
        "vis_config": {},
        "filter_config": None,
        "visible_ui_sections": None,
        "dynamic_fields": None,
        "client_id": None,
        "query_timezone": None,
        "slug": None,
        "has_table_calculations": False,
    }


def filterable(source: Json, name: str | None) -> Json:
    """What a tile showing the query `source` can be filtered on, listening to no filter yet."""
    return {"model": source["model"], "view": source["view"], "name": name, "listen": []}


def merge_query() -> Json:
    return {
        "id": "",
        "source_queries": [],
        "pivots": None,
        "sorts": None,
        "dynamic_fields": None,
        "total": False,
        "limit": None,
        "column_limit": None,
        "vis_config": None,
        "result_maker_id": None,
    }


def merge_source(sent: Json, slug: str | None) -> Json:
    """A merge query's source as stored: its query, display name and field mappings; the
    slug is the query's own."""
    return {
        "name": sent.get("name"),
        "query_id": str(sent["query_id"]),
        "query_slug": slug,
        "merge_fields": [
            {"field_name": f.get("field_name"), "source_field_name": f.get("source_field_name")}
            for f in sent.get("merge_fields") or []
            if isinstance(f, dict)
        ],
    }


def _folder() -> Json:
    return {
        "id": "",
        "name": "",
        "parent_id": None,
        "creator_id": None,
        "created_at": None,
        "content_metadata_id": None,
        "child_count": 0,
        "external_id": None,
        "is_embed": False,
        "is_embed_shared_root": False,
        "is_embed_users_root": False,
        "is_personal": False,
        "is_personal_descendant": False,
        "is_shared_root": False,
        "is_users_root": False,
        "can": dict(CAN_CONTENT),
    }


def _board() -> Json:
    return {
        "id": "",
        "title": None,
        "description": None,
        "user_id": None,
        "created_at": None,
        "updated_at": None,
        "deleted_at": None,
        "section_order": [],
        "primary_homepage": False,
        "content_metadata_id": None,
        "board_sections": [],
    }


def board_section() -> Json:
    return {
        "id": "",
        "board_id": None,
        "title": None,
        "description": None,
        "created_at": None,
        "updated_at": None,
        "deleted_at": None,
        "item_order": [],
        "visible_item_order": [],
        "board_items": [],
    }


def board_item() -> Json:
    return {
        "id": "",
        "board_section_id": None,
        "dashboard_id": None,
        "look_id": None,
        "lookml_dashboard_id": None,
        "custom_title": None,
        "custom_description": None,
        "custom_url": None,
        "use_custom_title": False,
        "use_custom_description": False,
        "use_custom_url": False,
        "use_custom_image": False,
        "order": 0,
        "title": None,
        "description": None,
        "url": "",
        "view_count": 0,
        "favorite_count": 0,
    }


def _user() -> Json:
    return {
        "id": "",
        "first_name": None,
        "last_name": None,
        "display_name": None,
        "email": None,
        "is_disabled": False,
        "locale": "en",
        "group_ids": [],
        "role_ids": [],
        "personal_folder_id": None,
        "home_folder_id": None,
        "models_dir_validated": None,
        "ui_state": None,
        "can_manage_api3_creds": False,
        "verified_looker_employee": False,
        "presumed_looker_employee": False,
        "roles_externally_managed": False,
        "allow_direct_roles": True,
        "allow_normal_group_membership": True,
        "allow_roles_from_normal_groups": True,
        "is_service_account": False,
        "is_iam_admin": False,
        "avatar_url": None,
        "credentials_email": None,
    }


def _group() -> Json:
    return {
        "id": "",
        "name": None,
        "user_count": 0,
        "external_group_id": None,
        "externally_managed": False,
        "include_by_default": False,
        "contains_current_user": False,
        "can_add_to_content_metadata": True,
    }


def _role() -> Json:
    return {"id": "", "name": None, "permission_set_id": None, "model_set_id": None}


def _permission_set() -> Json:
    return {"id": "", "name": None, "permissions": [], "all_access": False, "built_in": False}


def _model_set() -> Json:
    return {"id": "", "name": None, "models": [], "all_access": False, "built_in": False}


def _user_attribute() -> Json:
    return {
        "id": "",
        "name": None,
        "label": None,
        "type": "string",
        "default_value": None,
        "is_system": False,
        "is_permanent": False,
        "value_is_hidden": False,
        "user_can_view": True,
        "user_can_edit": False,
        "hidden_value_domain_whitelist": None,
    }


def _user_attribute_group_value() -> Json:
    return {
        "id": "",
        "group_id": None,
        "user_attribute_id": None,
        "value_is_hidden": False,
        "rank": 1,
        "value": None,
    }


def _scheduled_plan() -> Json:
    return {
        "id": "",
        "name": None,
        "title": None,
        "user_id": None,
        "run_as_recipient": False,
        "enabled": True,
        "look_id": None,
        "dashboard_id": None,
        "lookml_dashboard_id": None,
        "filters_string": None,
        "dashboard_filters": None,
        "require_results": False,
        "require_no_results": False,
        "require_change": False,
        "send_all_results": False,
        "crontab": None,
        "datagroup": None,
        "timezone": "UTC",
        "scheduled_plan_destination": [],
        "run_once": False,
        "include_links": True,
        "pdf_paper_size": None,
        "pdf_landscape": False,
        "embed": False,
        "color_theme": None,
        "long_tables": False,
        "inline_table_width": None,
        "created_at": None,
        "updated_at": None,
        "next_run_at": None,
        "last_run_at": None,
    }


def _alert() -> Json:
    return {
        "id": "",
        "owner_id": "",
        "comparison_type": "GREATER_THAN",
        "cron": "0 9 * * *",
        "custom_title": None,
        "dashboard_element_id": None,
        "description": None,
        "destinations": [],
        "field": {"title": "", "name": "", "filter": []},
        "is_disabled": False,
        "disabled_reason": None,
        "is_public": False,
        "lookml_dashboard_id": None,
        "lookml_link_id": None,
        "threshold": 0.0,
        "applied_dashboard_filters": [],
        "followed": False,
        "followable": True,
    }


def _content_favorite() -> Json:
    return {
        "id": "",
        "user_id": None,
        "content_metadata_id": None,
        "look_id": None,
        "dashboard_id": None,
        "board_id": None,
        "lookml_dashboard_id": None,
    }


def _lookml_model() -> Json:
    return {
        "name": "",
        "label": None,
        "project_name": None,
        "allowed_db_connection_names": [],
        "unlimited_db_connections": False,
        "has_content": True,
        "explores": [],
    }


_BLANKS = {
    "dashboards": _dashboard,
    "looks": _look,
    "queries": _query,
    "folders": _folder,
    "boards": _board,
    "users": _user,
    "groups": _group,
    "roles": _role,
    "permission_sets": _permission_set,
    "model_sets": _model_set,
    "user_attributes": _user_attribute,
    "user_attribute_group_values": _user_attribute_group_value,
    "scheduled_plans": _scheduled_plan,
    "alerts": _alert,
    "lookml_models": _lookml_model,
    "content_favorites": _content_favorite,
}
