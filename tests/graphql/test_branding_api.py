"""Branding, custom buttons and the home-page overview through GraphQL (SPEC §1)."""

from __future__ import annotations

import base64
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest

from comptoir.hosting.vocabulary import Resource
from comptoir.panel import images
from comptoir.schema.ids import encode_id
from tests import factories
from tests.panel.image_files import gif, jpeg, png
from tests.panel.support import add_staff, subscription
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

KB = 1024

BRANDING = """{ branding { logo { dataUrl contentType width height byteSize } logoLinkUrl titleText
  recommendedLogoHeight } }"""
BRANDING_UPDATE = """mutation Brand($input: BrandingUpdateInput!) {
  brandingUpdate(input: $input) {
    branding { logo { contentType width height } logoLinkUrl titleText } errors { code field message } } }"""
BRANDING_RESET = """mutation { brandingReset { branding { logo { contentType } titleText } errors { code } } }"""
BUTTON_FIELDS = """id label fullLabel location priority url configuredUrl tooltip openInPanel visibleOnlyToMe context
  image { contentType width height }"""
BUTTONS = f"""query Buttons($location: CustomButtonLocation, $subscriptionId: ID) {{
  customButtons(location: $location, subscriptionId: $subscriptionId) {{ {BUTTON_FIELDS} }} }}"""
BUTTON_CREATE = f"""mutation Create($input: CustomButtonCreateInput!) {{
  customButtonCreate(input: $input) {{ customButton {{ {BUTTON_FIELDS} }} errors {{ code field message }} }} }}"""
BUTTON_UPDATE = f"""mutation Update($input: CustomButtonUpdateInput!) {{
  customButtonUpdate(input: $input) {{ customButton {{ {BUTTON_FIELDS} }} errors {{ code field }} }} }}"""
BUTTON_DELETE = """mutation Delete($id: ID!) { customButtonDelete(input: {id: $id}) { deletedId errors { code field } } }"""
NODE = """query Node($id: ID!) { node(id: $id) { ... on CustomButton { label } } }"""
PREFERENCES = """mutation Prefs($length: Int!) {
  preferencesUpdate(input: {buttonLabelLength: $length}) { errors { code } } }"""
OVERVIEW = "{ overview { customers subscriptions invoices resources { resource allocated used remaining } } }"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider("root")


@pytest.fixture
def alpha(provider) -> factories.Actor:
    return factories.reseller(provider, "Alpha Hosting", "alpha_admin",
                              limits=[(Resource.CUSTOMERS, 10), (Resource.SUBSCRIPTIONS, 5)])


@pytest.fixture
def bravo(provider) -> factories.Actor:
    return factories.reseller(provider, "Bravo Hosting", "bravo_admin")


async def create_button(client, token, **fields):  # type: ignore[no-untyped-def]
    payload = {"label": "Button", "location": "SELLER_HOME", "url": "https://tools.example/"} | fields
    result = (await client.execute(BUTTON_CREATE, {"input": payload}, token=token))["data"]["customButtonCreate"]
    assert result["errors"] == [], result
    return result["customButton"]


async def buttons(client, token, **variables):  # type: ignore[no-untyped-def]
    result = await client.execute(BUTTONS, variables, token=token)
    assert "errors" not in result, result
    return result["data"]["customButtons"]


# --- branding ----------------------------------------------------------------------------------------------

async def test_branding_is_the_stock_look_until_customised(client, alpha):
    result = await client.execute(BRANDING, token=factories.log_in(alpha))
    assert result["data"]["branding"] == {"logo": None, "logoLinkUrl": None, "titleText": None,
                                          "recommendedLogoHeight": 50}


async def test_logo_uploaded_by_staff_is_shown_to_every_user_of_the_seller_with_its_size(client, alpha):
    # given
    carol = factories.customer(alpha, "carol")
    logo = png(180, 50)
    # when
    result = await client.execute(BRANDING_UPDATE, {"input": {
        "logoBase64": b64(logo), "logoLinkUrl": "https://alpha.example/", "titleText": "Alpha Panel"}},
        token=factories.log_in(alpha))
    # then
    assert result["data"]["brandingUpdate"] == {"errors": [], "branding": {
        "logo": {"contentType": "image/png", "width": 180, "height": 50},
        "logoLinkUrl": "https://alpha.example/", "titleText": "Alpha Panel"}}
    seen = (await client.execute(BRANDING, token=factories.log_in(carol)))["data"]["branding"]
    assert seen["logo"] == {"dataUrl": "data:image/png;base64," + b64(logo), "contentType": "image/png",
                            "width": 180, "height": 50, "byteSize": len(logo)}
    assert (seen["logoLinkUrl"], seen["titleText"]) == ("https://alpha.example/", "Alpha Panel")


async def test_uploaded_images_are_decoded_and_read_off_the_event_loop(client, alpha, monkeypatch):
    """Regression: decoding and walking an image ran on the event loop, stalling every other request."""
    # given a record of the threads the (real) image reader runs on
    loop_thread, threads = threading.get_ident(), []
    read_image = images.read_image

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return read_image(*args, **kwargs)

    monkeypatch.setattr(images, "read_image", recording)
    token = factories.log_in(alpha)
    # when a logo and a button image are uploaded, and the branding is read back
    updated = await client.execute(BRANDING_UPDATE, {"input": {"logoBase64": b64(png(180, 50))}}, token=token)
    await create_button(client, token, imageBase64=b64(png(32, 32)))
    shown = await client.execute(BRANDING, token=token)
    # then the images were read, never on the loop's thread
    assert updated["data"]["brandingUpdate"]["errors"] == [] and shown["data"]["branding"]["logo"] is not None
    assert threads and loop_thread not in threads


async def test_a_refused_logo_is_reported_together_with_the_other_refused_fields(client, alpha):
    result = await client.execute(BRANDING_UPDATE, {"input": {
        "logoBase64": b64(b"GIF89a-not-really"), "logoLinkUrl": "ftp://nowhere", "titleText": "x" * 300}},
        token=factories.log_in(alpha))
    assert sorted((e["field"], e["code"]) for e in result["data"]["brandingUpdate"]["errors"]) == [
        ("logoBase64", "CORRUPT_IMAGE"), ("logoLinkUrl", "INVALID_URL"), ("titleText", "INVALID_TITLE")]


async def test_a_button_with_several_bad_fields_gets_them_all_reported(client, alpha):
    result = await client.execute(BUTTON_CREATE, {"input": {
        "label": "", "location": "COMMON", "url": "javascript:alert(1)", "tooltip": "x" * 5000,
        "imageBase64": b64(png(32, 32))}}, token=factories.log_in(alpha))
    assert sorted((e["field"], e["code"]) for e in result["data"]["customButtonCreate"]["errors"]) == [
        ("imageBase64", "WRONG_IMAGE_SIZE"), ("label", "INVALID_LABEL"), ("tooltip", "INVALID_TOOLTIP"),
        ("url", "INVALID_URL")]


async def test_logo_over_100_kb_is_refused(client, alpha):
    # given
    token = factories.log_in(alpha)
    # when
    result = await client.execute(BRANDING_UPDATE, {"input": {
        "logoBase64": b64(png(120, 50, size=100 * KB + 1)), "titleText": "Not stored"}}, token=token)
    # then nothing is stored, not even the title that came with it
    payload = result["data"]["brandingUpdate"]
    assert (payload["branding"], [(e["code"], e["field"]) for e in payload["errors"]]) == (
        None, [("IMAGE_TOO_LARGE", "logoBase64")])
    assert (await client.execute(BRANDING, token=token))["data"]["branding"]["titleText"] is None


async def test_png_renamed_gif_is_detected_by_content(client, alpha):
    result = await client.execute(BRANDING_UPDATE, {"input": {
        "logoBase64": "data:image/gif;base64," + b64(png(120, 50))}}, token=factories.log_in(alpha))
    assert result["data"]["brandingUpdate"]["branding"]["logo"]["contentType"] == "image/png"


@pytest.mark.parametrize(("content", "code"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "UNSUPPORTED_IMAGE_TYPE"),
    (jpeg(120, 50)[:-20], "CORRUPT_IMAGE"),
    (gif(120, 50) + b"PK\x03\x04", "CORRUPT_IMAGE"),
])
async def test_logo_that_is_not_a_sound_gif_jpeg_or_png_is_refused(client, alpha, content, code):
    token = factories.log_in(alpha)
    result = await client.execute(BRANDING_UPDATE, {"input": {"logoBase64": b64(content)}}, token=token)
    assert [e["code"] for e in result["data"]["brandingUpdate"]["errors"]] == [code]
    assert (await client.execute(BRANDING, token=token))["data"]["branding"]["logo"] is None


async def test_logo_link_must_be_http_or_https(client, alpha):
    result = await client.execute(BRANDING_UPDATE, {"input": {"logoLinkUrl": "javascript:alert(1)"}},
                                  token=factories.log_in(alpha))
    assert [(e["code"], e["field"]) for e in result["data"]["brandingUpdate"]["errors"]] == [
        ("INVALID_URL", "logoLinkUrl")]


async def test_reset_restores_stock_logo(client, alpha):
    # given
    token = factories.log_in(alpha)
    await client.execute(BRANDING_UPDATE, {"input": {"logoBase64": b64(jpeg(120, 50)), "titleText": "Alpha"}},
                         token=token)
    # when
    result = await client.execute(BRANDING_RESET, token=token)
    # then
    assert result["data"]["brandingReset"] == {"branding": {"logo": None, "titleText": "Alpha"}, "errors": []}
    assert (await client.execute(BRANDING, token=token))["data"]["branding"]["logo"] is None


async def test_customers_cannot_change_branding(client, alpha):
    token = factories.log_in(factories.customer(alpha, "carol"))
    result = await client.execute(BRANDING_UPDATE, {"input": {"titleText": "Mine"}}, token=token)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    result = await client.execute(BRANDING_RESET, token=token)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_branding_needs_a_login(client, alpha):
    result = await client.execute(BRANDING)
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_reseller_b_never_sees_resellers_a_branding(client, alpha, bravo):
    await client.execute(BRANDING_UPDATE, {"input": {"logoBase64": b64(png(120, 50)), "titleText": "Alpha"}},
                         token=factories.log_in(alpha))
    for viewer in (bravo, factories.customer(bravo, "bob")):
        seen = (await client.execute(BRANDING, token=factories.log_in(viewer)))["data"]["branding"]
        assert (seen["logo"], seen["titleText"]) == (None, None)


# --- custom buttons ----------------------------------------------------------------------------------------

async def test_custom_button_create_returns_the_button_as_its_creator_sees_it(client, alpha):
    button = await create_button(client, factories.log_in(alpha), label="Support", location="COMMON", priority=7,
                                 url="https://desk.example/new", tooltip="Ask us", openInPanel=True,
                                 context=["CUSTOMER_ID", "CUSTOMER_ID"], imageBase64=b64(gif(16, 16)))
    assert {k: v for k, v in button.items() if k != "id"} == {
        "label": "Support", "fullLabel": "Support", "location": "COMMON", "priority": 7,
        "url": "https://desk.example/new", "configuredUrl": "https://desk.example/new", "tooltip": "Ask us",
        "openInPanel": True, "visibleOnlyToMe": False, "context": ["CUSTOMER_ID"],
        "image": {"contentType": "image/gif", "width": 16, "height": 16}}


async def test_buttons_listed_in_priority_order(client, alpha):
    token = factories.log_in(alpha)
    for label, priority in (("C", 300), ("A", 1), ("B", 20), ("B2", 20)):
        await create_button(client, token, label=label, priority=priority)
    assert [b["label"] for b in await buttons(client, token, location="SELLER_HOME")] == ["A", "B", "B2", "C"]


async def test_long_label_shortened_with_ellipsis(client, alpha):
    # given a customer whose preference is 8 characters
    staff_token = factories.log_in(alpha)
    await create_button(client, staff_token, label="Website statistics", location="CUSTOMER_HOME")
    carol_token = factories.log_in(factories.customer(alpha, "carol"))
    await client.execute(PREFERENCES, {"length": 8}, token=carol_token)
    # then
    seen = await buttons(client, carol_token, location="CUSTOMER_HOME")
    assert [(b["label"], b["fullLabel"]) for b in seen] == [("Website…", "Website statistics")]
    assert [b["label"] for b in await buttons(client, staff_token)] == ["Website statistics"]


async def test_visible_only_to_me_hidden_from_other_staff(client, alpha):
    # given
    mine_token = factories.log_in(alpha)
    colleague_token = factories.log_in(add_staff(alpha, "alpha_second"))
    private = await create_button(client, mine_token, label="Private", visibleOnlyToMe=True)
    # then
    assert [b["label"] for b in await buttons(client, mine_token)] == ["Private"]
    assert await buttons(client, colleague_token) == []
    assert (await client.execute(NODE, {"id": private["id"]}, token=colleague_token))["data"]["node"] is None
    result = await client.execute(BUTTON_DELETE, {"id": private["id"]}, token=colleague_token)
    assert result["data"]["customButtonDelete"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]


async def test_customers_see_customer_places_and_navigation_never_the_sellers_home(client, alpha):
    token = factories.log_in(alpha)
    for label, location in (("Seller", "SELLER_HOME"), ("Home", "CUSTOMER_HOME"),
                            ("Websites", "CUSTOMER_WEBSITES"), ("Nav", "COMMON")):
        await create_button(client, token, label=label, location=location)
    carol_token = factories.log_in(factories.customer(alpha, "carol"))
    assert [b["label"] for b in await buttons(client, carol_token)] == ["Home", "Websites", "Nav"]
    assert await buttons(client, carol_token, location="SELLER_HOME") == []


async def test_button_url_carries_selected_context_only(client, alpha):
    # given
    carol = factories.customer(alpha, "carol")
    sub = subscription(alpha, carol, domain="carol.example", login="carol_ftp", password="s3cret-ftp")
    token = factories.log_in(alpha)
    await create_button(client, token, label="Stats", location="CUSTOMER_WEBSITES",
                        url="https://stats.example/view?theme=dark", context=["DOMAIN_NAME", "FTP_LOGIN"])
    # when the customer opens its subscription's websites page
    seen = await buttons(client, factories.log_in(carol), location="CUSTOMER_WEBSITES",
                         subscriptionId=encode_id("Subscription", sub))
    # then
    url = seen[0]["url"]
    assert dict(parse_qsl(urlsplit(url).query)) == {
        "theme": "dark", "domain_name": "carol.example", "ftp_login": "carol_ftp"}
    assert "s3cret-ftp" not in url
    assert seen[0]["configuredUrl"] == "https://stats.example/view?theme=dark"


async def test_unknown_subscription_is_a_bad_request(client, alpha):
    carol_token = factories.log_in(factories.customer(alpha, "carol"))
    result = await client.execute(BUTTONS, {"subscriptionId": encode_id("Subscription", alpha.seller_id)},
                                  token=carol_token)
    assert result["errors"][0]["extensions"]["reason"] == "SUBSCRIPTION_NOT_FOUND"


async def test_custom_button_update_changes_only_what_is_given(client, alpha):
    token = factories.log_in(alpha)
    button = await create_button(client, token, label="Old", imageBase64=b64(png(32, 32)), tooltip="Tip")
    # when
    result = await client.execute(BUTTON_UPDATE, {"input": {"id": button["id"], "label": "New", "priority": 3}},
                                  token=token)
    # then
    updated = result["data"]["customButtonUpdate"]["customButton"]
    assert (updated["label"], updated["priority"], updated["tooltip"], updated["image"]["width"]) == (
        "New", 3, "Tip", 32)
    # and null removes the image
    result = await client.execute(BUTTON_UPDATE, {"input": {"id": button["id"], "imageBase64": None}}, token=token)
    assert result["data"]["customButtonUpdate"]["customButton"]["image"] is None


async def test_wrong_image_size_is_refused_and_nothing_stored(client, alpha):
    token = factories.log_in(alpha)
    result = await client.execute(BUTTON_CREATE, {"input": {
        "label": "Nav", "location": "COMMON", "url": "https://t.example/", "imageBase64": b64(png(32, 32))}},
        token=token)
    assert result["data"]["customButtonCreate"] == {"customButton": None, "errors": [{
        "code": "WRONG_IMAGE_SIZE", "field": "imageBase64",
        "message": "A COMMON button image must be 16×16 pixels; this one is 32×32."}]}
    assert await buttons(client, token) == []


async def test_custom_button_delete_removes_it(client, alpha):
    token = factories.log_in(alpha)
    button = await create_button(client, token)
    result = await client.execute(BUTTON_DELETE, {"id": button["id"]}, token=token)
    assert result["data"]["customButtonDelete"] == {"deletedId": button["id"], "errors": []}
    assert await buttons(client, token) == []


async def test_customers_cannot_manage_buttons(client, alpha):
    result = await client.execute(BUTTON_CREATE, {"input": {
        "label": "Mine", "location": "CUSTOMER_HOME", "url": "https://t.example/"}},
        token=factories.log_in(factories.customer(alpha, "carol")))
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_reseller_b_never_sees_resellers_a_buttons(client, alpha, bravo):
    # given
    button = await create_button(client, factories.log_in(alpha), label="Alpha", location="COMMON")
    bravo_token = factories.log_in(bravo)
    # then neither Bravo's staff nor its customers see it, by list or by id, nor can Bravo change it
    for token in (bravo_token, factories.log_in(factories.customer(bravo, "bob"))):
        assert await buttons(client, token) == []
        assert (await client.execute(NODE, {"id": button["id"]}, token=token))["data"]["node"] is None
    result = await client.execute(BUTTON_UPDATE, {"input": {"id": button["id"], "label": "Bravo"}},
                                  token=bravo_token)
    assert result["data"]["customButtonUpdate"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]


# --- overview ----------------------------------------------------------------------------------------------

def _resources(overview, *names):  # type: ignore[no-untyped-def]
    return {r["resource"]: (r["allocated"], r["used"]) for r in overview["resources"] if r["resource"] in names}


async def test_overview_for_a_reseller_counts_its_tenant_and_its_allocation(client, alpha, bravo):
    # given
    carol, dave = factories.customer(alpha, "carol", subscribed=False), factories.customer(alpha, "dave", subscribed=False)
    subscription(alpha, carol, domain="carol.example", login="carol_ftp")
    subscription(alpha, dave, domain="dave.example", login="dave_ftp")
    subscription(bravo, factories.customer(bravo, "bob", subscribed=False), domain="bob.example", login="bob_ftp")
    # when
    overview = (await client.execute(OVERVIEW, token=factories.log_in(alpha)))["data"]["overview"]
    # then
    assert (overview["customers"], overview["subscriptions"], overview["invoices"]) == (2, 2, 0)
    assert _resources(overview, "CUSTOMERS", "SUBSCRIPTIONS", "DISK_SPACE") == {
        "CUSTOMERS": (10, 2), "SUBSCRIPTIONS": (5, 2), "DISK_SPACE": (None, 0)}


async def test_overview_for_the_provider_counts_everything(client, provider, alpha, bravo):
    subscription(alpha, factories.customer(alpha, "carol", subscribed=False), domain="carol.example", login="carol_ftp")
    subscription(bravo, factories.customer(bravo, "bob", subscribed=False), domain="bob.example", login="bob_ftp")
    overview = (await client.execute(OVERVIEW, token=factories.log_in(provider)))["data"]["overview"]
    assert overview == {"customers": 2, "subscriptions": 2, "invoices": 0, "resources": []}


async def test_overview_for_a_customer_counts_its_own_subscriptions(client, alpha):
    carol, dave = factories.customer(alpha, "carol", subscribed=False), factories.customer(alpha, "dave", subscribed=False)
    subscription(alpha, carol, domain="carol.example", login="carol_ftp")
    subscription(alpha, dave, domain="dave.example", login="dave_ftp")
    overview = (await client.execute(OVERVIEW, token=factories.log_in(carol)))["data"]["overview"]
    assert overview == {"customers": None, "subscriptions": 1, "invoices": 0, "resources": []}
