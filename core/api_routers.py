"""A router for an app whose API is a package of modules (``conventions/api/``, ...)."""

from collections.abc import Callable
from typing import Any

import ninja


class ModuleRouter(ninja.Router):
    """A router whose operations keep the ids they had when the app's API was one module
    (``<operation_prefix>_<function>``, as ninja names them): clients generated from the
    OpenAPI name their methods after these ids, and splitting a module by subject must not
    rename them."""

    operation_prefix = ""

    def add_api_operation(
        self,
        path: str,
        methods: list[str],
        view_func: Callable[..., Any],
        *,
        operation_id: str | None = None,
        **options: Any,
    ) -> None:
        operation_id = operation_id or f"{self.operation_prefix}_{view_func.__name__}"
        super().add_api_operation(path, methods, view_func, operation_id=operation_id, **options)
