"""Seller templates in the sandbox: unknown variables and unsafe constructs are refused when saved, and
inert when rendered anyway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from comptoir.messaging import sandbox
from comptoir.messaging.sandbox import TemplateErrorCode, TemplateRefused


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """Pure functions: no tables to empty after each test."""
    yield


VARIABLES = {"name", "link", "lines"}


@pytest.mark.parametrize("source", [
    "{{ ''.__class__ }}",
    "{{ name.__class__.__mro__ }}",
    "{{ name.upper() }}",
    "{{ link.foo.bar }}",
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ 'x' * 1000000000 }}",
    "{{ lines[name] }}",
    "{{ name|attr('__class__') }}",
    "{% include 'other' %}",
    "{% macro m() %}{% endmacro %}",
    "{{ cycler }}{{ lipsum() }}",
])
def test_unsafe_constructs_are_refused_at_save_time(source):
    with pytest.raises(TemplateRefused) as refused:
        sandbox.check(source, VARIABLES, field="bodyText")
    assert refused.value.code in (TemplateErrorCode.UNSAFE_TEMPLATE, TemplateErrorCode.UNKNOWN_VARIABLE)


def test_an_unknown_variable_is_refused_and_named():
    with pytest.raises(TemplateRefused) as refused:
        sandbox.check("Hello {{ name }}, {{ password }}", VARIABLES, field="bodyText")
    assert refused.value.code is TemplateErrorCode.UNKNOWN_VARIABLE and "password" in refused.value.message


def test_declared_variables_conditions_and_loops_over_a_variable_are_accepted():
    sandbox.check("{% if name %}Hi {{ name|title }}{% endif %}{% for line in lines %}{{ loop.index }}: "
                  "{{ line.label }}{% endfor %}", VARIABLES, field="bodyText")


def test_a_syntax_error_is_refused_with_its_line():
    with pytest.raises(TemplateRefused) as refused:
        sandbox.check("Hello\n{{ name ", VARIABLES, field="bodyText")
    assert refused.value.code is TemplateErrorCode.TEMPLATE_SYNTAX and "Line 2" in refused.value.message


@pytest.mark.parametrize("source", ["{{ ''.__class__ }}", "{{ name.upper() }}", "{{ name.__class__.__mro__ }}",
                                    "{{ name.format }}"])
def test_unsafe_templates_rendered_anyway_reach_nothing(source):
    with pytest.raises((SecurityError, UndefinedError)):
        sandbox.render_text(source, {"name": "Ada"})


def test_html_is_escaped_and_the_text_part_derived_from_it():
    html = sandbox.render_html('<p>Hello {{ name }}</p><p><a href="{{ link }}">Pay</a></p>',
                               {"name": "<script>x</script>", "link": "https://pay.example.test/1"})
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = sandbox.text_from_html(html)
    assert "Hello <script>x</script>" in text and "Pay (https://pay.example.test/1)" in text


def test_an_html_part_is_made_from_a_text_only_template():
    html = sandbox.html_from_text("Hi <b>\n\nhttps://x.test/a", subject="S", language="fr")
    assert '<html lang="fr">' in html and "&lt;b&gt;" in html and '<a href="https://x.test/a">' in html
