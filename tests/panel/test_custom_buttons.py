"""Custom buttons (SPEC §1): places, order, who sees them, their images, and the context their URLs carry."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlsplit

import pytest

from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.panel import custom_buttons as buttons
from comptoir.panel.custom_buttons import ButtonContext as C
from comptoir.panel.custom_buttons import ButtonLocation as L
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.panel.image_files import gif, jpeg, png
from tests.panel.support import add_staff, customer_context, staff_context, subscription
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


@pytest.fixture
def alpha(provider) -> factories.Actor:
    return factories.reseller(provider, "Alpha Hosting", "alpha_admin")


def viewer_of(context: TenantContext) -> buttons.Viewer:
    assert context.user_id is not None
    return buttons.Viewer(context.seller_id, context.user_id,
                          context.customer_id if context.role is Role.CUSTOMER else None)


def create(tenant: TenantContext, label: str, location: L = L.SELLER_HOME, **fields) -> uuid.UUID:  # type: ignore[no-untyped-def]
    fields.setdefault("url", "https://tools.example/")
    with session_scope(tenant) as session:
        return buttons.create(session=session, viewer=viewer_of(tenant),
                              new=buttons.NewButton(label=label, location=location, **fields)).id


def labels(context: TenantContext, location: L | None = None) -> list[str]:
    with session_scope(context) as session:
        return [b.label for b in buttons.list_for(session=session, viewer=viewer_of(context), location=location)]


def refusal(context: TenantContext, work) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with session_scope(context) as session, pytest.raises(DomainError) as caught:
        work(session, viewer_of(context))
    return caught.value.code.name, caught.value.field


def urls_for(context: TenantContext, subscription_id=None, location: L | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Label → final URL, as the viewer gets them."""
    viewer = viewer_of(context)
    with session_scope(context) as session:
        found = buttons.list_for(session=session, viewer=viewer, location=location)
        wanted = {C(value) for button in found for value in button.context_parameters}
        values = buttons.context_values(session=session, viewer=viewer, subscription_id=subscription_id, wanted=wanted)
        return {b.label: buttons.final_url(b.url, b.context_parameters, values) for b in found}


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


# --- order and places --------------------------------------------------------------------------------------

def test_buttons_listed_in_priority_order(alpha):
    # given
    staff = staff_context(alpha)
    for label, priority in (("Third", 30), ("First", -5), ("Second", 10)):
        create(staff, label, priority=priority)
    # then
    assert labels(staff, L.SELLER_HOME) == ["First", "Second", "Third"]


def test_equal_priorities_keep_creation_order(alpha):
    staff = staff_context(alpha)
    for label in ("Older", "Newer", "Newest"):
        create(staff, label, priority=5)
    assert labels(staff, L.SELLER_HOME) == ["Older", "Newer", "Newest"]


def test_a_location_lists_only_its_own_buttons(alpha):
    staff = staff_context(alpha)
    create(staff, "Home", L.SELLER_HOME)
    create(staff, "Websites", L.CUSTOMER_WEBSITES)
    create(staff, "Navigation", L.COMMON)
    assert labels(staff, L.CUSTOMER_WEBSITES) == ["Websites"]
    assert labels(staff) == ["Home", "Websites", "Navigation"]


def test_customers_see_their_sellers_customer_and_common_buttons_only(alpha):
    # given
    staff = staff_context(alpha)
    for label, location in (("Seller home", L.SELLER_HOME), ("Customer home", L.CUSTOMER_HOME),
                            ("Websites", L.CUSTOMER_WEBSITES), ("Navigation", L.COMMON)):
        create(staff, label, location)
    customer = customer_context(factories.customer(alpha, "carol"))
    # then
    assert labels(customer) == ["Customer home", "Websites", "Navigation"]
    assert labels(customer, L.SELLER_HOME) == []


# --- "visible only to me" ----------------------------------------------------------------------------------

def test_visible_only_to_me_hidden_from_other_staff(alpha):
    # given
    me, colleague = staff_context(alpha), staff_context(add_staff(alpha, "alpha_second"))
    button_id = create(me, "Mine", visible_only_to_me=True)
    create(me, "Shared")
    # then the colleague neither lists, edits nor deletes it
    assert labels(colleague) == ["Shared"]
    assert labels(me) == ["Mine", "Shared"]
    assert refusal(colleague, lambda s, v: buttons.update(session=s, viewer=v, button_id=button_id, label="Taken")
                   ) == ("NOT_FOUND", "id")
    assert refusal(colleague, lambda s, v: buttons.delete(session=s, viewer=v, button_id=button_id)) == ("NOT_FOUND", "id")


def test_visible_only_to_me_never_shown_to_customers(alpha):
    staff = staff_context(alpha)
    create(staff, "Private", L.CUSTOMER_HOME, visible_only_to_me=True)
    create(staff, "Public", L.CUSTOMER_HOME)
    assert labels(customer_context(factories.customer(alpha, "carol"))) == ["Public"]


# --- field rules -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("location", "side"), [(L.COMMON, 16), (L.SELLER_HOME, 32), (L.CUSTOMER_HOME, 32),
                                                 (L.CUSTOMER_WEBSITES, 32)])
def test_button_image_is_16_pixels_square_in_navigation_and_32_elsewhere(alpha, location, side):
    staff = staff_context(alpha)
    # then the right size is taken, in any of the three formats
    for build in (png, gif, jpeg):
        create(staff, f"{build.__name__}", location, image=build(side, side))
    # and any other size is refused
    other = 48 - side
    for width, height in ((other, other), (side, side + 1)):
        assert refusal(staff, lambda s, v, w=width, h=height: buttons.create(session=s, viewer=v, new=buttons.NewButton(
            label="Wrong", location=location, url="https://tools.example/", image=png(w, h)))
        ) == ("WRONG_IMAGE_SIZE", "imageBase64")


def test_button_image_is_judged_by_content(alpha):
    staff = staff_context(alpha)
    assert refusal(staff, lambda s, v: buttons.create(session=s, viewer=v, new=buttons.NewButton(
        label="Svg", location=L.SELLER_HOME, url="https://tools.example/", image=b"<svg/>"))
    ) == ("UNSUPPORTED_IMAGE_TYPE", "imageBase64")


def test_moving_a_button_into_navigation_rechecks_its_image(alpha):
    # given a page button with a 32×32 image
    staff = staff_context(alpha)
    button_id = create(staff, "Page", L.SELLER_HOME, image=png(32, 32))
    # when it moves to the navigation pane with that image
    assert refusal(staff, lambda s, v: buttons.update(session=s, viewer=v, button_id=button_id, location=L.COMMON)
                   ) == ("WRONG_IMAGE_SIZE", "location")
    # then it may move with a 16×16 image, or without an image
    with session_scope(staff) as session:
        moved = buttons.update(session=session, viewer=viewer_of(staff), button_id=button_id, location=L.COMMON,
                               image=gif(16, 16))
        assert (moved.location, buttons.image_of(moved).width) == ("common", 16)  # type: ignore[union-attr]
    with session_scope(staff) as session:
        moved = buttons.update(session=session, viewer=viewer_of(staff), button_id=button_id, location=L.SELLER_HOME,
                               remove_image=True)
        assert (moved.location, moved.image) == ("seller_home", None)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example/", "/relative", "tools.example"])
def test_button_url_must_be_http_or_https(alpha, url):
    staff = staff_context(alpha)
    assert refusal(staff, lambda s, v: buttons.create(session=s, viewer=v, new=buttons.NewButton(
        label="Bad", location=L.SELLER_HOME, url=url))) == ("INVALID_URL", "url")


@pytest.mark.parametrize(("fields", "expected"), [
    ({"label": "   "}, ("INVALID_LABEL", "label")),
    ({"label": "x" * 256}, ("INVALID_LABEL", "label")),
    ({"priority": 2**31}, ("INVALID_PRIORITY", "priority")),
    ({"tooltip": "x" * 1001}, ("INVALID_TOOLTIP", "tooltip")),
])
def test_label_tooltip_and_priority_are_checked(alpha, fields, expected):
    staff = staff_context(alpha)
    new = {"label": "Ok", "location": L.SELLER_HOME, "url": "https://tools.example/"} | fields
    assert refusal(staff, lambda s, v: buttons.create(session=s, viewer=v, new=buttons.NewButton(**new))) == expected


def test_refused_update_changes_nothing(alpha):
    staff = staff_context(alpha)
    button_id = create(staff, "Before")
    # when a good label comes with a bad URL
    assert refusal(staff, lambda s, v: buttons.update(session=s, viewer=v, button_id=button_id, label="After",
                                                        url="javascript:x"))[0] == "INVALID_URL"
    # then
    assert labels(staff) == ["Before"]


# --- context appended to the URL ---------------------------------------------------------------------------

def test_button_url_carries_selected_context_only(alpha):
    # given a customer with a subscription, and buttons choosing different context
    carol = factories.customer(alpha, "carol")
    sub = subscription(alpha, carol, domain="carol.example", login="carol_ftp", password="s3cret-ftp")
    staff = staff_context(alpha)
    create(staff, "Domain", L.CUSTOMER_WEBSITES, context=[C.DOMAIN_NAME, C.CUSTOMER_EMAIL])
    create(staff, "Nothing", L.CUSTOMER_WEBSITES)
    # when the customer looks at its subscription's page
    urls = urls_for(customer_context(carol), sub)
    # then each URL carries exactly what its button selected
    assert query_of(urls["Domain"]) == {"domain_name": "carol.example", "customer_email": "carol@c.test"}
    assert urls["Nothing"] == "https://tools.example/"


def test_ftp_password_appended_only_when_selected(alpha):
    carol = factories.customer(alpha, "carol")
    sub = subscription(alpha, carol, domain="carol.example", login="carol_ftp", password="s3cret-ftp")
    staff = staff_context(alpha)
    create(staff, "Login only", L.CUSTOMER_WEBSITES, context=[C.FTP_LOGIN])
    create(staff, "Both", L.CUSTOMER_WEBSITES, context=[C.FTP_LOGIN, C.FTP_PASSWORD])
    urls = urls_for(customer_context(carol), sub)
    assert query_of(urls["Login only"]) == {"ftp_login": "carol_ftp"}
    assert query_of(urls["Both"]) == {"ftp_login": "carol_ftp", "ftp_password": "s3cret-ftp"}


def test_every_context_item_has_its_value(alpha):
    carol = factories.customer(alpha, "carol")
    sub = subscription(alpha, carol, domain="carol.example", login="carol_ftp", password="s3cret-ftp")
    staff = staff_context(alpha)
    create(staff, "All", L.CUSTOMER_HOME, context=list(C))
    assert query_of(urls_for(customer_context(carol), sub)["All"]) == {
        "subscription_id": str(sub), "domain_name": "carol.example", "ftp_login": "carol_ftp",
        "ftp_password": "s3cret-ftp", "customer_id": str(carol.customer_id), "customer_name": "Carol",
        "customer_email": "carol@c.test", "customer_company": "",
    }


def test_staff_get_the_customer_context_of_the_subscriptions_owner(alpha):
    carol = factories.customer(alpha, "carol")
    sub = subscription(alpha, carol, domain="carol.example", login="carol_ftp")
    staff = staff_context(alpha)
    create(staff, "Who", L.CUSTOMER_HOME, context=[C.CUSTOMER_NAME, C.SUBSCRIPTION_ID])
    assert query_of(urls_for(staff, sub)["Who"]) == {"customer_name": "Carol", "subscription_id": str(sub)}
    assert urls_for(staff)["Who"] == "https://tools.example/"


def test_context_is_added_to_an_existing_query_before_the_fragment():
    values = {C.DOMAIN_NAME: "a b&c.example", C.FTP_LOGIN: "x"}
    assert buttons.final_url("https://t.example/p?lang=fr#top", ["domain_name"], values) == (
        "https://t.example/p?lang=fr&domain_name=a+b%26c.example#top")


def test_a_customer_cannot_borrow_a_sibling_customers_subscription(alpha):
    carol, dave = factories.customer(alpha, "carol"), factories.customer(alpha, "dave")
    daves = subscription(alpha, dave, domain="dave.example", login="dave_ftp")
    create(staff_context(alpha), "Ftp", L.CUSTOMER_WEBSITES, context=[C.FTP_PASSWORD])
    with pytest.raises(DomainError) as caught:
        urls_for(customer_context(carol), daves)
    assert caught.value.code.name == "SUBSCRIPTION_NOT_FOUND"


# --- tenants -----------------------------------------------------------------------------------------------

def test_reseller_b_never_sees_or_touches_resellers_a_buttons(provider, alpha):
    # given
    bravo = staff_context(factories.reseller(provider, "Bravo Hosting", "bravo_admin"))
    alphas = create(staff_context(alpha), "Alpha only", L.COMMON)
    # then
    assert labels(bravo) == []
    assert refusal(bravo, lambda s, v: buttons.update(session=s, viewer=v, button_id=alphas, label="Mine now")
                   ) == ("NOT_FOUND", "id")
    assert refusal(bravo, lambda s, v: buttons.delete(session=s, viewer=v, button_id=alphas)) == ("NOT_FOUND", "id")
    assert labels(staff_context(alpha)) == ["Alpha only"]


def test_provider_lists_only_its_own_buttons_though_it_may_read_every_row(provider, alpha):
    create(staff_context(alpha), "Alpha's")
    create(staff_context(provider, role=Role.PROVIDER), "Provider's")
    assert labels(staff_context(provider, role=Role.PROVIDER)) == ["Provider's"]


def test_a_reseller_cannot_use_another_tenants_subscription_for_context(provider, alpha):
    bravo = factories.reseller(provider, "Bravo Hosting", "bravo_admin")
    theirs = subscription(bravo, None, domain="bravo.example", login="bravo_ftp")
    create(staff_context(alpha), "Ftp", context=[C.FTP_PASSWORD])
    with pytest.raises(DomainError) as caught:
        urls_for(staff_context(alpha), theirs)
    assert caught.value.code.name == "SUBSCRIPTION_NOT_FOUND"
