"""The pages' Jinja2 environment prints values as Django's template engine printed them."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.template import Context, Template, engines
from django.test import RequestFactory
from django.utils import translation


def _page(source: str, **context: object) -> str:
    return str(engines["pages"].env.from_string(source).render(**context))


def _django(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_printed_values_are_localized_like_djangos():
    values = {
        "amount": Decimal("60000.50"),
        "ratio": 0.5,
        "count": 240,
        "day": date(2024, 3, 26),
        "when": datetime(2024, 3, 26, 17, 30, tzinfo=UTC),
        "none": None,
        "flag": True,
        "text": "L'an & <b>",
    }
    with translation.override("fr"):
        for name, value in values.items():
            assert _page("{{ v }}", v=value) == _django("{{ v }}", v=value).replace("&#x27;", "&#39;"), name
        assert _page("{{ v }}", v=values["when"]) == "26 mars 2024 18:30"  # Europe/Paris
        assert _page('{{ v|date("d/m/Y H:i") }}', v=values["when"]) == "26/03/2024 18:30"
        assert _page('{{ _("Page %(n)s sur %(total)s", n=2, total=9) }}') == "Page 2 sur 9"
    with translation.override("en"):
        assert _page('{{ _("Page %(n)s sur %(total)s", n=2, total=9) }}') == "Page 2 of 9"


def test_a_dict_row_is_read_by_key_before_attribute():
    row = {"items": "trois points", "title": "Budget"}
    assert _page("{{ row.items }} — {{ row.title }} — {{ row.missing }}", row=row) == "trois points — Budget — "
    assert _page("{{ row.keys()|list|length }}", row=row) == "2"  # a method when there is no such key


def test_querystring_keeps_the_lists_filters():
    request = RequestFactory().get("/conventions/", {"status": "active", "q": "a&b", "page": "3"})
    assert _page("{{ querystring(page=4) }}", request=request) == "?status=active&amp;q=a%26b&amp;page=4"
    assert _page("{{ querystring(page=None) }}", request=request) == "?status=active&amp;q=a%26b"
