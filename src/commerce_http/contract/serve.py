"""The declared operations as Falcon routes: each request's input is read into its declared
types before the handler runs (a mismatch is a 422 naming the field), and the handler's
answer is written with the same encoder the client reads with."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import falcon
import msgspec
import msgspec.inspect

from commerce_core.errors import Forbidden, Unauthenticated, ValidationError
from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.contract import wire
from commerce_http.contract.operation import Call, Operation, Reply

_ENVELOPE = b'{"status":"success","data":'
_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")  # a path field that is not an id (a carrier)


class InvalidJson(falcon.HTTPBadRequest):
    def __init__(self) -> None:
        super().__init__(title="Invalid JSON", description="the body is not valid JSON")


def refusal(error: msgspec.ValidationError, where: str) -> ValidationError:
    """msgspec's message (``Expected `int`, got `str` - at `$.items[0].quantity```) as the
    API's 422: the field as a dotted path, and what it must be."""
    text = str(error)
    what, _, at = text.partition(" - at `$")
    at, values, _ = at.rstrip("`").partition("[...]")  # in a map's value: msgspec has no key
    field = at.replace("[", ".").replace("]", "").lstrip(".")
    for prefix, kind in (("Object contains unknown field `", "unknown field"),
                         ("Object missing required field `", "required")):
        if what.startswith(prefix):
            name = what[len(prefix):].rstrip("`")
            field = f"{field}.{name}" if field else name
            return ValidationError(f"{field}: {kind}", {field: kind})
    if what.startswith("Expected `object`") and not field:
        return ValidationError(f"the {where} must be a JSON object", {where: "not an object"})
    expected = _plain(what)
    field = field or where
    if values:
        expected = f"a map whose values are each {expected}"
    return ValidationError(f"{field} must be {expected}", {field: expected})


_KINDS = {"str": "a string", "int": "a whole number", "bool": "true or false",
          "float": "a number", "decimal": "a number", "object": "an object",
          "array": "a list", "null": "null", "datetime": "a date and time"}
_TYPE = re.compile(r"`([a-z| ]+)`")


def _plain(what: str) -> str:
    """msgspec's wording of what was expected, in the API's (``a string``, ``at most 5``)."""
    if "matching regex" in what:
        return "a string with no control character"
    if what.startswith("Invalid enum value"):
        return "one of the documented values"
    if what.startswith("Invalid "):  # "Invalid decimal string": say what is wanted instead
        return f"a valid {what.removeprefix('Invalid ')}"
    if not what.startswith("Expected "):
        return what[0].lower() + what[1:]
    rest = what.removeprefix("Expected ")
    kind = _TYPE.match(rest)
    if kind is None:  # our own hooks' wording: "Expected an id from 1 to ..."
        return rest
    words = " or ".join(_KINDS.get(k.strip(), k.strip()) for k in kind.group(1).split("|"))
    bound = rest[kind.end():].split(", got ")[0].strip()
    for mark, phrase in (("of length <= ", "at most {} characters"),
                         ("of length >= ", "at least {} characters"),
                         (">= ", "at least {}"), ("<= ", "at most {}"),
                         ("> ", "more than {}"), ("< ", "less than {}")):
        if bound.startswith(mark):
            unit = phrase.format(bound[len(mark):])
            return unit.replace("characters", "items") if kind.group(1) == "array" else unit
    return words


def _list_fields(kind: type) -> frozenset[str]:
    """The query fields that take several values (``?type=IN&type=OUT``)."""
    info = msgspec.inspect.type_info(kind)
    assert isinstance(info, msgspec.inspect.StructType)
    def many(t: msgspec.inspect.Type) -> bool:
        options = t.types if isinstance(t, msgspec.inspect.UnionType) else (t,)
        return any(isinstance(o, msgspec.inspect.ListType) for o in options)
    return frozenset(f.encode_name for f in info.fields if many(f.type))


def _query(req: falcon.Request, op: Operation[Any, Any, Any], lists: frozenset[str]) -> Any:
    given: Mapping[str, Any] = req.params
    if lists & given.keys():  # one value given for a list: Falcon hands it over bare
        given = {k: [v] if k in lists and isinstance(v, str) else v for k, v in given.items()}
    try:
        return wire.convert(given, op.query, strict=False)
    except msgspec.ValidationError as ex:
        raise refusal(ex, "query") from None


def _body(req: falcon.Request, op: Operation[Any, Any, Any]) -> Any:
    if op.body is None:
        return None
    raw = req.bounded_stream.read()
    try:
        return wire.decode(raw or b"{}", op.body)
    except msgspec.ValidationError as ex:
        raise refusal(ex, "body") from None
    except RecursionError:
        raise ValidationError("the body nests too deep", {"body": "nested too deep"}) from None
    except msgspec.DecodeError:
        # msgspec refuses a lone surrogate as bad JSON; the standard parser reads it, and
        # the string check then names the field that holds it
        try:
            value = json.loads(raw)
        except ValueError:
            raise InvalidJson() from None
        params.check_strings(value)
        raise InvalidJson() from None


def responder(shop: Commerce, op: Operation[Any, Any, Any]) -> Any:
    lists = _list_fields(op.query)

    def respond(req: falcon.Request, resp: falcon.Response, **path: Any) -> None:
        actor = req.context.actor
        if op.auth and actor is None:
            raise Unauthenticated("sign in first: this endpoint needs a bearer token")
        if op.roles and actor is not None and actor.role not in op.roles:
            raise Forbidden(f"{op.summary}: for {' or '.join(sorted(r.value for r in op.roles))}"
                            " accounts", {"role": actor.role.value})
        raw = req.bounded_stream.read() if op.raw is not None else b""
        ids = {k: v for k, v in path.items() if isinstance(v, int)}
        for name, value in path.items():
            if not isinstance(value, int) and not _NAME.match(value):
                raise ValidationError(f"{name} must be a name of letters, digits, - or _",
                                      {name: "a name (A-Z, a-z, 0-9, - and _)"})
        call = Call(shop, actor, req.context.token, ids, _query(req, op, lists),
                    _body(req, op),
                    req.get_header("Idempotency-Key") if op.idempotent else None,
                    req.context.request_id, req.headers if op.raw is not None else {}, raw,
                    {k: v for k, v in path.items() if not isinstance(v, int)}, req.params)
        result = op.handler(call)
        status = op.status
        if isinstance(result, Reply):
            status = result.status or status
            if result.encoded is not None:
                resp.status = falcon.code_to_http_status(status)
                resp.content_type = falcon.MEDIA_JSON
                resp.data = (_ENVELOPE + result.encoded + b"}" if op.envelope
                             else result.encoded)
                return
            result = result.data
        resp.status = falcon.code_to_http_status(status)
        if op.response is None:
            return
        resp.content_type = falcon.MEDIA_JSON
        resp.data = wire.encode(wire.Success(data=result) if op.envelope else result)

    respond.__doc__ = op.summary
    return respond


class Resource:
    """The operations on one path, as Falcon's ``on_<method>`` responders."""

    def __init__(self, shop: Commerce, operations: Iterable[Operation[Any, Any, Any]]) -> None:
        self.operations = {op.method: op for op in operations}
        for op in self.operations.values():
            setattr(self, f"on_{op.method.lower()}", responder(shop, op))


def resources(shop: Commerce, operations: Iterable[Operation[Any, Any, Any]]
              ) -> dict[str, Resource]:
    """One resource per declared path."""
    by_path: dict[str, list[Operation[Any, Any, Any]]] = {}
    for op in operations:
        by_path.setdefault(op.path, []).append(op)
    return {path: Resource(shop, ops) for path, ops in by_path.items()}
