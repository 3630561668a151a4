"""Scale data and benchmarks for Conventio (run by hand, never in CI).

``python -m bench.generate --scale 1`` (or ``manage.py generate_bench_data``) builds a
métropole-sized dataset; ``python -m bench.run pages|reminders|documents|attendance|load|explain|all``
measures it. See ``bench/README.md``.
"""
