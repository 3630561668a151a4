"""Strict API input: what a request may carry, checked once for every operation.

A value the database would refuse (or, on SQLite, store and then fail to read back) is
answered 422 before any service runs, the same on SQLite and PostgreSQL:

- text: no NUL character, no lone surrogate, no longer than its column (``max_length``
  read from the model field the schema names in ``django_model``), one of the column's
  choices when it has some;
- numbers: never a boolean (``true`` is not read as 1);
- integers: within their column's range as PostgreSQL stores it (an id: a ``bigint``;
  any other number: an ``integer``; a year: 1900 to 2999);
- decimals and floats: finite, and within the column's ``max_digits``/``decimal_places``;
- dates, date-times and times: written in ISO 8601 (never a number read as a timestamp),
  dates between 1900 and 2999, date-times with their UTC offset (a naive one is refused
  rather than guessed), times of day without one (they are local times of the event);
- ``null`` only where the column is nullable (a PATCH cannot blank a required field);
- no unknown field (``extra = "forbid"``): a misspelt field is an error, not silently dropped.

``harden_api`` rewrites, in place, the input models of every operation of a ``NinjaAPI``
(bodies, query and path parameters) so that their validation and their OpenAPI schema say
the same thing. A schema names the model whose columns it writes with
``django_model: ClassVar[type[Model]] = Convention``; a field that writes no column of that
model keeps the generic bounds above (give it ``Field(max_length=...)`` when it is stored).
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import reduce
from operator import or_
from typing import Annotated, Any, ClassVar, Literal

from annotated_types import Ge, Le, MaxLen
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.params.models import ParamModel
from ninja.patch_dict import ModelToDict
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

# PostgreSQL's ranges (Django's reference table): SQLite would store any 64-bit integer.
INTEGER_RANGES: dict[str, tuple[int, int]] = dict(BaseDatabaseOperations.integer_field_ranges)
ID_RANGE = INTEGER_RANGES["BigAutoField"]
NUMBER_RANGE = INTEGER_RANGES["IntegerField"]
FIRST_YEAR, LAST_YEAR = 1900, 2999
# Numbers that are not columns but are read by name wherever they appear.
NAMED_RANGES: dict[str, tuple[int, int]] = {
    "year": (FIRST_YEAR, LAST_YEAR),
    "page": (1, NUMBER_RANGE[1]),
    "page_size": (1, 1000),
}
# A number written where a decimal is expected, not a column's: the widest a report needs.
DECIMAL_DIGITS = 20
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
ISO_TIME = re.compile(r"^\d{2}:\d{2}")
TIME_JSON_SCHEMA = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
    "description": "Heure locale, sans décalage (ex. 18:30)",
    "example": "18:30",
}


class FieldErrorOut(Schema):
    field: str | None
    detail: str
    type: str


class ErrorOut(Schema):
    """Every error of the API: what is wrong, the rule it breaks, the field at fault."""

    detail: str = Field(..., description="Ce qui ne va pas, dans la langue de l'utilisateur")
    rule: str | None = Field(None, description="La règle ou l'article enfreint (ex. CGCT L2121-20)")
    field: str | None = Field(None, description="Le champ en cause (chemin pointé : parties.0.side)")
    errors: list[FieldErrorOut] | None = Field(
        None, description="Chaque champ refusé, quand l'entrée l'est (422) ; absent sinon"
    )


class StrictInput(Schema):
    """Base of a body schema: names the model whose columns it writes."""

    django_model: ClassVar[type[models.Model] | None] = None


# --- value checks (pydantic validators) --------------------------------------------------


def clean_text(value: str) -> str:
    """Text PostgreSQL can store: no NUL character, valid UTF-8 (no lone surrogate)."""
    if "\x00" in value:
        raise PydanticCustomError("text_nul", _("Le caractère NUL (\\u0000) n'est pas accepté."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("text_encoding", _("Caractère invalide (moitié de paire UTF-16 isolée).")) from None
    return value


def not_boolean(value: Any) -> Any:
    """A number, not ``true``/``false``: pydantic would read them as 1 and 0, a silent guess."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_boolean", _("Nombre attendu, pas un booléen."))
    return value


def iso_date(value: Any) -> Any:
    """A date as ISO 8601 text (or a date): a number is not read as a timestamp."""
    if isinstance(value, str) and ISO_DATE.match(value.strip()):
        return value
    if isinstance(value, date):
        return value
    raise PydanticCustomError("date_format", _("Date attendue au format AAAA-MM-JJ."))


def iso_time(value: Any) -> Any:
    """A time of day as text (HH:MM[:SS]) or a time."""
    if isinstance(value, time) or (isinstance(value, str) and ISO_TIME.match(value.strip())):
        return value
    raise PydanticCustomError("time_format", _("Heure attendue au format HH:MM."))


def plausible_date(value: date) -> date:
    """Between 1900 and 2999: far enough for any act, near enough that no term overflows."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "date_range",
            _("Date hors des années {first} à {last}.").format(first=FIRST_YEAR, last=LAST_YEAR),
        )
    return value


def aware(value: datetime) -> datetime:
    """A date-time with its UTC offset: a naive one is refused, not guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "datetime_naive",
            _("Indiquez le décalage horaire (ex. 2026-03-02T18:30:00+01:00 ou …Z)."),
        )
    plausible_date(value.date())
    return value


def local_time(value: time) -> time:
    """A time of day of an event in its place: no UTC offset (the database keeps none)."""
    if value.tzinfo is not None:
        raise PydanticCustomError("time_offset", _("Heure locale attendue, sans décalage (ex. 18:30)."))
    return value


# The types a schema may use for these values; ``harden_api`` puts them on plain annotations.
Text = Annotated[str, AfterValidator(clean_text)]
LocalTime = Annotated[time, BeforeValidator(iso_time), AfterValidator(local_time), WithJsonSchema(TIME_JSON_SCHEMA)]
AwareDatetime = Annotated[
    datetime,
    BeforeValidator(iso_date),
    AfterValidator(aware),
    Field(description="Date et heure ISO 8601 avec décalage horaire (ex. 2026-03-02T18:30:00+01:00)"),
]
IsoDate = Annotated[date, BeforeValidator(iso_date), AfterValidator(plausible_date)]


# --- rewriting annotations ----------------------------------------------------------------


def column_of(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    """The model field a schema field writes: same name, or ``<fk>_id`` for a foreign key."""
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field) and (candidate == name or field.is_relation):
            return field
    return None


def integer_range(name: str, column: models.Field[Any, Any] | None) -> tuple[int, int]:
    """The bounds of an integer: its column's (with its validators), else by its name."""
    if name in NAMED_RANGES:
        return NAMED_RANGES[name]
    if column is not None and column.is_relation:
        return ID_RANGE
    if column is not None:
        low, high = INTEGER_RANGES.get(column.get_internal_type(), NUMBER_RANGE)
        for validator in column._validators if hasattr(column, "_validators") else []:
            if isinstance(validator, MinValueValidator) and isinstance(validator.limit_value, int):
                low = max(low, validator.limit_value)
            if isinstance(validator, MaxValueValidator) and isinstance(validator.limit_value, int):
                high = min(high, validator.limit_value)
        return low, high
    if name in {"id", "ids"} or name.endswith(("_id", "_ids")):
        return ID_RANGE
    return NUMBER_RANGE


def strict(annotation: Any, name: str, column: models.Field[Any, Any] | None, seen: set[type]) -> Any:
    """The annotation with the checks of its type (and of its column, when it writes one)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        inner = strict(args[0], name, column, seen)
        return annotation if inner is args[0] else Annotated[(inner, *annotation.__metadata__)]
    if origin in (typing.Union, types.UnionType):
        members = [strict(arg, name, column, seen) for arg in args]
        if column is not None and not column.null and type(None) in args and len(args) > 1:
            # ``null`` would be stored into a NOT NULL column: omit the field instead.
            members = [m for m in members if m is not type(None)]
        return reduce(or_, members) if len(members) > 1 else members[0]
    if origin in (list, set, frozenset, tuple) and args:
        # The items of a list are not the column's (e.g. perimeter_communes: list[str]).
        return origin[tuple(strict(arg, name, None, seen) for arg in args)]
    if origin is dict and len(args) == 2:
        return dict[strict(args[0], f"{name}_id", None, seen), strict(args[1], name, None, seen)]  # type: ignore[misc]
    if origin is Literal or origin is not None:
        return annotation
    if isinstance(annotation, type):
        if issubclass(annotation, ModelToDict):
            harden(patch_of(annotation._wrapped_model), seen)
            return annotation
        if issubclass(annotation, BaseModel):
            harden(annotation, seen)
            return annotation
        if issubclass(annotation, Enum) or annotation is bool:
            return annotation
        if annotation is str:
            return text_type(column)
        if annotation is int:
            low, high = integer_range(name, column)
            return Annotated[int, Ge(low), Le(high), BeforeValidator(not_boolean)]
        if annotation is float:
            return Annotated[float, Field(allow_inf_nan=False), BeforeValidator(not_boolean)]
        if annotation is Decimal:
            if isinstance(column, models.DecimalField):
                digits = Field(allow_inf_nan=False, max_digits=column.max_digits, decimal_places=column.decimal_places)
            else:
                digits = Field(allow_inf_nan=False, max_digits=DECIMAL_DIGITS)
            return Annotated[Decimal, digits]
        if annotation is datetime:
            return AwareDatetime
        if annotation is date:
            return IsoDate
        if annotation is time:
            return LocalTime
    return annotation


def patch_of(model: type[BaseModel]) -> type[BaseModel]:
    """A PATCH body (ninja's ``PatchDict``) whose fields are optional, not nullable: ninja
    makes each field ``X | None`` so that it may be omitted, which would also let ``null``
    blank a required field; a field is again ``X`` (omitted: unchanged; ``null``: refused)
    unless the schema it is made from declares it nullable."""
    if model.__dict__.get("__api_strict__"):
        return model
    declared = next((base for base in model.__bases__ if issubclass(base, BaseModel)), None)
    if declared is not None:
        for name, info in model.model_fields.items():
            original = declared.model_fields.get(name)
            if original is not None and not accepts_none(original.annotation):
                info.annotation = original.annotation
    return model


def accepts_none(annotation: Any) -> bool:
    if typing.get_origin(annotation) is Annotated:
        return accepts_none(typing.get_args(annotation)[0])
    return annotation is None or annotation is type(None) or type(None) in typing.get_args(annotation)


def text_type(column: models.Field[Any, Any] | None) -> Any:
    """Text for a column: one of its choices, or clean text no longer than it."""
    if column is not None and column.choices and not column.is_relation:
        values = tuple(str(value) for value, _label in column.flatchoices)
        return Literal[values]  # type: ignore[valid-type]
    max_length = getattr(column, "max_length", None) if isinstance(column, models.CharField) else None
    if max_length:
        return Annotated[str, MaxLen(max_length), AfterValidator(clean_text)]
    return Text


def harden(model: type[BaseModel], seen: set[type] | None = None) -> None:
    """Rewrite a model's fields with the checks above and forbid unknown fields, in place."""
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    if model.__dict__.get("__api_strict__"):
        return
    django_model = getattr(model, "django_model", None)
    for name, info in model.model_fields.items():
        info.annotation = strict(info.annotation, name, column_of(django_model, name), seen)
    if not issubclass(model, ParamModel):
        # Query parameters may carry others (a cache-buster); a body may not.
        model.model_config["extra"] = "forbid"
    model.model_rebuild(force=True)
    type.__setattr__(model, "__api_strict__", True)


def operations(api: Any) -> list[Any]:
    """Every operation of a NinjaAPI, its routers' and their children's."""
    found: list[Any] = []
    pending = [api.default_router, *(router for _prefix, router in api._routers)]
    while pending:
        router = pending.pop()
        for path_view in router.path_operations.values():
            found.extend(path_view.operations)
        pending.extend(child for _prefix, child, *_rest in router._routers)
    return found


def harden_api(api: Any) -> None:
    """Make every operation's input strict (see the module's docstring)."""
    seen: set[type] = set()
    for operation in operations(api):
        for model in operation.models:
            harden(model, seen)
