"""Frozen dataclasses <-> plain JSON data, typed and validated, from a fixed registry.

The on-disk cache holds the model's facts and the findings; reading them back
must never run code, so this replaces pickle there. Decoding is driven by the
*declared* field types of the registered dataclasses, never by the data: a
value of the wrong shape raises :class:`CodecError` (for the cache: a miss),
and a type name in the data only ever selects one of the classes the codec
was built with -- nothing is imported or looked up by a name read from disk.

Encoding, per declared type:

* ``None``, ``bool``, ``int``, ``float``, ``str``: themselves (exact types: a
  ``bool`` never passes for an ``int``);
* ``tuple[X, ...]``, ``tuple[X, Y]``, ``list[X]``, ``frozenset[X]``: a list;
* ``Mapping[K, V]`` / ``dict[K, V]``: a list of ``[key, value]`` pairs (keys may be ints);
* an ``Enum``: its value;
* a registered dataclass: ``[tag, field, field, ...]`` (tag: the class name);
* ``X | Y``: the member that matches the value (members must be told apart by
  their JSON type, or by the tag for dataclasses);
* ``Any``: self-describing -- scalars as themselves, ``["(", ...]`` a tuple,
  ``["[", ...]`` a list, ``["{", [k, v], ...]`` a dict, ``["f", ...]`` a
  frozenset, a registered dataclass as above.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping as AbcMapping
from typing import Any, Callable, Iterable

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]

_SCALARS = (bool, int, float, str)
_ANY_MARKERS = {"(": tuple, "[": list, "{": dict, "f": frozenset}


class CodecError(ValueError):
    """Data that does not have the declared shape, or a value the codec cannot write."""


class Codec:
    """Encoders and decoders for a fixed set of dataclasses, compiled once per type."""

    def __init__(self, classes: Iterable[type]) -> None:
        self._classes: dict[str, type] = {}
        for cls in classes:
            if not dataclasses.is_dataclass(cls):
                raise TypeError(f"{cls!r} is not a dataclass")
            tag = cls.__name__
            if tag in _ANY_MARKERS or self._classes.setdefault(tag, cls) is not cls:
                raise TypeError(f"two registered classes are called {tag!r}")
        self._decoders: dict[Any, Decoder] = {}
        self._encoders: dict[Any, Encoder] = {}

    # ------------------------------------------------------------ public

    def encode(self, value: Any, hint: Any) -> Any:
        return self._encoder(hint)(value)

    def decode(self, data: Any, hint: Any) -> Any:
        return self._decoder(hint)(data)

    # ------------------------------------------------------------ decoding

    def _decoder(self, hint: Any) -> Decoder:
        found = self._decoders.get(hint)
        if found is not None:
            return found
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            # Types are recursive (an expression holds expressions): register a
            # forwarder first, so the fields can refer back to this decoder.
            compiled: list[Decoder] = []
            self._decoders[hint] = lambda data: compiled[0](data)
            compiled.append(self._dataclass_decoder(hint))
            self._decoders[hint] = compiled[0]
            return compiled[0]
        decoder = self._compile_decoder(hint)
        self._decoders[hint] = decoder
        return decoder

    def _compile_decoder(self, hint: Any) -> Decoder:  # noqa: C901 - one dispatch over type forms
        if hint is Any:
            return self._decode_any
        if hint is None or hint is type(None):
            return _exact(type(None))
        if hint in _SCALARS:
            return _exact(hint)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return _enum_decoder(hint)
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is typing.Union or origin is types.UnionType:
            return self._union_decoder(args)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = self._decoder(args[0])
            return lambda data: tuple([item(x) for x in _list(data)])
        if origin is tuple:
            items = [self._decoder(a) for a in args]
            return lambda data: tuple([d(x) for d, x in zip(items, _list(data, len(items)))])
        if origin is list:
            item = self._decoder(args[0])
            return lambda data: [item(x) for x in _list(data)]
        if origin is frozenset:
            item = self._decoder(args[0])
            return lambda data: frozenset([item(x) for x in _list(data)])
        if origin in (dict, AbcMapping):
            key, value = self._decoder(args[0]), self._decoder(args[1])
            return lambda data: {key(k): value(v) for k, v in (_list(pair, 2) for pair in _list(data))}
        raise TypeError(f"no JSON form for {hint!r}")

    def _dataclass_decoder(self, cls: type) -> Decoder:
        if self._classes.get(cls.__name__) is not cls:
            raise TypeError(f"{cls!r} is not registered")
        tag, names, decoders = cls.__name__, *self._fields(cls, self._decoder)
        width = len(names) + 1
        new = object.__new__
        # Pickle's way of building an instance: set the fields, skip __init__.
        # Safe only for plain dataclasses: no __post_init__ checks, no slots.
        plain = not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")

        def decode(data: Any) -> Any:
            if type(data) is not list or len(data) != width or data[0] != tag:
                raise CodecError(f"expected {tag}")
            values = [d(x) for d, x in zip(decoders, data[1:])]
            if not plain:
                return cls(*values)
            instance: Any = new(cls)
            instance.__dict__.update(zip(names, values))
            return instance

        return decode

    def _union_decoder(self, members: tuple[Any, ...]) -> Decoder:
        by_json_type: dict[type, Decoder] = {}
        tagged: dict[str, Decoder] = {}
        for member in members:
            if isinstance(member, type) and dataclasses.is_dataclass(member):
                tagged[member.__name__] = self._decoder(member)
                continue
            shape = _json_type(member)
            if shape in by_json_type or (shape is list and tagged):
                raise TypeError(f"union members cannot be told apart: {members!r}")
            by_json_type[shape] = self._decoder(member)
        if tagged and list in by_json_type:
            raise TypeError(f"union members cannot be told apart: {members!r}")

        def decode(data: Any) -> Any:
            if type(data) is list and tagged:
                chosen = tagged.get(data[0]) if data and type(data[0]) is str else None
            else:
                chosen = by_json_type.get(type(data))
            if chosen is None:
                raise CodecError(f"{type(data).__name__} fits none of {members!r}")
            return chosen(data)

        return decode

    def _decode_any(self, data: Any) -> Any:
        if data is None or type(data) in _SCALARS:
            return data
        items = _list(data)
        if not items or type(items[0]) is not str:
            raise CodecError("untagged list")
        marker = items[0]
        if marker == "(":
            return tuple([self._decode_any(x) for x in items[1:]])
        if marker == "[":
            return [self._decode_any(x) for x in items[1:]]
        if marker == "f":
            return frozenset([self._decode_any(x) for x in items[1:]])
        if marker == "{":
            return {self._decode_any(k): self._decode_any(v) for k, v in (_list(p, 2) for p in items[1:])}
        cls = self._classes.get(marker)
        if cls is None:
            raise CodecError(f"unknown type {marker!r}")
        return self._decoder(cls)(data)

    # ------------------------------------------------------------ encoding

    def _encoder(self, hint: Any) -> Encoder:
        found = self._encoders.get(hint)
        if found is not None:
            return found
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            compiled: list[Encoder] = []
            self._encoders[hint] = lambda value: compiled[0](value)
            compiled.append(self._dataclass_encoder(hint))
            self._encoders[hint] = compiled[0]
            return compiled[0]
        encoder = self._compile_encoder(hint)
        self._encoders[hint] = encoder
        return encoder

    def _compile_encoder(self, hint: Any) -> Encoder:  # noqa: C901 - one dispatch over type forms
        if hint is Any:
            return self._encode_any
        if hint is None or hint is type(None) or hint in _SCALARS:
            expected = type(None) if hint is None else hint
            return lambda value: _check(value, expected)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return lambda value: _check(value, hint).value
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is typing.Union or origin is types.UnionType:
            self._union_decoder(args)  # the same check: members must be distinguishable
            encoders = [(_python_type(m), self._encoder(m)) for m in args]
            return lambda value: _pick(encoders, value)(value)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = self._encoder(args[0])
            return lambda value: [item(x) for x in _check(value, tuple)]
        if origin is tuple:
            items = [self._encoder(a) for a in args]
            return lambda value: [e(x) for e, x in zip(items, _sized(_check(value, tuple), len(items)))]
        if origin in (list, frozenset):
            item, container = self._encoder(args[0]), origin
            return lambda value: [item(x) for x in _check(value, container)]
        if origin in (dict, AbcMapping):
            key, val = self._encoder(args[0]), self._encoder(args[1])
            return lambda value: [[key(k), val(v)] for k, v in _check(value, AbcMapping).items()]
        raise TypeError(f"no JSON form for {hint!r}")

    def _dataclass_encoder(self, cls: type) -> Encoder:
        if self._classes.get(cls.__name__) is not cls:
            raise TypeError(f"{cls!r} is not registered")
        tag, names, encoders = cls.__name__, *self._fields(cls, self._encoder)
        pairs = list(zip(names, encoders))

        def encode(value: Any) -> Any:
            if type(value) is not cls:
                raise CodecError(f"expected {tag}, got {type(value).__name__}")
            state = value.__dict__ if hasattr(value, "__dict__") else {n: getattr(value, n) for n in names}
            return [tag, *[e(state[n]) for n, e in pairs]]

        return encode

    def _encode_any(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind in _SCALARS:
            return value
        if kind is tuple or kind is list or kind is frozenset:
            marker = "(" if kind is tuple else "[" if kind is list else "f"
            return [marker, *[self._encode_any(x) for x in value]]
        if kind is dict:
            return ["{", *[[self._encode_any(k), self._encode_any(v)] for k, v in value.items()]]
        if self._classes.get(kind.__name__) is kind:
            return self._encoder(kind)(value)
        raise CodecError(f"cannot write a {kind.__name__}")

    # ------------------------------------------------------------ helpers

    def _fields(self, cls: type, compile_one: Callable[[Any], Callable[[Any], Any]]) -> tuple[list[str], list[Callable[[Any], Any]]]:
        # The registered classes resolve names their modules import only for type checking.
        hints = typing.get_type_hints(cls, localns=dict(self._classes))
        names = [f.name for f in dataclasses.fields(cls)]
        return names, [compile_one(hints[n]) for n in names]


def _exact(expected: type) -> Decoder:
    def decode(data: Any) -> Any:
        if type(data) is not expected:
            raise CodecError(f"expected {expected.__name__}, got {type(data).__name__}")
        return data

    return decode


def _enum_decoder(cls: type[enum.Enum]) -> Decoder:
    def decode(data: Any) -> Any:
        if type(data) not in _SCALARS:
            raise CodecError(f"expected a {cls.__name__} value")
        try:
            return cls(data)
        except ValueError:
            raise CodecError(f"not a {cls.__name__}: {data!r}") from None

    return decode


def _list(data: Any, size: int | None = None) -> list[Any]:
    if type(data) is not list or (size is not None and len(data) != size):
        raise CodecError("expected a list" if size is None else f"expected a list of {size}")
    return data


def _check(value: Any, expected: Any) -> Any:
    if expected in _SCALARS or expected is type(None):
        if type(value) is not expected:
            raise CodecError(f"expected {expected.__name__}, got {type(value).__name__}")
    elif not isinstance(value, expected):
        raise CodecError(f"expected {getattr(expected, '__name__', expected)}, got {type(value).__name__}")
    return value


def _sized(value: tuple[Any, ...], size: int) -> tuple[Any, ...]:
    if len(value) != size:
        raise CodecError(f"expected {size} items, got {len(value)}")
    return value


def _json_type(hint: Any) -> type:
    """The JSON value type a declared type is written as."""
    if hint is None or hint is type(None):
        return type(None)
    if hint in _SCALARS:
        return hint  # type: ignore[no-any-return]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return type(next(iter(hint)).value)
    if typing.get_origin(hint) in (tuple, list, frozenset, dict, AbcMapping):
        return list
    raise TypeError(f"cannot use {hint!r} in a union")


def _python_type(hint: Any) -> type:
    if hint is None:
        return type(None)
    origin = typing.get_origin(hint)
    if origin is AbcMapping:
        return dict
    return origin if isinstance(origin, type) else hint


def _pick(encoders: list[tuple[type, Encoder]], value: Any) -> Encoder:
    kind = type(value)
    for python_type, encoder in encoders:
        if kind is python_type:
            return encoder
    for python_type, encoder in encoders:
        if python_type not in _SCALARS and isinstance(value, python_type):
            return encoder
    raise CodecError(f"a {kind.__name__} fits none of the declared types")
