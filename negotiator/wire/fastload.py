"""A request schema's ``load``, compiled from the marshmallow schema itself, for the bodies it accepts.

marshmallow's ``Schema.load`` spends most of a quote's request time in its
general machinery (an error store, a getter closure and a keyword-argument
call per field). :func:`compile_schema` reads a schema's declared fields
once, with their own ``_deserialize`` methods and validators, and makes a
plain function that does what ``load`` does for a body that is valid.

It decides nothing on its own: the schema stays the one definition of the
wire. Every field's value goes through the field's own ``_deserialize``
(or, for a plain ``String``, ``Integer``, ``List`` or ``Nested``, the one
type check marshmallow makes first) and the field's own validators; the
moment anything is missing, unknown, of another type or refused, the
compiled function gives up (:class:`Slow`) and the caller loads the body
with marshmallow, so every error is marshmallow's, worded as before. A
schema with anything the compiler does not know (hooks, other field types,
``data_key``/``attribute``, ``partial``, ``unknown`` other than raise) is
not compiled at all. ``tests/test_fastload.py`` checks the two agree on
valid and invalid bodies alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.utils import missing


class Slow(Exception):
    """The body needs marshmallow's own load (an error to report, or something not compiled)."""


class NotCompiled(Exception):
    """The schema has something :func:`compile_schema` does not compile."""


Loader = Callable[[Any], Any]


def compile_schema(schema: Schema) -> Loader:
    """A function of a body that returns what ``schema.load(body)`` returns, or raises :class:`Slow`."""
    if schema.many or schema.partial or schema.unknown != RAISE or any(schema._hooks.values()):
        raise NotCompiled(f"{type(schema).__name__}: many, partial, unknown or hooks")
    plan = []
    for name, field in schema.load_fields.items():
        if field.data_key is not None or field.attribute is not None:
            raise NotCompiled(f"{name}: data_key or attribute")
        plan.append((name, field, _field(field)))
    known = frozenset(schema.load_fields)

    def load(data: Any) -> dict:
        if type(data) is not dict:
            raise Slow
        out: dict = {}
        for name, field, value_of in plan:
            raw = data.get(name, missing)
            if raw is missing:
                if field.required:
                    raise Slow
                default = field.load_default
                if default is missing:
                    continue
                out[name] = default() if callable(default) else default
            elif raw is None:
                if not field.allow_none:
                    raise Slow
                out[name] = None
            else:
                out[name] = value_of(raw)
        if not known.issuperset(data):
            raise Slow
        return out

    return load


def _field(field: fields.Field) -> Loader:
    """The value function of one field: its type's deserialisation, then its validators."""
    if getattr(field, "pre_load", None) or getattr(field, "post_load", None):
        raise NotCompiled(f"{field!r}: pre_load or post_load functions")
    base = _deserializer(field)
    validators = tuple(field.validators)
    if not validators:
        return base

    def value_of(raw: Any) -> Any:
        value = base(raw)
        for v in validators:
            try:
                if v(value) is False:
                    raise Slow
            except ValidationError:
                raise Slow from None
        return value

    return value_of


def _deserializer(field: fields.Field) -> Loader:
    kind = type(field)
    if kind is fields.String:
        def string(raw: Any) -> str:
            if type(raw) is not str:
                raise Slow
            return raw
        return string
    if kind is fields.Nested and isinstance(field, fields.Nested):
        if field.many or field.unknown is not None:
            raise NotCompiled(f"{field!r}: many or unknown")
        nested = field.schema
        if not isinstance(nested, Schema):
            raise NotCompiled(f"{field!r}: not a schema instance")
        inner = compile_schema(nested)

        def nested_load(raw: Any) -> Any:
            if not isinstance(raw, Mapping):
                raise Slow
            return inner(raw)
        return nested_load
    if kind is fields.List and isinstance(field, fields.List):
        item = field.inner
        item_of = _field(item)
        none_ok = item.allow_none

        def list_load(raw: Any) -> list:
            if type(raw) is not list:
                raise Slow
            out: list = []
            for x in raw:
                if x is None:
                    if not none_ok:
                        raise Slow
                    out.append(None)
                else:
                    out.append(item_of(x))
            return out
        return list_load
    # The wire's own fields (Amount, StrictInt, IsoDate, registered in OWN_FIELDS): their own _deserialize, exactly.
    if kind not in OWN_FIELDS:
        raise NotCompiled(f"{field!r}: a field type the compiler does not know")

    def own(raw: Any) -> Any:
        try:
            return field._deserialize(raw, None, None)
        except ValidationError:
            raise Slow from None
    return own


#: Field types whose ``_deserialize`` reads neither the attribute's name nor the whole body, so the compiled
#: load may call it directly: :mod:`negotiator.wire.schemas` registers its own.
OWN_FIELDS: set[type] = set()


_COMPILED: dict[int, tuple[Schema, Loader | None]] = {}


def loader(schema: Schema) -> Loader | None:
    """The compiled load of ``schema`` (made once per schema instance), None where it cannot be compiled."""
    hit = _COMPILED.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    try:
        fn: Loader | None = compile_schema(schema)
    except NotCompiled:
        fn = None
    _COMPILED[id(schema)] = (schema, fn)
    return fn
