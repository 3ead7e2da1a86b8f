"""The OpenAPI 3.1 document, made from the declared operations: a component schema for every
body, query and response type, the header parameters, and the error envelope once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import msgspec

from commerce_http.contract import wire
from commerce_http.contract.operation import NoQuery, Operation, is_id

_REF = "#/components/schemas/{name}"
_ENVELOPE = re.compile(r"^Success_(\w+)_$")  # msgspec's name for Success[UserOut]
_STANDARD = {401: "Not signed in, or the token is no longer good",
             403: "Signed in, but not allowed", 404: "No such thing",
             409: "In conflict with the current state", 402: "The payment was declined",
             422: "Input refused: the details name each field",
             429: "Too many requests: wait Retry-After seconds",
             503: "A part the shop needs is down: try again later"}
_ERROR = {"$ref": "#/components/responses/Error"}
_NAME = {"type": "string", "pattern": "^[a-z0-9_-]{1,40}$"}  # a path field that is not an id


def _name(schema_name: str) -> str:
    """``Success[UserOut]`` -> ``UserOutEnvelope``: a name every generator makes a class of."""
    found = _ENVELOPE.match(schema_name)
    return f"{found.group(1)}Envelope" if found else schema_name


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {k: _renamed(v, names) for k, v in value.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out["$ref"] = "#/components/schemas/" + names.get(ref.rsplit("/", 1)[1],
                                                              ref.rsplit("/", 1)[1])
        return out
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def _body_type(op: Operation[Any, Any, Any]) -> Any:
    return op.raw if op.raw is not None else op.body


def _success_type(op: Operation[Any, Any, Any]) -> Any:
    return wire.Success[op.response] if op.envelope else op.response  # type: ignore[name-defined]


def document(operations: Iterable[Operation[Any, Any, Any]], *, title: str, version: str
             ) -> dict[str, Any]:
    ops = list(operations)
    kinds: list[Any] = [wire.Failure]
    for op in ops:
        if op.query is not NoQuery:
            kinds.append(op.query)
        if _body_type(op) is not None:
            kinds.append(_body_type(op))
        if op.response is not None:
            kinds.append(_success_type(op))
    refs, components = msgspec.json.schema_components(kinds, schema_hook=wire.schema_hook,
                                                      ref_template=_REF)
    names = {name: _name(name) for name in components}
    schemas = {names[k]: _renamed(v, names) for k, v in components.items()}
    for schema in schemas.values():
        schema.pop("title", None)
    ref_of = {id(kind): _renamed(ref, names) for kind, ref in zip(kinds, refs, strict=True)}
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, ref_of, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Error": {
                "description": "An error, in the error envelope",
                "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
                "content": {"application/json": {"schema": ref_of[id(wire.Failure)]}}}},
            "parameters": {"RequestId": {
                "name": "X-Request-ID", "in": "header", "required": False,
                "description": "Echoed back; made up when absent, so logs on both sides line up",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"}}},
            "headers": {
                "RequestId": {"description": "The request's id", "schema": {"type": "string"}},
                "RetryAfter": {"description": "Seconds to wait before trying again",
                               "schema": {"type": "integer", "minimum": 1}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "bearerFormat": "JWT"}}}}


def _parameters(op: Operation[Any, Any, Any], ref_of: dict[int, Any],
                schemas: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": wire.schema_hook(wire.Id) if is_id(name) else _NAME}
        for name in op.path_fields]
    if op.query is not NoQuery:
        query = schemas[ref_of[id(op.query)]["$ref"].rsplit("/", 1)[1]]
        required = set(query.get("required", ()))
        for name, schema in query["properties"].items():
            entry = {"name": name, "in": "query", "required": name in required,
                     "schema": schema}
            if "description" in schema:
                entry["description"] = schema["description"]
            params.append(entry)
    if op.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "description": "Retries with the same key get the first answer, "
                                      "and nothing is done twice",
                       "schema": {"type": "string", "maxLength": 255}})
    params.append({"$ref": "#/components/parameters/RequestId"})
    return params


def _operation(op: Operation[Any, Any, Any], ref_of: dict[int, Any],
               schemas: dict[str, Any]) -> dict[str, Any]:
    headers = {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}}
    success: dict[str, Any] = {"description": op.summary, "headers": headers}
    if op.response is not None:
        success["content"] = {"application/json": {
            "schema": ref_of[id(_success_type(op))]}}
    responses: dict[str, Any] = {str(op.status): success}
    for status in op.also:
        responses[str(status)] = {**success, "description": _STANDARD.get(status, "")}
    statuses = {429, *op.errors}
    if op.auth:
        statuses |= {401, 403}
    if _body_type(op) is not None or op.query is not NoQuery or op.path_fields:
        statuses.add(422)
    for status in sorted(statuses - set(op.also)):
        responses[str(status)] = {**_ERROR} if status != 429 else {
            "description": _STANDARD[429], "headers": {
                **headers, "Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
            "content": {"application/json": {"schema": ref_of[id(wire.Failure)]}}}
    responses["default"] = {**_ERROR}
    operation: dict[str, Any] = {
        "operationId": op.name, "summary": op.summary,
        "parameters": _parameters(op, ref_of, schemas), "responses": responses}
    if op.description:
        operation["description"] = op.description
    if op.tag:
        operation["tags"] = [op.tag]
    if op.auth:
        operation["security"] = [{"bearer": []}]
        if op.roles:
            operation["x-roles"] = sorted(r.value for r in op.roles)
    body = _body_type(op)
    if body is not None:
        body_schema = schemas[ref_of[id(body)]["$ref"].rsplit("/", 1)[1]]
        operation["requestBody"] = {
            "required": bool(body_schema.get("required")),
            "content": {"application/json": {"schema": ref_of[id(body)]}}}
    return operation
