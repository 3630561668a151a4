"""The benchmark dataset generator, at a tiny scale: counts, invariants, re-runs."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bench.generator import base, generate
from bench.generator.deliberations import replay
from core.models import Membership, User
from core.roles import Role
from parties.models import Organization

pytestmark = pytest.mark.django_db

SCALE = 0.01


@pytest.fixture
def result():
    return generate(scale=SCALE, log=lambda _line: None)


def test_counts_match_the_database(result):
    counts = result["counts"]
    assert (
        counts["organizations (collectivités)"]
        == Organization.objects.filter(website=base.MARK_WEBSITE, tenant__isnull=True).count()
    )
    # A métropole and one commune at this scale, each with a user per role.
    assert counts["organizations (collectivités)"] == 2
    users_per_tenant = len(Role.values)
    assert User.objects.filter(username__startswith=base.USER_PREFIX).count() == counts["users"] == 2 * users_per_tenant
    assert Membership.objects.filter(user__username__startswith=base.USER_PREFIX).count() == 2 * users_per_tenant
    assert (
        counts["organizations (partners)"]
        == Organization.objects.filter(website=base.MARK_WEBSITE, tenant__isnull=False).count()
    )


def test_search_index_and_vectors_are_there(result):
    from django.db import connection

    from deliberations.models import Deliberation

    if connection.vendor != "postgresql":
        pytest.skip("full-text search vectors are PostgreSQL only")
    assert not Deliberation.objects.filter(search_vector__isnull=True).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'deliberation_scoped_search_gin'")
        assert cursor.fetchone()[0] == 1


def test_rerun_replaces_its_own_data_and_keeps_the_rest(result):
    outsider = Organization.objects.create(kind="commune", name="Commune hors jeu d'essai")
    again = generate(scale=SCALE, log=lambda _line: None)
    assert again["counts"] == result["counts"]
    assert Organization.objects.filter(pk=outsider.pk).exists()
    assert Organization.objects.filter(website=base.MARK_WEBSITE, tenant__isnull=True).count() == 2


def test_management_command(capsys):
    call_command("generate_bench_data", "--scale", "0.002")
    out = capsys.readouterr().out
    assert "organizations (collectivités): 1" in out


def test_sittings_and_agendas_are_consistent(result):
    from deliberations.models import Deliberation, DeliberationState, NumberingCounter, Sitting, SittingState

    assert (
        result["counts"]["sittings"]
        == Sitting.objects.filter(assembly__organization__website=base.MARK_WEBSITE).count()
    )
    for sitting in Sitting.objects.all():
        day = timezone.localtime(sitting.starts_at).date()
        if sitting.state != SittingState.PLANNED:
            clear_days = 5 if sitting.assembly.organization.population >= 3500 else 3
            # Jours francs: neither the day of sending nor the day of the sitting counts.
            assert (day - sitting.convocation_date).days - 1 >= clear_days
        if sitting.state in (SittingState.PLANNED, SittingState.CONVENED):
            assert sitting.opened_at is None and day > base.REFERENCE_DAY
            assert set(sitting.deliberations.values_list("state", flat=True)) == {DeliberationState.ON_AGENDA}
        else:
            assert sitting.opened_at <= sitting.closed_at
            assert day <= sitting.list_published_on <= day + timedelta(days=7)
        if sitting.minutes_published_on:
            assert sitting.state == SittingState.MINUTES_PUBLISHED
            assert sitting.minutes_approved_on <= sitting.minutes_published_on
        positions = list(sitting.deliberations.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1))
    # Numbers: consecutive per assembly and year, and the counter holds the last one.
    by_key: dict[tuple[int, int], list[int]] = defaultdict(list)
    for assembly_id, year, seq in Deliberation.objects.values_list("assembly_id", "year", "sequence"):
        by_key[(assembly_id, year)].append(seq)
    for (assembly_id, year), seqs in by_key.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert NumberingCounter.objects.get(rule__assembly_id=assembly_id, year=year).last_value == len(seqs)
    for d in Deliberation.objects.filter(state=DeliberationState.ENFORCEABLE).select_related("sitting"):
        assert d.published_on is not None and d.enforceable_on >= d.published_on
        assert hasattr(d, "transmission") == d.requires_transmission
        if d.requires_transmission:
            assert d.enforceable_on == max(d.published_on, d.transmission.received_on)


def test_votes_match_the_attendance_item_by_item(result):
    from deliberations.models import Attendance, AttendanceChange, Ballot, Deliberation, Proxy, Sitting, VoteResult

    replay_fn = _replay()
    checked = 0
    for sitting in Sitting.objects.exclude(opened_at=None):
        members = list(Attendance.objects.filter(sitting=sitting).values_list("person_id", "status"))
        # Storage grows with members, not with agenda items.
        assert len(members) == len({p for p, _s in members})
        defaults = dict(members)
        items = {d.pk: d.position for d in Deliberation.objects.filter(sitting=sitting)}
        changes: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for person, item, status in AttendanceChange.objects.filter(sitting=sitting).values_list(
            "person_id", "deliberation_id", "status"
        ):
            changes[items[item]].append((person, status))
        proxies = [
            (g, h, items.get(f) if f else None, items.get(r) if r else None)
            for g, h, f, r in Proxy.objects.filter(sitting=sitting).values_list(
                "giver_id", "holder_id", "from_item_id", "revoked_from_item_id"
            )
        ]
        # One proxy per holder.
        assert len({h for _g, h, _f, _r in proxies}) == len(proxies)
        derived = {
            position: (len(present), len(represented))
            for position, present, represented in replay_fn(list(defaults), defaults, changes, proxies, len(items))
        }
        for vote in VoteResult.objects.filter(deliberation__sitting=sitting).select_related("deliberation"):
            total = vote.votes_for + vote.votes_against + vote.abstentions + vote.not_voting
            assert total == vote.present_count + vote.represented_count
            assert (vote.present_count, vote.represented_count) == derived[vote.deliberation.position]
            assert vote.present_count * 2 > vote.members_in_office == len(defaults)
            assert (vote.outcome == "adopted") == (vote.votes_for > vote.votes_against)
            assert vote.deliberation.state != ("rejected" if vote.outcome == "adopted" else "adopted")
            ballots = Counter(Ballot.objects.filter(vote=vote).values_list("choice", flat=True))
            if ballots:
                assert ballots == Counter(
                    {
                        k: v
                        for k, v in {
                            "for": vote.votes_for,
                            "against": vote.votes_against,
                            "abstain": vote.abstentions,
                            "not_voting": vote.not_voting,
                        }.items()
                        if v
                    }
                )
            checked += 1
    assert checked == result["counts"]["vote results"] > 0
    assert result["counts"]["ballots"] > 0


def _replay():
    """The deliberations app's own derivation when it is there, else the generator's copy of it."""
    try:
        from deliberations.attendance import ProxyFact
        from deliberations.attendance import replay as app_replay
    except ImportError:
        return replay

    def adapted(members, defaults, changes, proxies, n):
        flat = [(pos, person, status) for pos, moves in changes.items() for person, status in moves]
        facts = [ProxyFact(i, g, h, f, r) for i, (g, h, f, r) in enumerate(proxies)]
        items = app_replay(
            members=members, defaults=defaults, changes=flat, positions=list(range(1, n + 1)), proxies=facts
        )
        for position, item in sorted(items.items()):
            yield position, item.present_ids, item.represented

    return adapted


def test_conventions_are_consistent(result):
    pytest.importorskip("conventions.models")
    from bench.generator.base import model

    if model("conventions.Evaluation") is None:
        pytest.skip("the conventions app has no models yet")
    from conventions.models import Amendment, Convention, ConventionParty, Evaluation

    conventions = Convention.objects.filter(organization__website=base.MARK_WEBSITE)
    assert conventions.count() == result["counts"]["conventions"] > 0
    for c in conventions.prefetch_related("parties", "approving_deliberations", "amendments"):
        if c.status in ("draft", "legal_review", "cancelled"):
            assert c.signed_on is None and c.effective_date is None
            continue
        assert c.approved_on is not None
        for d in c.approving_deliberations.all():
            # An adopted (or later) deliberation of the convention's own organization, dated before.
            assert d.assembly.organization_id == c.organization_id
            assert d.state in ("adopted", "signed", "transmitted", "published", "enforceable")
            assert d.signed_on <= c.approved_on
        if c.status in ("approved", "out_for_signature"):
            assert c.signed_on is None
            continue
        assert c.approved_on <= c.signed_on <= base.REFERENCE_DAY
        assert c.effective_date == c.signed_on and c.end_date >= c.effective_date
        parties = list(c.parties.all())
        assert max(p.signed_on for p in parties) == c.signed_on
        assert {p.side for p in parties} == {"first", "other"}
        numbers = sorted(a.number for a in c.amendments.all())
        assert numbers == list(range(1, len(numbers) + 1))
        if c.status in ("active", "suspended"):
            assert c.end_date >= base.REFERENCE_DAY
        if c.status in ("expired", "renewed"):
            assert c.end_date < base.REFERENCE_DAY
    assert ConventionParty.objects.filter(convention__in=conventions).count() == result["counts"]["convention parties"]
    assert Amendment.objects.filter(convention__in=conventions).count() == result["counts"].get(
        "amendments (avenants)", 0
    )
    # A signed avenant is signed by every party, on its date at the latest and after its approval.
    amendments = Amendment.objects.filter(convention__in=conventions).prefetch_related("signatures")
    for a in amendments:
        days = [s.signed_on for s in a.signatures.all()]
        if a.status == "signed":
            assert len(days) == 2 and max(days) == a.signed_on and min(days) >= a.approved_on
    assert sum(len(a.signatures.all()) for a in amendments) == result["counts"].get("amendment signatures", 0)
    for e in Evaluation.objects.filter(convention__in=conventions).exclude(held_on=None):
        assert e.outcome


def test_deadlines_and_documents(result):
    from bench.generator.base import model

    if model("reminders.Deadline") is None or model("documents.StoredDocument") is None:
        pytest.skip("reminders or documents not there yet")
    from documents.models import StoredDocument
    from reminders.models import Deadline

    assert Deadline.objects.count() == result["counts"]["deadlines"] > 0
    from reminders.models import EVENT_KINDS

    # Tasks done were handled by someone; events that took place were closed by the daily run.
    tasks, events = Deadline.objects.exclude(kind__in=EVENT_KINDS), Deadline.objects.filter(kind__in=EVENT_KINDS)
    assert not tasks.filter(handled_at__isnull=False, handled_by__isnull=True).exists()
    assert not events.filter(handled_by__isnull=False).exists()
    assert not events.filter(handled_at__isnull=True, due_date__lt=base.REFERENCE_DAY).exists()
    # 100,000 × scale, or fewer when the tiny dataset has fewer owners.
    assert 0 < StoredDocument.objects.count() == result["counts"]["stored documents"] <= round(100_000 * SCALE)
    for doc in StoredDocument.objects.all()[:20]:
        assert doc.owner is not None and doc.size > 0 and len(doc.sha256) == 64


def test_rerun_after_the_benchmarks_wrote_history(result):
    """The benchmarks record votes through the services: history rows by the bench users,
    some of rows deleted since (a vote reopened). A new generation removes them too."""
    from django.utils import timezone as tz

    from deliberations.models import Ballot

    bench_user = User.objects.filter(username__startswith=base.USER_PREFIX).first()
    person = Organization.objects.filter(website=base.MARK_WEBSITE).first().people.first()
    Ballot.history.model.objects.create(
        id=10**9,
        vote_id=10**9,  # the vote was deleted since: no path leads back to an organization
        person_id=person.pk,
        choice="for",
        history_date=tz.now(),
        history_type="-",
        history_user=bench_user,
    )
    again = generate(scale=SCALE, log=lambda _line: None)
    assert again["counts"] == result["counts"]
    assert not Ballot.history.model.objects.filter(id=10**9).exists()
