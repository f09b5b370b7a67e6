"""The API's description as a page of the app: every endpoint, its parameters and the fields it
answers with, read from the same OpenAPI schema the API serves at /api/schema/."""

import json
from functools import cache

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


def _resolve(node, components):
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _type(node, components):
    node = _resolve(node, components)
    kind = node.get("type", "object")
    if kind == "array":
        return f"list of {_type(node.get('items', {}), components)}"
    return f"{kind} ({node['format']})" if node.get("format") else kind


@cache
def described():
    """The schema, and each operation as the page lists it. Made once per process: it changes
    only with the code."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    schema = json.loads(OpenApiJsonRenderer().render(generated))
    components = schema["components"]["schemas"]
    operations = []
    for path, methods in sorted(schema["paths"].items()):
        operation = methods["get"]
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        answer = _resolve(answer, components)
        paginated = "results" in answer.get("properties", {})
        record = (
            _resolve(answer["properties"]["results"]["items"], components) if paginated else answer
        )
        required = set(record.get("required", ()))
        operations.append(
            {
                "path": path,
                "description": operation.get("description", ""),
                "paginated": paginated,
                "parameters": [
                    {
                        "name": p["name"],
                        "where": p["in"],
                        "required": p.get("required", False),
                        "description": p.get("description", ""),
                    }
                    for p in operation.get("parameters", ())
                ],
                "fields": [
                    {
                        "name": name,
                        "type": _type(prop, components),
                        "description": prop.get("description", ""),
                        "always": name in required,
                    }
                    for name, prop in record.get("properties", {}).items()
                ],
                "statuses": sorted(operation["responses"]),
            }
        )
    return schema["info"], operations


@login_not_required
def docs(request):
    info, operations = described()
    return render(request, "api/docs.html", {"info": info, "operations": operations})
