#!/usr/bin/env python3
"""OpenCode's config schema, out of the OpenAPI document its own server publishes.

Usage: opencode serve --port PORT & python3 extract.py VERSION http://127.0.0.1:PORT/doc
       (or the OpenAPI document on stdin, without the URL)

OpenCode builds its config schema from its zod types; `opencode serve` publishes it as the
`Config` component of its OpenAPI document (`/doc`). This keeps `Config` and every component it
refers to, as a standalone JSON Schema (draft 2020-12, `$defs`), with keys sorted so that a
regenerated file differs only where OpenCode changed. The integration test
`schema::the_shipped_schema_is_the_one_the_pinned_opencode_serves` runs this against the pinned
version and compares.
"""
import json
import sys
import urllib.request

PREFIX = "#/components/schemas/"


def refs(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(PREFIX):
                found.add(value[len(PREFIX):])
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def rewrite(node):
    if isinstance(node, dict):
        return {
            key: ("#/$defs/" + value[len(PREFIX):])
            if key == "$ref" and isinstance(value, str) and value.startswith(PREFIX)
            else rewrite(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [rewrite(value) for value in node]
    return node


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else "unknown"
    if len(sys.argv) > 2:
        with urllib.request.urlopen(sys.argv[2], timeout=30) as response:
            document = json.load(response)
    else:
        document = json.load(sys.stdin)
    components = document["components"]["schemas"]
    needed, todo = set(), ["Config"]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        found = set()
        refs(components[name], found)
        todo.extend(found)
    root = rewrite(components["Config"])
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": f"OpenCode {version}'s config schema, from `opencode serve` /doc (MIT, see LICENSE)",
        **root,
        "$defs": {name: rewrite(components[name]) for name in sorted(needed - {"Config"})},
    }
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
