"""Concurrent writers on PostgreSQL: row locks serialize transitions, avenant numbering and signatures."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from conventions import services
from conventions.models import Convention, ConventionStatus
from core.errors import DomainError
from tests.conventions.helpers import draft, signed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except DomainError as exc:
            outcomes[index] = ("refused", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_concurrent_transitions_one_wins(legal_user, organization):
    convention = draft(legal_user, organization)
    services.submit_for_review(user=legal_user, convention=convention)
    outcomes = run_together(
        lambda: services.approve_convention(
            user=legal_user, convention=convention, delegated_reference="DEC-1", delegated_date=date(2024, 3, 26)
        ),
        lambda: services.return_to_draft(user=legal_user, convention=convention, reason="Corrections"),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    convention = Convention.objects.get(pk=convention.pk)
    assert convention.status in (ConventionStatus.APPROVED, ConventionStatus.DRAFT)
    assert convention.history.count() == 3  # creation, review, one winner


def test_concurrent_avenants_are_numbered_without_gaps(legal_user, organization):
    convention = signed(legal_user, organization)
    outcomes = run_together(
        *[
            (lambda n=n: services.create_amendment(user=legal_user, convention=convention, title=f"Avenant {n}"))
            for n in range(4)
        ]
    )
    assert all(o[0] == "ok" for o in outcomes)
    assert sorted(convention.amendments.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_the_last_two_parties_signing_an_avenant_together_apply_it_once(legal_user, organization):
    convention = signed(legal_user, organization)
    amendment = services.create_amendment(
        user=legal_user, convention=convention, title="Prolongation", new_end_date=date(2028, 5, 1)
    )
    services.approve_amendment(
        user=legal_user, amendment=amendment, delegated_reference="DEC-2", delegated_date=date(2025, 1, 2)
    )
    services.send_amendment_for_signature(user=legal_user, amendment=amendment)
    outcomes = run_together(
        *[
            (
                lambda party=party: services.sign_amendment(
                    user=legal_user,
                    amendment=amendment,
                    party=party,
                    signed_on=date(2025, 1, 10),
                    today=date(2025, 1, 10),
                )
            )
            for party in convention.parties.all()
        ]
    )
    assert all(o[0] == "ok" for o in outcomes)
    amendment.refresh_from_db()
    assert (amendment.status, amendment.signatures.count()) == ("signed", 2)
    assert Convention.objects.get(pk=convention.pk).end_date == date(2028, 5, 1)
    assert amendment.history.filter(history_change_reason__startswith="Avenant signé par toutes").count() == 1
