"""SQL written once (``core.sql``): rows read as the ORM reads them, on every database."""

from datetime import date
from decimal import Decimal

import pytest

from conventions.models import Convention, ConventionClause
from core import sql
from tests.conventions.helpers import draft

pytestmark = pytest.mark.django_db


def test_records_convert_values_as_the_orm_does(legal_user, organization):
    convention = draft(
        legal_user,
        organization,
        title="Subvention 2024",
        kind="financial",
        amount=Decimal("12500.50"),
        perimeter_communes=["Montpellier", "Lattes"],
    )
    Convention.objects.filter(pk=convention.pk).update(signed_on=date(2024, 5, 2))
    fields = tuple(f.attname for f in Convention._meta.concrete_fields)
    (record,) = sql.records(Convention, fields, "id", convention.pk)
    assert record == Convention.objects.filter(pk=convention.pk).values(*fields).get()
    # Typed values, not the database's text: a decimal, a date, an aware datetime, a list.
    assert record["amount"] == Decimal("12500.50") and isinstance(record["amount"], Decimal)
    assert record["signed_on"] == date(2024, 5, 2)
    assert record["created_at"].tzinfo is not None
    assert record["perimeter_communes"] == ["Montpellier", "Lattes"]


def test_records_come_in_the_order_asked(legal_user, organization):
    convention = draft(legal_user, organization)
    for position, title in [(3, "Troisième"), (1, "Premier"), (2, "Deuxième")]:
        ConventionClause.objects.create(convention=convention, position=position, title=title, body="…")
    fields = ("id", "position", "title")
    ascending = sql.records(ConventionClause, fields, "convention", convention.pk, ("position",))
    assert [r["title"] for r in ascending] == ["Premier", "Deuxième", "Troisième"]
    descending = sql.records(ConventionClause, fields, "convention", convention.pk, ("-position",))
    assert [r["title"] for r in descending] == ["Troisième", "Deuxième", "Premier"]
    assert sql.records(ConventionClause, fields, "convention", 0) == []
