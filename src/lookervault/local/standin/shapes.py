"""Object shapes of the stand-in: field names and defaults taken from the API 4.0 schemas.

One blank per stored type (types.py names each type's). The seed fills blanks; `create_*`
starts from a blank and copies the writable keys of the request body, so every object of a
type has the same keys whatever made it.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

GRANULAR_SCALE = 4
"""Cells of the granular grid (26.0 on) per cell of the coarse one, where one is derived from
the other (UNCONFIRMED: the spec says only "Row (granular layout)")."""
COARSE = ("row", "column", "width", "height")
GRANULAR = tuple(f"granular_{name}" for name in COARSE)
TAB_KEYS = ("label", "order")
"""What a layout has as a dashboard tab, from 25.18 (releases.py)."""

CAN_CONTENT = {"show": True, "update": True, "destroy": True, "index": True}


def dashboard() -> Json:
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


def content_meta(target: tuple[str, str], obj: Json, *, inherits: bool) -> Json:
    """The stored part of an object's content metadata (`target`: its content type and the
    key naming the object); its name, parent, slug and where it inherits from are read from
    the object and its folder when it is shown."""
    content_type, key = target
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
    favorite = content_favorite_blank()
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
        "granular_row": None,
        "granular_column": None,
        "granular_width": None,
        "granular_height": None,
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


def look() -> Json:
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


def query() -> Json:
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


def folder() -> Json:
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


def board() -> Json:
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


def user() -> Json:
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


def group() -> Json:
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


def role() -> Json:
    return {"id": "", "name": None, "permission_set_id": None, "model_set_id": None}


def permission_set() -> Json:
    return {"id": "", "name": None, "permissions": [], "all_access": False, "built_in": False}


def model_set() -> Json:
    return {"id": "", "name": None, "models": [], "all_access": False, "built_in": False}


def user_attribute() -> Json:
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


def user_attribute_group_value() -> Json:
    return {
        "id": "",
        "group_id": None,
        "user_attribute_id": None,
        "value_is_hidden": False,
        "rank": 1,
        "value": None,
    }


def scheduled_plan() -> Json:
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


def alert() -> Json:
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


def content_favorite_blank() -> Json:
    return {
        "id": "",
        "user_id": None,
        "content_metadata_id": None,
        "look_id": None,
        "dashboard_id": None,
        "board_id": None,
        "lookml_dashboard_id": None,
    }


def lookml_model() -> Json:
    return {
        "name": "",
        "label": None,
        "project_name": None,
        "allowed_db_connection_names": [],
        "unlimited_db_connections": False,
        "has_content": True,
        "explores": [],
    }


def user_attribute_user_value(value_id: str, user_id: str, attribute_id: str, value: str) -> Json:
    """A value set on one user's account for one user attribute (stored; shown as a
    `UserAttributeWithValue`)."""
    return {"id": value_id, "user_id": user_id, "user_attribute_id": attribute_id, "value": value}


def color_collection() -> Json:
    return {
        "id": "",
        "label": "",
        "categoricalPalettes": [],
        "sequentialPalettes": [],
        "divergingPalettes": [],
    }


def theme() -> Json:
    return {"id": "", "name": "", "begin_at": None, "end_at": None, "settings": theme_settings()}


def theme_settings() -> Json:
    """The settings of Looker's own theme (the values are UNCONFIRMED; the keys are the spec's
    `ThemeSettings`)."""
    return {
        "background_color": "#f6f8fa",
        "base_font_size": "12px",
        "color_collection_id": "",
        "font_color": "#262d33",
        "font_family": "Roboto, 'Noto Sans', sans-serif",
        "font_source": None,
        "primary_button_color": "#1a73e8",
        "show_filters_bar": True,
        "show_title": True,
        "text_tile_text_color": "#262d33",
        "tile_background_color": "#ffffff",
        "text_tile_background_color": "#ffffff",
        "tile_text_color": "#262d33",
        "title_color": "#262d33",
        "tile_title_alignment": "center",
        "tile_shadow": True,
        "show_last_updated_indicator": True,
        "show_reload_data_icon": True,
        "show_dashboard_menu": True,
        "show_filters_toggle": True,
        "show_dashboard_header": True,
        "center_dashboard_title": False,
        "dashboard_title_font_size": "18px",
        "box_shadow": "none",
        "page_margin_top": "0px",
        "page_margin_bottom": "0px",
        "page_margin_sides": "0px",
        "tile_title_font_size": "14px",
        "column_gap_size": "8px",
        "row_gap_size": "8px",
        "border_radius": "4px",
    }
