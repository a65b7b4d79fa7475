"""One's own account (SPEC §1): change password, profile, interface preferences, UI labels."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

NEW_PASSWORD = "a-brand-new-passphrase"

ME = "{ me { username email fullName phone country language theme buttonLabelLength } }"
PASSWORD_CHANGE = """mutation Change($current: String!, $new: String!) {
  passwordChange(input: {currentPassword: $current, newPassword: $new}) { user { username } errors { code field } }
}"""
PROFILE_UPDATE = """mutation Profile($input: ProfileUpdateInput!) {
  profileUpdate(input: $input) { user { fullName email phone country } errors { code field } }
}"""
PREFERENCES_UPDATE = """mutation Preferences($input: PreferencesUpdateInput!) {
  preferencesUpdate(input: $input) { user { language theme buttonLabelLength } errors { code field } }
}"""
UI_LABEL = """query Label($text: String!) { me { uiLabel(text: $text) } }"""


@pytest.fixture
async def boss(client):
    factories.provider("boss")
    return await client.login("boss", factories.PASSWORD)


async def _login_errors(client, username, password):
    result = await client.execute(LOGIN, {"u": username, "p": password})
    return [e["code"] for e in result["data"]["sessionCreate"]["errors"]]


# --- change password ---------------------------------------------------------------------------

async def test_password_change_with_a_wrong_current_password_is_refused_and_changes_nothing(client, boss):
    # when
    result = await client.execute(PASSWORD_CHANGE, {"current": "not-my-password", "new": NEW_PASSWORD},
                                  token=boss)
    # then
    assert result["data"]["passwordChange"] == {
        "user": None, "errors": [{"code": "WRONG_PASSWORD", "field": "currentPassword"}]}
    assert await _login_errors(client, "boss", factories.PASSWORD) == []


async def test_password_change_replaces_the_password(client, boss):
    # when
    result = await client.execute(PASSWORD_CHANGE, {"current": factories.PASSWORD, "new": NEW_PASSWORD},
                                  token=boss)
    # then
    assert result["data"]["passwordChange"]["errors"] == []
    assert await _login_errors(client, "boss", factories.PASSWORD) == ["INVALID_CREDENTIALS"]
    assert await _login_errors(client, "boss", NEW_PASSWORD) == []


async def test_password_change_ends_the_other_sessions_and_keeps_the_current_one(client, boss):
    # given
    other = await client.login("boss", factories.PASSWORD)
    # when
    await client.execute(PASSWORD_CHANGE, {"current": factories.PASSWORD, "new": NEW_PASSWORD}, token=boss)
    # then
    assert (await client.execute(ME, token=other))["data"]["me"] is None
    assert (await client.execute(ME, token=boss))["data"]["me"]["username"] == "boss"


@pytest.mark.parametrize(("new_password", "code"), [
    ("short", "PASSWORD_TOO_SHORT"),
    ("x" * 257, "PASSWORD_TOO_LONG"),
    ("BOSS", "PASSWORD_TOO_SHORT"),
    ("bossboss", None),
])
async def test_password_change_checks_the_new_password(client, boss, new_password, code):
    # when
    result = await client.execute(PASSWORD_CHANGE, {"current": factories.PASSWORD, "new": new_password},
                                  token=boss)
    # then
    errors = result["data"]["passwordChange"]["errors"]
    assert errors == ([] if code is None else [{"code": code, "field": "newPassword"}])


async def test_password_equal_to_the_username_is_refused(client):
    # given
    factories.provider("longusername")
    token = await client.login("longusername", factories.PASSWORD)
    # when
    result = await client.execute(PASSWORD_CHANGE, {"current": factories.PASSWORD, "new": "LongUserName"},
                                  token=token)
    # then
    assert result["data"]["passwordChange"]["errors"] == [
        {"code": "PASSWORD_SAME_AS_USERNAME", "field": "newPassword"}]


# --- profile -------------------------------------------------------------------------------------

async def test_profile_update_changes_the_contact_details_given(client, boss):
    # when
    result = await client.execute(PROFILE_UPDATE, {"input": {
        "fullName": "  Ada Boss ", "email": "ada@example.test", "phone": "+33 1 23 45 67 89", "country": "fr"}},
        token=boss)
    # then
    assert result["data"]["profileUpdate"] == {"user": {
        "fullName": "Ada Boss", "email": "ada@example.test", "phone": "+33 1 23 45 67 89", "country": "FR"},
        "errors": []}


async def test_profile_update_leaves_fields_not_given_unchanged(client, boss):
    # given
    await client.execute(PROFILE_UPDATE, {"input": {"fullName": "Ada Boss", "country": "DE"}}, token=boss)
    # when
    await client.execute(PROFILE_UPDATE, {"input": {"phone": "555"}}, token=boss)
    # then
    me = (await client.execute(ME, token=boss))["data"]["me"]
    assert (me["fullName"], me["country"], me["phone"]) == ("Ada Boss", "DE", "555")


@pytest.mark.parametrize(("field", "value", "code"), [
    ("email", "not-an-address", "INVALID_EMAIL"),
    ("email", "two@@example.test", "INVALID_EMAIL"),
    ("email", "", "INVALID_EMAIL"),
    ("country", "FRA", "INVALID_COUNTRY"),
    ("country", "XX", "INVALID_COUNTRY"),
    ("country", "1A", "INVALID_COUNTRY"),
])
async def test_profile_update_with_an_invalid_field_is_a_typed_error_and_changes_nothing(
        client, boss, field, value, code):
    # given
    before = (await client.execute(ME, token=boss))["data"]["me"]
    # when
    result = await client.execute(PROFILE_UPDATE, {"input": {"fullName": "Changed Name", field: value}},
                                  token=boss)
    # then
    assert result["data"]["profileUpdate"] == {"user": None, "errors": [{"code": code, "field": field}]}
    assert (await client.execute(ME, token=boss))["data"]["me"] == before


# --- preferences ---------------------------------------------------------------------------------

async def test_languages_are_the_shipped_locales(client):
    # when
    result = await client.execute("{ languages { code name } }")
    # then
    assert [language["code"] for language in result["data"]["languages"]] == ["en", "fr", "de", "es", "ru"]


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "ru"])
async def test_preferences_accept_every_shipped_language(client, boss, language):
    # when
    result = await client.execute(PREFERENCES_UPDATE, {"input": {"language": language}}, token=boss)
    # then
    assert result["data"]["preferencesUpdate"]["errors"] == []
    assert result["data"]["preferencesUpdate"]["user"]["language"] == language


@pytest.mark.parametrize("language", ["it", "xx", "", "english"])
async def test_preferences_refuse_a_language_that_is_not_shipped(client, boss, language):
    # when
    result = await client.execute(PREFERENCES_UPDATE, {"input": {"language": language}}, token=boss)
    # then
    assert result["data"]["preferencesUpdate"] == {
        "user": None, "errors": [{"code": "UNSUPPORTED_LANGUAGE", "field": "language"}]}
    assert (await client.execute(ME, token=boss))["data"]["me"]["language"] == "en"


async def test_preferences_accept_every_listed_theme(client, boss):
    # given
    themes = (await client.execute("{ themes }"))["data"]["themes"]
    assert "default" in themes
    for theme in themes:
        # when
        result = await client.execute(PREFERENCES_UPDATE, {"input": {"theme": theme}}, token=boss)
        # then
        assert result["data"]["preferencesUpdate"]["user"]["theme"] == theme


async def test_preferences_refuse_a_theme_not_in_the_list(client, boss):
    # when
    result = await client.execute(PREFERENCES_UPDATE, {"input": {"theme": "neon", "language": "fr"}},
                                  token=boss)
    # then
    assert result["data"]["preferencesUpdate"]["errors"] == [{"code": "UNKNOWN_THEME", "field": "theme"}]
    me = (await client.execute(ME, token=boss))["data"]["me"]
    assert (me["theme"], me["language"]) == ("default", "en")


@pytest.mark.parametrize("length", [-1, 1001])
async def test_preferences_refuse_a_button_label_length_out_of_range(client, boss, length):
    # when
    result = await client.execute(PREFERENCES_UPDATE, {"input": {"buttonLabelLength": length}}, token=boss)
    # then
    assert result["data"]["preferencesUpdate"]["errors"] == [
        {"code": "INVALID_LABEL_LENGTH", "field": "buttonLabelLength"}]


@pytest.mark.parametrize(("text", "shown"), [
    ("Subscriptions", "Subscript…"),   # 13 characters, limit 10: nine kept and the ellipsis
    ("Websites 1", "Websites 1"),      # exactly at the limit: unchanged
    ("Mail", "Mail"),
    ("Ünïcödé lábel", "Ünïcödé l…"),   # counted in characters, not bytes
])
async def test_ui_labels_longer_than_the_limit_end_with_an_ellipsis_exactly_at_the_limit(
        client, boss, text, shown):
    # given
    await client.execute(PREFERENCES_UPDATE, {"input": {"buttonLabelLength": 10}}, token=boss)
    # when
    result = await client.execute(UI_LABEL, {"text": text}, token=boss)
    # then
    assert result["data"]["me"]["uiLabel"] == shown
    assert len(result["data"]["me"]["uiLabel"]) <= 10


async def test_ui_labels_are_whole_when_the_limit_is_zero(client, boss):
    # given
    await client.execute(PREFERENCES_UPDATE, {"input": {"buttonLabelLength": 0}}, token=boss)
    # when
    result = await client.execute(UI_LABEL, {"text": "A rather long button label"}, token=boss)
    # then
    assert result["data"]["me"]["uiLabel"] == "A rather long button label"
