"""Server time of the main pages and API calls, beside a floor measured in the same run.

Each request goes through Django's full handler (``django.test.Client``: every middleware,
session and token authentication, URL resolution, templates) against the benchmark
database. The floor is a bare view (``bench.urls``) through the same stack; page and floor
requests are interleaved so that a busy moment of the machine weighs on both alike.

For each endpoint the report also gives its SQL query count on the métropole (the largest
data) and on a small commune: the count must not grow with the data. The slowest query of
each endpoint is explained (EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from bench import harness
from bench.generator import base

MEDIAN_MS = 50
P95_MS = 150


@dataclass
class Endpoint:
    name: str
    api: bool
    # (fixtures, tenant key) → path, or None when the app does not offer it yet.
    path: Callable[[Fixtures, str], str | None]
    role: str = "clerk"
    method: str = "get"
    # A reference for reading the others (not a page of the application): measured, not checked.
    reference: bool = False


def url(name: str, *args: Any, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


class Fixtures:
    """The objects the endpoints are measured on: the largest of the métropole, and a small commune's."""

    def __init__(self) -> None:
        from parties.models import Organization

        self.orgs = {
            "metropole": Organization.objects.get(website=base.MARK_WEBSITE, email__startswith="contact@metropole."),
        }
        small = (
            Organization.objects.filter(website=base.MARK_WEBSITE, kind="commune", tenant__isnull=True)
            .order_by("population")
            .first()
        )
        self.orgs["small"] = small or self.orgs["metropole"]
        self.keys = {
            "metropole": "metropole",
            "small": small.email.split("@")[1].split(".")[0] if small else "metropole",
        }
        self.cache: dict[tuple[str, str], Any] = {}

    def username(self, tenant: str, role: str) -> str:
        return f"{base.USER_PREFIX}{self.keys[tenant]}-{role}"

    def get(self, what: str, tenant: str) -> Any:
        key = (what, tenant)
        if key not in self.cache:
            self.cache[key] = getattr(self, f"_{what}")(self.orgs[tenant])
        return self.cache[key]

    # Objects, each the largest of its kind in the organization.
    def _sitting(self, org: Any) -> int | None:
        if base.model("deliberations.Sitting") is None:
            return None
        from django.db.models import Count

        from bench.bench_attendance import PLACE
        from deliberations.models import Sitting

        held = (
            Sitting.objects.filter(assembly__organization=org)
            .exclude(opened_at=None)
            .exclude(place=PLACE)
            .annotate(n=Count("deliberations"))
        )
        # The generator's benchmarked sitting has exactly 150 items; else the largest.
        exact = held.filter(n=150).order_by("-starts_at").values_list("pk", flat=True).first()
        return exact or held.order_by("-n", "-starts_at").values_list("pk", flat=True).first()

    def _deliberation(self, org: Any) -> int | None:
        if base.model("deliberations.Ballot") is None:
            return None
        from deliberations.models import Ballot

        # A signed act (the page then offers fewer actions): the same kind of page on every
        # tenant, whatever the votes the attendance and load benchmarks left unsigned.
        return (
            Ballot.objects.filter(
                vote__deliberation__assembly__organization=org, vote__deliberation__signed_on__isnull=False
            )
            .order_by("-vote__deliberation__signed_on")
            .values_list("vote__deliberation_id", flat=True)
            .first()
        )

    def _convention(self, org: Any) -> int | None:
        if base.model("conventions.Convention") is None:
            return None
        from django.db.models import Count

        from conventions.models import Convention

        return (
            Convention.objects.filter(organization=org)
            .annotate(n=Count("amendments", distinct=True))
            .order_by("-n", "-pk")
            .values_list("pk", flat=True)
            .first()
        )

    def _deadline(self, org: Any) -> int | None:
        if base.model("reminders.Deadline") is None:
            return None
        from reminders.models import Deadline

        return Deadline.objects.filter(organization=org).order_by("-due_date").values_list("pk", flat=True).first()

    def _document(self, org: Any) -> int | None:
        if base.model("documents.StoredDocument") is None:
            return None
        from documents.models import StoredDocument

        return StoredDocument.objects.filter(organization=org).values_list("pk", flat=True).first()


def _with(what: str, build: Callable[[int], str | None]) -> Callable[[Fixtures, str], str | None]:
    def path(fx: Fixtures, tenant: str) -> str | None:
        pk = fx.get(what, tenant)
        return build(pk) if pk else None

    return path


def _org(build: Callable[[int], str | None]) -> Callable[[Fixtures, str], str | None]:
    return lambda fx, tenant: build(fx.orgs[tenant].pk)


ENDPOINTS: list[Endpoint] = [
    # Not a page of the application: an empty page in the layout, what each page costs first.
    Endpoint("empty page (layout only)", False, lambda fx, t: "/__bench__/layout/", reference=True),
    Endpoint("dashboard", False, lambda fx, t: url("core:dashboard"), role="manager"),
    # A clerk's dashboard also has the documents panel (PDFs to sign, batches under way).
    Endpoint("dashboard (clerk)", False, lambda fx, t: url("core:dashboard")),
    Endpoint(
        "convention list (filtered, page 2)",
        False,
        lambda fx, t: url("conventions:list", query="?status=active&page=2"),
        role="legal",
    ),
    # A word of partners' names that some 5 % of the métropole's conventions carry in their
    # title (the generator names conventions after their partner): a search with a full page.
    Endpoint(
        "convention list (search)", False, lambda fx, t: url("conventions:list", query="?q=festival"), role="legal"
    ),
    Endpoint("convention detail", False, _with("convention", lambda pk: url("conventions:detail", pk)), role="legal"),
    Endpoint("sitting list", False, lambda fx, t: url("deliberations:sitting_list")),
    Endpoint(
        "sitting detail (attendance grid)", False, _with("sitting", lambda pk: url("deliberations:sitting_detail", pk))
    ),
    Endpoint("sitting attendance page", False, _with("sitting", lambda pk: url("deliberations:attendance", pk))),
    Endpoint("deliberation list (page 2)", False, lambda fx, t: url("deliberations:list", query="?page=2")),
    Endpoint("deliberation detail", False, _with("deliberation", lambda pk: url("deliberations:detail", pk))),
    Endpoint(
        "public search",
        False,
        _org(lambda org: url("deliberations:public_list", org, query="?q=subvention+association")),
    ),
    Endpoint("public list (page 3)", False, _org(lambda org: url("deliberations:public_list", org, query="?page=3"))),
    Endpoint("deadline list", False, lambda fx, t: url("reminders:list"), role="manager"),
    Endpoint("notifications", False, lambda fx, t: url("reminders:notifications"), role="clerk"),
    Endpoint("document list", False, lambda fx, t: url("documents:list")),
    Endpoint("document detail", False, _with("document", lambda pk: url("documents:detail", pk))),
    Endpoint("organization list", False, lambda fx, t: url("parties:organization_list"), role="legal"),
    # API
    Endpoint(
        "API conventions (filtered, page 2)",
        True,
        lambda fx, t: "/api/v1/conventions?status=active&page=2",
        role="legal",
    ),
    Endpoint("API convention detail", True, _with("convention", lambda pk: f"/api/v1/conventions/{pk}"), role="legal"),
    Endpoint("API sitting detail", True, _with("sitting", lambda pk: f"/api/v1/sittings/{pk}")),
    Endpoint("API sitting attendance", True, _with("sitting", lambda pk: f"/api/v1/sittings/{pk}/attendance")),
    Endpoint("API deliberations (page 2)", True, lambda fx, t: "/api/v1/deliberations?page=2"),
    Endpoint("API deliberation detail", True, _with("deliberation", lambda pk: f"/api/v1/deliberations/{pk}")),
    Endpoint(
        "API deliberation search",
        True,
        lambda fx, t: "/api/v1/deliberations?q=subvention+association",
    ),
    Endpoint("API deadlines", True, lambda fx, t: "/api/v1/deadlines", role="manager"),
    Endpoint("API deadline counts", True, lambda fx, t: "/api/v1/deadlines/counts", role="manager"),
    Endpoint("API documents", True, lambda fx, t: "/api/v1/documents", role="clerk"),
    Endpoint("API organizations", True, lambda fx, t: "/api/v1/organizations", role="legal"),
]


class Clients:
    """One logged-in browser client and one bearer-token API client per (tenant, role)."""

    def __init__(self, fx: Fixtures) -> None:
        self.fx = fx
        self.cache: dict[tuple[str, str, bool], Client] = {}

    def get(self, tenant: str, role: str, api: bool) -> Client:
        key = (tenant, role, api)
        if key in self.cache:
            return self.cache[key]
        from core import services as core_services
        from core.models import User

        # A page that fails is reported with its status, not raised.
        if not role:
            client = Client(raise_request_exception=False)
        else:
            user = User.objects.get(username=self.fx.username(tenant, role))
            if api:
                _token, secret = core_services.create_api_token(user=user, name="benchmark")
                client = Client(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)
            else:
                client = Client(raise_request_exception=False)
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        self.cache[key] = client
        return client


def run(*, repeat: int = 60, only: str | None = None) -> harness.Report:
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        return _run(repeat=repeat, only=only)


# The tables the other benchmarks write (the load test marks deadlines handled and votes,
# the reminders benchmark plans a day): vacuumed first, as autovacuum would have in service,
# so that an index-only count does not visit thousands of heap pages (F30, F43).
WRITTEN_TABLES = ("reminders.Deadline", "reminders.Reminder", "deliberations.Deliberation", "deliberations.VoteResult")


def _vacuum_written_tables() -> None:
    if connection.vendor != "postgresql":
        return
    from django.apps import apps

    with connection.cursor() as cursor:
        for label in WRITTEN_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {apps.get_model(label)._meta.db_table}")


def _run(*, repeat: int, only: str | None) -> harness.Report:
    _vacuum_written_tables()
    fx = Fixtures()
    clients = Clients(fx)
    report = harness.Report(
        "pages",
        ["endpoint", "status", "median ms", "p95 ms", "floor med", "× floor", "queries big", "queries small", "KB"],
    )
    report.extra["plans"] = {}
    floor_page = clients.get("metropole", "clerk", False)
    floor_api = clients.get("metropole", "clerk", True)
    floors: dict[bool, list[float]] = {False: [], True: []}
    for endpoint in ENDPOINTS:
        if only and only.lower() not in endpoint.name.lower():
            continue
        path = endpoint.path(fx, "metropole")
        if path is None:
            report.add_row(endpoint.name, "missing", None, None, None, None, None, None, None)
            report.notes.append(f"{endpoint.name}: not measured (the page or its data is not there yet)")
            report.check(f"{endpoint.name}: measured", 1, 0, "missing")  # a target left unmeasured is missed
            continue
        client = clients.get("metropole", endpoint.role, endpoint.api)
        floor_client, floor_path = (
            (floor_api, "/__bench__/api/ping") if endpoint.api else (floor_page, "/__bench__/floor/")
        )
        response = client.get(path)
        status = response.status_code
        size_kb = len(response.content) / 1024 if hasattr(response, "content") else 0
        if status != 200:
            report.add_row(endpoint.name, status, None, None, None, None, None, None, round(size_kb, 1))
            report.notes.append(f"{endpoint.name}: {path} answered {status}")
            report.check(f"{endpoint.name}: answers 200", 1, 0, "errors")  # a page that fails misses its targets
            continue
        samples = harness.interleaved(
            {"page": lambda c=client, p=path: c.get(p), "floor": lambda c=floor_client, p=floor_path: c.get(p)},
            repeat=repeat,
        )
        floors[endpoint.api].extend(samples["floor"].values)
        queries = harness.captured_queries(lambda c=client, p=path: c.get(p))
        small_path = endpoint.path(fx, "small")
        small_queries = None
        if small_path:
            small_client = clients.get("small", endpoint.role, endpoint.api)
            small_queries = len(harness.captured_queries(lambda c=small_client, p=small_path: c.get(p)))
        page, floor = samples["page"], samples["floor"]
        ratio = page.median / floor.median if floor.median else float("nan")
        report.add_row(
            endpoint.name,
            status,
            round(page.median, 1),
            round(page.p95, 1),
            round(floor.median, 1),
            round(ratio, 1),
            len(queries),
            small_queries,
            round(size_kb, 1),
        )
        if endpoint.reference:
            report.notes.append(
                f"{endpoint.name}: {page.median:.1f} ms, {ratio:.1f} × the floor — what every page's layout costs"
            )
        else:
            report.check(f"{endpoint.name}: median", page.median, MEDIAN_MS, "ms")
            report.check(f"{endpoint.name}: p95", page.p95, P95_MS, "ms")
        if small_queries is not None and not endpoint.reference:
            report.check(
                f"{endpoint.name}: queries (métropole − small commune)",
                len(queries) - small_queries,
                0,
                "queries",
            )
        report.extra.setdefault("samples", {})[endpoint.name] = {
            "path": path,
            "page": page.as_dict(),
            "floor": floor.as_dict(),
            "queries": len(queries),
            "small_queries": small_queries,
        }
        slowest = sorted(queries, key=lambda q: float(q.get("time") or 0), reverse=True)[:2]
        plans = []
        for q in slowest:
            sql = q["sql"]
            if not sql.upper().startswith("SELECT"):
                continue
            try:
                plan = harness.explain(sql)
            except Exception as exc:  # a query that cannot be replayed alone (cursor, savepoint…)
                plan = f"(not explained: {exc})"
                connection.rollback() if not connection.get_autocommit() else None
            plans.append({"time_s": q.get("time"), "sql": sql, "plan": plan})
        report.extra["plans"][endpoint.name] = plans
    report.extra["floor"] = {
        "page": harness.Samples(floors[False]).as_dict() if floors[False] else None,
        "api": harness.Samples(floors[True]).as_dict() if floors[True] else None,
    }
    return report


def write_plans(report: harness.Report) -> str:
    """The query plans as Markdown, for the README and the results folder."""
    lines = ["# Query plans of the slowest query of each endpoint", ""]
    for name, plans in report.extra.get("plans", {}).items():
        for plan in plans:
            batch = f", its slowest of {plan['statements']} statements" if plan.get("statements", 1) > 1 else ""
            lines += [
                f"## {name} ({float(plan['time_s'] or 0) * 1000:.1f} ms{batch})",
                "",
                "```sql",
                plan["sql"][:3000],
                "```",
                "",
            ]
            lines += ["```", plan["plan"], "```", ""]
    text = "\n".join(lines)
    harness.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (harness.RESULTS_DIR / "latest-plans.md").write_text(text, encoding="utf-8")
    return text
