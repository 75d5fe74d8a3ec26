"""The instance's settings, as `GET /setting` answers them (spec `Setting`).

`host_url` is the URL the instance is configured with, which a client reaching it through a
proxy on another port does not see otherwise. The other values are those of a plain new
instance: no embedding, no login notice, no email domain restriction (values UNCONFIRMED;
the spec documents the keys, not their defaults).
"""

from __future__ import annotations

from lookervault.local.standin.shapes import Json


def instance_settings(host_url: str) -> Json:
    return {
        "host_url": host_url,
        "timezone": "UTC",
        "allow_user_timezones": False,
        "data_connector_default_enabled": True,
        "extension_framework_enabled": True,
        "marketplace_enabled": True,
        "marketplace_terms_accepted": False,
        "onboarding_enabled": True,
        "email_domain_allowlist": [],
        "embed_enabled": False,
        "login_notification_enabled": False,
        "login_notification_text": None,
        "dashboard_auto_refresh_restriction": False,
        "dashboard_auto_refresh_minimum_interval": None,
        "is_content_certification_enabled": False,
        "instance_config": {"feature_flags": {}, "license_features": {}},
    }
