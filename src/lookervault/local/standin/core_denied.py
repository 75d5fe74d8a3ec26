"""The calls Looker (Google Cloud core) may deny: each operation of the official
spec whose description says it "may be denied by [Looker (Google Cloud core)]", as (method,
path template).

Generated from tests/looker_api/Looker.4.0.oas.json by `python -m tests.support.core_denied`;
a test keeps it equal to a fresh build. Do not edit by hand.
"""

from __future__ import annotations

CORE_DENIED: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/credentials_email/search"),
        ("POST", "/fetch_and_parse_saml_idp_metadata"),
        ("GET", "/ldap_config"),
        ("PATCH", "/ldap_config"),
        ("PUT", "/ldap_config/test_auth"),
        ("PUT", "/ldap_config/test_connection"),
        ("PUT", "/ldap_config/test_user_auth"),
        ("PUT", "/ldap_config/test_user_info"),
        ("GET", "/legacy_features"),
        ("GET", "/legacy_features/{legacy_feature_id}"),
        ("PATCH", "/legacy_features/{legacy_feature_id}"),
        ("GET", "/oidc_config"),
        ("PATCH", "/oidc_config"),
        ("POST", "/oidc_test_configs"),
        ("DELETE", "/oidc_test_configs/{test_slug}"),
        ("GET", "/oidc_test_configs/{test_slug}"),
        ("POST", "/parse_saml_idp_metadata"),
        ("GET", "/password_config"),
        ("PATCH", "/password_config"),
        ("PUT", "/password_config/force_password_reset_at_next_login_for_all_users"),
        ("GET", "/public_egress_ip_addresses"),
        ("PUT", "/roles/{role_id}/groups"),
        ("GET", "/saml_config"),
        ("PATCH", "/saml_config"),
        ("POST", "/saml_test_configs"),
        ("DELETE", "/saml_test_configs/{test_slug}"),
        ("GET", "/saml_test_configs/{test_slug}"),
        ("GET", "/support_access/allowlist"),
        ("POST", "/support_access/allowlist"),
        ("DELETE", "/support_access/allowlist/{entry_id}"),
        ("PUT", "/support_access/disable"),
        ("PUT", "/support_access/enable"),
        ("GET", "/support_access/status"),
        ("GET", "/users/credential/{credential_type}/{credential_id}"),
        ("DELETE", "/users/{user_id}/credentials_email"),
        ("GET", "/users/{user_id}/credentials_email"),
        ("PATCH", "/users/{user_id}/credentials_email"),
        ("POST", "/users/{user_id}/credentials_email"),
        ("POST", "/users/{user_id}/credentials_email/password_reset"),
        ("POST", "/users/{user_id}/credentials_email/send_password_reset"),
        ("DELETE", "/users/{user_id}/credentials_ldap"),
        ("GET", "/users/{user_id}/credentials_ldap"),
        ("DELETE", "/users/{user_id}/credentials_looker_openid"),
        ("GET", "/users/{user_id}/credentials_looker_openid"),
        ("DELETE", "/users/{user_id}/credentials_totp"),
        ("GET", "/users/{user_id}/credentials_totp"),
        ("POST", "/users/{user_id}/credentials_totp"),
        ("POST", "/users/{user_id}/update_emails"),
    }
)
