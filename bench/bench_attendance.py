"""``python -m bench.run attendance``: a clerk records a whole métropole sitting through the API.

A fresh sitting of the métropole (240 members in office) with 150 items is prepared with
the services (not measured), dated today so that every date check of the services holds.
Then, through the API with a bearer token and the full request handler (each call is
timed, and its SQL queries counted once): open the sitting, record the attendance of the
240 members in one call and then member by member, 20 proxies, a few arrivals and
departures, the vote of each of the 150 items (totals, and ballots member by member on
10 % of them), close. Afterwards the database must hold every vote with totals = present +
represented for its item.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import harness
from bench.generator import base
from bench.generator.deliberations import EXCUSED, PRESENT, replay

ITEMS = 150
# The place of the sittings this benchmark (and the load test) makes: the pages benchmark
# leaves them out, so that its figures are taken on the generator's sitting, run after run.
PLACE = "Hôtel de Métropole (banc d'essai)"
MEDIAN_MS = 50
P95_MS = 150


def prepare(rng: random.Random) -> tuple[Any, list[Any], list[int], Any]:
    """A convened métropole sitting today with ITEMS items on its agenda, made by the services."""
    from core.models import User
    from deliberations import selectors, services
    from deliberations.models import Assembly
    from parties.models import Person

    clerk = User.objects.get(username=f"{base.USER_PREFIX}metropole-clerk")
    assembly = Assembly.objects.select_related("organization").get(
        organization__website=base.MARK_WEBSITE, organization__email__startswith="contact@metropole."
    )
    today = timezone.localdate()
    members = [m.person_id for m in selectors.members_in_office(assembly.pk, today)]
    starts_at = timezone.make_aware(datetime.combine(today, datetime.min.time()).replace(hour=9))
    sitting = services.create_sitting(
        user=clerk,
        assembly=assembly,
        starts_at=starts_at,
        place=PLACE,
        president=Person.objects.get(pk=members[0]),
    )
    services.convene(user=clerk, sitting=sitting, convocation_date=today - timedelta(days=8))
    items = []
    for position in range(1, ITEMS + 1):
        theme, code = rng.choice(base.THEMES)
        items.append(
            services.create_deliberation(
                user=clerk,
                assembly=assembly,
                sitting=sitting,
                title=f"Point n° {position} du banc d'essai — {theme}",
                theme=theme,
                subject_code=code,
                kind="information" if position % 25 == 0 else "vote",
            )
        )
    return sitting, items, members, clerk


class Timer:
    """Times API calls by kind and counts the queries of the first call of each kind."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.queries: dict[str, int] = {}
        self.errors: list[str] = []

    def call(self, kind: str, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body) if body is not None else None
        send = getattr(self.client, method)
        if kind not in self.queries:
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = send(path, data=data, content_type="application/json")
                elapsed = time.perf_counter() - start
            self.queries[kind] = len(ctx.captured_queries)
        else:
            start = time.perf_counter()
            response = send(path, data=data, content_type="application/json")
            elapsed = time.perf_counter() - start
        self.samples[kind].append(elapsed * 1000)
        if response.status_code >= 400:
            self.errors.append(f"{kind} {path}: {response.status_code} {response.content[:300]!r}")
        return response


def main(args: argparse.Namespace) -> harness.Report:
    from core import services as core_services
    from deliberations.models import Deliberation, VoteResult

    rng = random.Random(7)
    report = harness.Report("attendance", ["API call", "calls", "median ms", "p95 ms", "queries (first call)"])
    start_prepare = time.perf_counter()
    sitting, items, members, clerk = prepare(rng)
    report.notes.append(
        f"prepared sitting {sitting.pk} ({len(members)} members, {len(items)} items) with the services in "
        f"{time.perf_counter() - start_prepare:.1f} s (not measured)"
    )
    _token, secret = core_services.create_api_token(user=clerk, name="attendance benchmark")
    timer = Timer(Client(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False))
    base_path = f"/api/v1/sittings/{sitting.pk}"
    total_start = time.perf_counter()
    timer.call("open the sitting", "post", f"{base_path}/open")
    # Attendance: everyone at once (the usual roll call), then a few corrections one by one.
    defaults = {p: PRESENT for p in members}
    away = rng.sample(members[1:-1], k=len(members) // 6)
    for p in away:
        defaults[p] = EXCUSED
    timer.call("attendance: 240 members in one call", "put", f"{base_path}/attendance", {"statuses": defaults})
    for p in rng.sample([m for m in members[1:-1] if m not in away], k=10):
        timer.call("attendance: one member", "put", f"{base_path}/attendance", {"statuses": {str(p): PRESENT}})
    # Proxies from 20 absent members to 20 present ones.
    present_pool = [p for p in members if defaults[p] == PRESENT][2:]
    proxies: list[tuple[int, int, int | None, int | None]] = []
    for giver, holder in zip(away[:20], rng.sample(present_pool, k=20), strict=False):
        timer.call(
            "register a proxy",
            "post",
            f"{base_path}/proxies",
            {"giver_id": giver, "holder_id": holder, "written_on": timezone.localdate().isoformat()},
        )
        proxies.append((giver, holder, None, None))
    holders = {h for _g, h, _s, _e in proxies}
    # Arrivals and departures during the sitting.
    changes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    movers = rng.sample([p for p in present_pool if p not in holders], k=3) + [g for g in away[20:23]]
    for k, person in enumerate(movers):
        position = 10 + 25 * k
        status = EXCUSED if defaults[person] == PRESENT else PRESENT
        timer.call(
            "record an arrival or departure",
            "post",
            f"{base_path}/movements",
            {"person_id": person, "deliberation_id": items[position - 1].pk, "status": status},
        )
        changes[position].append((person, status))
    # Votes, item by item, with the totals of each item's attendance; ballots on 10 %.
    voters_by_position = {
        position: ([*present], dict(represented))
        for position, present, represented in replay(members, defaults, changes, proxies, len(items))
    }
    for item in items:
        if item.kind == "information":
            timer.call("take note (information item)", "post", f"/api/v1/deliberations/{item.pk}/take-note")
            continue
        present, represented = voters_by_position[item.position]
        voters = len(present) + len(represented)
        if item.position % 10 == 3:
            ballots = [{"person_id": p, "choice": "for"} for p in present] + [
                {"person_id": g, "choice": "for"} for g in represented
            ]
            ballots[-1]["choice"] = "against"
            body = {"method": "public_ballot", "ballots": ballots}
            timer.call("record a vote with 240 ballots", "post", f"/api/v1/deliberations/{item.pk}/vote", body)
        else:
            body = {"votes_for": voters - 2, "votes_against": 1, "abstentions": 1, "not_voting": 0}
            timer.call("record a vote (totals)", "post", f"/api/v1/deliberations/{item.pk}/vote", body)
    timer.call("close the sitting", "post", f"{base_path}/close")
    total = time.perf_counter() - total_start
    timer.call("read the sitting (attendance grid)", "get", base_path)
    timer.call("read the attendance", "get", f"{base_path}/attendance")
    for kind, values in timer.samples.items():
        s = harness.Samples(values)
        report.add_row(kind, len(values), round(s.median, 1), round(s.p95, 1), timer.queries.get(kind))
        if len(values) >= 5:
            report.check(f"{kind}: median", s.median, MEDIAN_MS, "ms")
            report.check(f"{kind}: p95", s.p95, P95_MS, "ms")
    # Nothing lost: every voted item has its result, with totals matching its attendance.
    votes = {
        v.deliberation_id: v
        for v in VoteResult.objects.filter(deliberation__sitting=sitting).select_related("deliberation")
    }
    expected = [i for i in items if i.kind == "vote"]
    wrong = 0
    for item in expected:
        vote = votes.get(item.pk)
        present, represented = voters_by_position[item.position]
        if vote is None or (vote.present_count, vote.represented_count) != (len(present), len(represented)):
            wrong += 1
    report.add_row("whole sitting (API calls only)", 1, round(total * 1000, 1), "", "")
    report.extra.update(
        {
            "sitting_id": sitting.pk,
            "seconds_total": round(total, 2),
            "errors": timer.errors[:20],
            "votes_expected": len(expected),
            "votes_recorded": len(votes),
            "votes_wrong_or_missing": wrong,
            "items_decided": Deliberation.objects.filter(sitting=sitting).exclude(state="on_agenda").count(),
        }
    )
    report.check("errors", len(timer.errors), 0, "")
    report.check("votes missing or with wrong totals", wrong, 0, "")
    for error in timer.errors[:5]:
        report.notes.append(f"error: {error}")
    return report
