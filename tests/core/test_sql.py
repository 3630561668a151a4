"""SQL written once (``core.sql``): rows read as the ORM reads them, on every database."""

from datetime import date
from decimal import Decimal

import pytest

from conventions.models import Convention, ConventionClause
from core import sql
from parties.models import Person
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


def test_batch_answers_each_query_in_order(legal_user, organization):
    first, second = draft(legal_user, organization, title="Premier"), draft(legal_user, organization, title="Second")
    by_id = f"SELECT {sql.column(Convention, 'title')} FROM {sql.table(Convention)} WHERE {sql.column(Convention, 'id')} = %s"
    none = f"{by_id} AND 1 = 0"
    assert sql.batch([(by_id, [second.pk]), (none, [first.pk]), (by_id, [first.pk])]) == [
        [("Second",)],
        [],
        [("Premier",)],
    ]


def test_batch_is_one_round_trip_on_postgresql(legal_user, organization, django_assert_num_queries):
    convention = draft(legal_user, organization)
    by_id = (
        f"SELECT {sql.column(Convention, 'id')} FROM {sql.table(Convention)} WHERE {sql.column(Convention, 'id')} = %s"
    )
    with django_assert_num_queries(1 if sql.one_message() else 3):
        assert sql.batch([(by_id, [convention.pk])] * 3) == [[(convention.pk,)]] * 3
    assert sql.batch([]) == []


def test_instances_are_the_orms_with_the_fields_not_read_deferred(legal_user, organization, django_assert_num_queries):
    convention = draft(legal_user, organization, amount=Decimal("99.90"), perimeter_postal_codes=["34000"])
    raw = sql.rows(f"SELECT {sql.columns(Convention)} FROM {sql.table(Convention)} WHERE id = %s", [convention.pk])
    (built,) = sql.instances(Convention, raw)
    orm = Convention.objects.get(pk=convention.pk)
    assert [getattr(built, f) for f in sql.fields_of(Convention)] == [
        getattr(orm, f) for f in sql.fields_of(Convention)
    ]
    assert not built._state.adding and built._state.db == "default" and built.get_deferred_fields() == set()
    # A subset of the fields, asked in any order, is read in the model's order; the rest is deferred.
    subset = ("title", "id")
    raw = sql.rows(
        f"SELECT {sql.columns(Convention, subset)} FROM {sql.table(Convention)} WHERE id = %s", [convention.pk]
    )
    (partial,) = sql.instances(Convention, raw, subset)
    assert (partial.pk, partial.title) == (convention.pk, convention.title)
    assert "reference" in partial.get_deferred_fields()
    with django_assert_num_queries(1):
        assert partial.reference == convention.reference


def test_rows_are_converted_or_taken_as_read_and_a_row_of_the_wrong_width_refused(legal_user, organization):
    """``instances`` and ``convert`` take a row as the driver read it when none of its fields
    has a converter (on PostgreSQL, a person's); the same instances as the ORM's either way."""
    convention = draft(legal_user, organization, amount=Decimal("99.90"))
    person = Person.objects.create(organization=organization, first_name="Lina", last_name="Martin")
    for model, pk in ((Convention, convention.pk), (Person, person.pk)):
        raw = sql.rows(f"SELECT {sql.columns(model)} FROM {sql.table(model)} WHERE id = %s", [pk])
        (built,) = sql.instances(model, raw)
        orm = model.objects.get(pk=pk)
        assert [getattr(built, f) for f in sql.fields_of(model)] == [getattr(orm, f) for f in sql.fields_of(model)]
        (record,) = sql.convert(model, sql.fields_of(model), raw)
        assert record == {f: getattr(orm, f) for f in sql.fields_of(model)}
        with pytest.raises(ValueError):
            sql.instances(model, [(*raw[0], "one column too many")])
        with pytest.raises(ValueError):
            sql.convert(model, sql.fields_of(model), [raw[0][:-1]])


def test_attached_collections_and_cached_objects_read_no_more(legal_user, organization, django_assert_num_queries):
    convention = draft(legal_user, organization)
    bare = Convention.objects.get(pk=convention.pk)
    clause = ConventionClause(pk=1, convention_id=convention.pk, position=1, title="Objet", body="…")
    sql.attach(bare, "clauses", [clause])
    sql.cache(bare, "organization", organization)
    sql.cache(bare, "termination_notice_record", None)
    with django_assert_num_queries(0):
        assert list(bare.clauses.all()) == [clause]
        assert bare.organization is organization
        assert getattr(bare, "termination_notice_record", None) is None


def _by_title() -> tuple[str, str]:
    # A statement read by key with a literal percent sign (written %% beside its parameters).
    t = sql.table(Convention)
    keyed = sql.by_key(
        f"SELECT {sql.column(Convention, 'id')}, '100%%' FROM {t} "
        f"WHERE {sql.column(Convention, 'id')} = %s AND {sql.column(Convention, 'title')} LIKE %s"
    )
    return keyed, f"SELECT {sql.column(Convention, 'id')} FROM {t} WHERE {sql.column(Convention, 'id')} = %s"


@pytest.mark.django_db(transaction=True)  # the connection is closed and opened again
def test_statements_read_by_key_are_prepared_once_per_connection(legal_user, organization, settings):
    """On PostgreSQL a statement marked ``by_key`` is prepared the first time a connection
    sends it (in the same message) and only executed afterwards; the rows are the same as
    unprepared, on every database, and a new connection prepares it again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    convention = draft(legal_user, organization, title="Festival 2024")
    keyed, plain = _by_title()
    connection.close()  # from a new connection (another test may have prepared these)
    statements = [(keyed, [convention.pk, "Fest%"]), (plain, [convention.pk]), (keyed, [convention.pk, "Nope%"])]
    expected = [[(convention.pk, "100%")], [(convention.pk,)], []]
    with CaptureQueriesContext(connection) as first:
        assert sql.batch(statements) == expected
    with CaptureQueriesContext(connection) as second:
        assert sql.batch(statements) == expected
        assert sql.rows(keyed, [convention.pk, "Fest%"]) == [(convention.pk, "100%")]
    if not sql.one_message():
        return  # SQLite runs each statement as written
    sent = first.captured_queries[0]["sql"]
    assert sent.count("PREPARE ") == 1 and sent.count("EXECUTE ") == 2  # once, for both uses
    assert all("PREPARE" not in q["sql"] and "EXECUTE " in q["sql"] for q in second.captured_queries)
    connection.close()  # a new connection has none prepared
    with CaptureQueriesContext(connection) as third:
        assert sql.batch(statements) == expected
    assert "PREPARE " in third.captured_queries[0]["sql"]
    settings.PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as off:
        assert sql.batch(statements) == expected
    assert "EXECUTE" not in off.captured_queries[0]["sql"]


def test_a_failed_message_leaves_no_statement_taken_for_prepared(legal_user, organization):
    """A message that fails records none of its statements as prepared: the next one prepares
    them again, under other names (one prepared before the failure outlives it on the server)."""
    from django.db import DatabaseError, connections, transaction

    if not sql.one_message():
        pytest.skip("statements are prepared on PostgreSQL")
    convention = draft(legal_user, organization, title="Festival 2024")
    keyed, _plain = _by_title()
    failing = sql.by_key(f"SELECT no_such_column FROM {sql.table(Convention)} WHERE id = %s")  # PREPARE fails
    with pytest.raises(DatabaseError), transaction.atomic():
        sql.batch([(keyed, [convention.pk, "Fest%"]), (failing, [convention.pk])])
    assert failing not in connections["default"].__dict__["_conventio_prepared"]["names"]
    assert sql.batch([(keyed, [convention.pk, "Fest%"])]) == [[(convention.pk, "100%")]]
    assert connections["default"].__dict__["_conventio_prepared"]["names"].get(keyed) is not None


@pytest.mark.django_db(transaction=True)
def test_threads_prepare_on_their_own_connections():
    """Each thread has its connection, and its own record of what is prepared on it: threads
    taking turns (a threaded server) never execute a statement their connection lacks nor
    prepare one twice."""
    import threading

    from django.db import connections

    statement = sql.by_key("SELECT CAST(%s AS INTEGER) + 1")
    turns = [threading.Event(), threading.Event()]
    failures: list[BaseException] = []

    def run(me: int) -> None:
        try:
            for n in range(6):
                turns[me].wait(5)
                turns[me].clear()
                assert sql.batch([(statement, [n])]) == [[(n + 1,)]]
                turns[1 - me].set()
        except BaseException as exc:  # reported by the test's thread
            failures.append(exc)
            turns[1 - me].set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(me,)) for me in (0, 1)]
    for thread in threads:
        thread.start()
    turns[0].set()
    for thread in threads:
        thread.join(30)
    assert failures == []
