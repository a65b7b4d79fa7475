"""Error codes of the hosting domain (plans, subscriptions, customers)."""

from __future__ import annotations

from comptoir.errors import ErrorCode


class HostingErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    NAME_TAKEN = "name_taken"
    INVALID_NAME = "invalid_name"
    NEEDS_HOSTING_SETTINGS_MANAGEMENT = "needs_hosting_settings_management"
    PLAN_IN_USE = "plan_in_use"
    NOT_A_SERVICE_PLAN = "not_a_service_plan"
    NOT_AN_ADDON = "not_an_addon"
    ADDON_NEEDS_PLAN = "addon_needs_plan"
    ADDON_ALREADY_ADDED = "addon_already_added"
    ADDON_NOT_ADDED = "addon_not_added"
    INVALID_DOMAIN = "invalid_domain"
    DOMAIN_TAKEN = "domain_taken"
    INVALID_LOGIN = "invalid_login"
    LOGIN_TAKEN = "login_taken"
    PASSWORD_TOO_SHORT = "password_too_short"
    IP_NOT_AVAILABLE = "ip_not_available"
    IP_DEDICATED_TO_ANOTHER_CUSTOMER = "ip_dedicated_to_another_customer"
    SUBSCRIPTION_LIMIT_REACHED = "subscription_limit_reached"
    ALLOCATION_EXCEEDED = "allocation_exceeded"
    MAILBOX_SIZE_OVER_CAP = "mailbox_size_over_cap"
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"
    NOT_PERMITTED = "not_permitted"
    NOT_UNSYNCED = "not_unsynced"
    NOT_LOCKED = "not_locked"
    NOT_EXPIRED = "not_expired"
    NOT_SUSPENDED = "not_suspended"
    OWNER_NOT_FOUND = "owner_not_found"
    SAME_OWNER = "same_owner"
    NOT_CUSTOMIZABLE = "not_customizable"
    INVALID_LIMIT = "invalid_limit"
    INVALID_VALIDITY = "invalid_validity"
    CONFIRMATION_REQUIRED = "confirmation_required"
    USERNAME_TAKEN = "username_taken"
    INVALID_USERNAME = "invalid_username"
    INVALID_EMAIL = "invalid_email"
    INVALID_COUNTRY = "invalid_country"
    PASSWORD_TOO_LONG = "password_too_long"
    PASSWORD_SAME_AS_USERNAME = "password_same_as_username"
    DEDICATED_IP_REQUIRED = "dedicated_ip_required"  # anonymous FTP or a genuine SSL certificate (SPEC §3)
    SETTING_NOT_AVAILABLE = "setting_not_available"  # the subscription's server cannot provide it
    NO_SERVER_AVAILABLE = "no_server_available"  # every suitable hosting server is full (SPEC §4.11)
