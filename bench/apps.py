from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Only for the ``generate_bench_data`` command; the app has no models."""

    name = "bench"
    verbose_name = "Benchmarks"
