"""Generate the checked-in contract artefacts: one JSON Schema per event version, and AsyncAPI.

    python -m contracts.generate           # rewrite contracts/schemas/*.json and asyncapi.yaml
    python -m contracts.generate --check   # exit 1 and list the stale files, write nothing

The output is deterministic (sorted keys, fixed examples, trailing newline), so a stale file
means a model changed without regenerating, which a unit test catches.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from contracts.asyncapi import asyncapi_document
from contracts.event import Event
from contracts.examples import example_data, example_key
from contracts.registry import EVENT_MODELS, schema_uri

CONTRACTS_DIR = Path(__file__).parent
SCHEMAS_DIR = "schemas"
ASYNCAPI_FILE = "asyncapi.yaml"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def event_schema(model: type[Event]) -> dict[str, Any]:
    """Return the JSON Schema of one event version's data (the Kafka message value)."""
    # Serialization mode: the schema describes what producers write (money as a string).
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = schema_uri(model.event_type, model.version)
    schema["examples"] = [example_data()[example_key(model.event_type, model.version)]]
    schema["x-event-type"] = model.event_type
    schema["x-event-version"] = model.version
    schema["x-aggregate"] = model.aggregate
    schema["x-subject-field"] = model.subject_field
    return schema


def schema_path(model: type[Event]) -> str:
    """Return the path, relative to ``contracts/``, of an event version's JSON Schema."""
    return f"{SCHEMAS_DIR}/{model.event_type}.v{model.version}.json"


def render() -> dict[str, str]:
    """Return the content of every generated file, keyed by its path relative to ``contracts/``."""
    files = {
        schema_path(model): json.dumps(event_schema(model), indent=2, sort_keys=True) + "\n"
        for model in EVENT_MODELS
    }
    files[ASYNCAPI_FILE] = yaml.safe_dump(
        asyncapi_document(), sort_keys=True, allow_unicode=True, width=100
    )
    return files


def _orphans(root: Path, expected: dict[str, str]) -> list[str]:
    # A schema left behind by a removed or renamed event would otherwise look published.
    present = (root / SCHEMAS_DIR).glob("*.json")
    names = (f"{SCHEMAS_DIR}/{path.name}" for path in present)
    return sorted(name for name in names if name not in expected)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def stale_files(root: Path = CONTRACTS_DIR) -> list[str]:
    """Return the generated files under ``root`` that are missing, different or orphaned."""
    expected = render()
    stale = [path for path, content in expected.items() if _read(root / path) != content]
    return sorted(stale + _orphans(root, expected))


def write(root: Path = CONTRACTS_DIR) -> list[str]:
    """Write every generated file under ``root``, remove orphaned schemas; return what changed."""
    changed = stale_files(root)
    expected = render()
    (root / SCHEMAS_DIR).mkdir(parents=True, exist_ok=True)
    for relative in changed:
        target = root / relative
        if relative in expected:
            target.write_text(expected[relative], encoding="utf-8")
        else:
            target.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator; with ``--check`` report stale files and return 1 if there are any."""
    parser = argparse.ArgumentParser(prog="python -m contracts.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="list stale files, write nothing")
    parser.add_argument("--root", type=Path, default=CONTRACTS_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.root)
        for relative in stale:
            print(f"stale: {relative}", file=sys.stderr)
        if stale:
            print("run: python -m contracts.generate", file=sys.stderr)
        return 1 if stale else 0
    for relative in write(args.root):
        print(f"wrote: {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
