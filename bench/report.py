"""``python -m bench.report``: the latest results (bench/results/latest-*.json) as Markdown, for the README."""

from __future__ import annotations

import json
import sys

from bench.env import RESULTS_DIR
from bench.run import BENCHMARKS


def markdown(chosen: dict[str, str] | None = None) -> str:
    """``chosen``: benchmark → result file name to show instead of its latest run."""
    out: list[str] = []
    machine_done = False
    for name in BENCHMARKS:
        path = RESULTS_DIR / (chosen or {}).get(name, f"latest-{name}.json")
        if not path.exists():
            out += [f"### {name}", "", "_not run yet_", ""]
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if not machine_done:
            m = data["machine"]
            out += [
                "Machine: "
                f"{m.get('nproc')} CPUs ({m.get('cpu', '?')}), {m.get('memory_gb')} GB of memory, "
                f"{m.get('database_version', m.get('database'))}, Python {m.get('python')}, Django {m.get('django')}; "
                f"reference work {m.get('reference_work_ms', '?')} ms (`bench.harness.reference_work_ms`: lower is "
                "a faster host).",
                "",
            ]
            machine_done = True
        out += [f"### {name} ({data['at']}, load average {data['machine'].get('load_average')})", ""]
        out.append("| " + " | ".join(data["columns"]) + " |")
        out.append("|" + " --- |" * len(data["columns"]))
        for row in data["rows"]:
            out.append("| " + " | ".join("" if v is None else str(v) for v in row) + " |")
        out.append("")
        if data["checks"]:
            out += ["| target | value | limit | status |", "| --- | --- | --- | --- |"]
            for c in data["checks"]:
                value = "—" if c["value"] is None else f"{c['value']:g} {c['unit']}".strip()
                out.append(f"| {c['name']} | {value} | {c['comparison']} {c['limit']:g} {c['unit']} | {c['status']} |")
            out.append("")
        out += [f"- {n}" for n in data.get("notes", [])]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    # python -m bench.report [benchmark=file.json …]
    sys.stdout.write(markdown(dict(arg.split("=", 1) for arg in sys.argv[1:])))
