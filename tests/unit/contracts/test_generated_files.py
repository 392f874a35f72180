"""The checked-in JSON Schemas and AsyncAPI document match the models, and describe the wire."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts import generate
from contracts.examples import example_data, example_key
from contracts.registry import EVENT_MODELS, REGISTRY, schema_uri
from contracts.topics import ALL_TOPICS

jsonschema = pytest.importorskip("jsonschema")

CONTRACTS = generate.CONTRACTS_DIR


def load_schema(event_type: str, version: int) -> dict[str, Any]:
    path = CONTRACTS / "schemas" / f"{event_type}.v{version}.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@pytest.fixture
def copy_of_contracts(tmp_path: Path) -> Path:
    shutil.copytree(CONTRACTS / "schemas", tmp_path / "schemas")
    shutil.copy(CONTRACTS / "asyncapi.yaml", tmp_path / "asyncapi.yaml")
    return tmp_path


def test_the_checked_in_files_are_not_stale() -> None:
    stale = generate.stale_files()

    assert stale == [], "run: python -m contracts.generate"


def test_a_changed_missing_or_orphaned_file_is_detected(copy_of_contracts: Path) -> None:
    root = copy_of_contracts
    edited = root / "schemas" / "voucher.redeemed.v1.json"
    edited.write_text(edited.read_text().replace('"amount"', '"amount_usd"'))
    (root / "schemas" / "case.opened.v1.json").unlink()
    (root / "schemas" / "case.teleported.v1.json").write_text("{}\n")
    with (root / "asyncapi.yaml").open("a") as handle:
        handle.write("# hand edit\n")

    assert generate.stale_files(root) == [
        "asyncapi.yaml",
        "schemas/case.opened.v1.json",
        "schemas/case.teleported.v1.json",
        "schemas/voucher.redeemed.v1.json",
    ]
    assert generate.main(["--check", "--root", str(root)]) == 1
    assert generate.main(["--root", str(root)]) == 0
    assert generate.stale_files(root) == []
    assert not (root / "schemas" / "case.teleported.v1.json").exists()


def test_the_check_passes_on_a_fresh_copy(copy_of_contracts: Path) -> None:
    assert generate.main(["--check", "--root", str(copy_of_contracts)]) == 0


@pytest.mark.parametrize(("event_type", "version"), sorted(REGISTRY))
def test_each_schema_is_identified_by_its_dataschema_uri(event_type: str, version: int) -> None:
    schema = load_schema(event_type, version)

    assert schema["$id"] == schema_uri(event_type, version)
    assert schema["x-event-type"] == event_type
    assert schema["x-event-version"] == version
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(("event_type", "version"), sorted(REGISTRY))
def test_the_wire_form_of_each_example_validates(event_type: str, version: int) -> None:
    validator = jsonschema.Draft202012Validator(
        load_schema(event_type, version), format_checker=jsonschema.FormatChecker()
    )
    data = example_data()[example_key(event_type, version)]

    assert list(validator.iter_errors(data)) == []
    assert list(validator.iter_errors({**data, "full_name": "x"})) != []


def test_money_as_a_json_number_is_not_the_wire_form() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("voucher.redeemed", 1))
    data = example_data()["voucher.redeemed.v1"]

    assert not validator.is_valid({**data, "amount": 142.5})
    assert not validator.is_valid({**data, "amount": "142.5"})
    assert validator.is_valid({**data, "amount": "142.50"})


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for child in node.values() for ref in refs_in(child)]
    if isinstance(node, list):
        return [ref for child in node for ref in refs_in(child)]
    return []


def test_the_asyncapi_document_covers_every_topic_and_event() -> None:
    document = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text(encoding="utf-8"))

    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {topic.name for topic in ALL_TOPICS}
    messages = document["components"]["messages"]
    assert {example_key(m.event_type, m.version) for m in EVENT_MODELS} <= set(messages)
    actions = sorted(operation["action"] for operation in document["operations"].values())
    assert actions == ["receive"] * len(ALL_TOPICS) + ["send"] * len(ALL_TOPICS)
    for ref in refs_in(document):
        if ref.startswith("#/"):
            assert resolve(document, ref) is not None, ref
        else:
            assert (CONTRACTS / ref).is_file(), ref
