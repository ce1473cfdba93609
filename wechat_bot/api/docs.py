"""GET /openapi.json (the generated OpenAPI 3.1 document) and GET /docs (a page listing it).

The page is rendered on the server from the same document, with no script and nothing from a
CDN (the mini-program's developers may read it where there is no internet).
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, render_template
from markupsafe import Markup, escape

from wechat_bot.api.openapi import spec

bp = Blueprint("docs", __name__)

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
_CODE = re.compile(r"`([^`]+)`")


@bp.app_template_filter("code_spans")
def code_spans(text: str) -> Markup:
    """The document's Markdown code spans (`no_match`) as <code>, everything else escaped."""
    return Markup(_CODE.sub(lambda m: f"<code>{m[1]}</code>", str(escape(text or ""))))


def document() -> dict:
    """The document for this app (spectree builds it once, from the registered views)."""
    built = dict(spec.spec)
    built["servers"] = [{"url": "/", "description": "本服务"}]
    return built


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 document of /api/v1, generated from the views and their models."""
    return current_app.response_class(json.dumps(document(), ensure_ascii=False),
                                      mimetype="application/json")


@bp.get("/docs")
def docs() -> str:
    """A readable list of every operation: parameters, body, answers."""
    doc = document()
    schemas = doc.get("components", {}).get("schemas", {})
    operations = []
    for path, item in doc["paths"].items():
        for method in METHOD_ORDER:
            if method in item:
                operations.append(_operation(path, method, item[method], schemas))
    return render_template("api/docs.html", doc=doc, operations=operations)


def _operation(path: str, method: str, op: dict, schemas: dict) -> dict:
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return {
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary", ""),
        "description": op.get("description", ""),
        "secured": bool(op.get("security")),
        "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                        "type": _type(p.get("schema", {}), schemas), "description":
                            p.get("description") or p.get("schema", {}).get("description", "")}
                       for p in op.get("parameters", [])],
        "body": _fields(body, schemas),
        "responses": [{"status": status, "type": _type(_schema_of(answer), schemas)}
                      for status, answer in sorted(op.get("responses", {}).items())],
    }


def _schema_of(answer: dict) -> dict:
    return answer.get("content", {}).get("application/json", {}).get("schema", {})


def _resolve(schema: dict, schemas: dict) -> dict:
    ref = schema.get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def _type(schema: dict, schemas: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s, schemas) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"{_type(schema.get('items', {}), schemas)}[]"
    if "enum" in schema:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    return schema.get("type", "")


def _fields(schema: dict | None, schemas: dict) -> list[dict]:
    if not schema:
        return []
    schema = _resolve(schema, schemas)
    required = set(schema.get("required", ()))
    return [{"name": name, "type": _type(prop, schemas), "required": name in required,
             "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]
