#!/usr/bin/env python3
"""Validate octopost's JSON Schemas and every document they describe.

Usage: scripts/validate_schemas.py [REPO_ROOT]   (default: the folder above scripts/)

1. Each schema in schemas/ must be a valid draft 2020-12 schema with an $id and a description,
   and every object with declared properties must say `additionalProperties`.
2. Documents that must pass:
   - the front matter of every post under the content folder (octopost.yaml `content`, default content/)
     against schemas/post.schema.json,
   - octopost.yaml against schemas/config.schema.json,
   - every ledger file (octopost.yaml `ledger`, default ledger/) against schemas/ledger.schema.json, whose
     `id` must also match its path,
   - every fixture under Tests/**/Fixtures/schemas/valid/{post,config,ledger}/.
3. Documents that must FAIL: every fixture under Tests/**/Fixtures/schemas/invalid/{post,config,ledger}/.
   An invalid fixture must still load (YAML/JSON), so that it tests the schema and not the parser.

Posts are `.md` files (the front matter between the first two `---` lines is validated); config fixtures are
`.yaml`/`.yml`; ledger fixtures are `.json`. YAML is read as octopost reads it: timestamps stay text
(`2026-12-01T09:00:00Z` is a string, as the schema expects), and a key written twice is an error.

Prints one line per problem (`path: message`) and a closing summary `schemas: N passed, M failed`.
Exit status: 0 all as expected, 1 some document did not validate as expected, 2 a setup problem
(missing Python modules: run scripts/setup.sh).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

try:
    import yaml
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"validate_schemas: missing Python module ({error.name}); run scripts/setup.sh", file=sys.stderr)
    sys.exit(2)

SCHEMAS = {"post": "post.schema.json", "config": "config.schema.json", "ledger": "ledger.schema.json"}
FIXTURE_EXTENSIONS = {"post": {".md"}, "config": {".yaml", ".yml"}, "ledger": {".json"}}
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class DocumentError(Exception):
    """A document that cannot be read or parsed."""


class OctopostYAMLLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text and rejects duplicate keys (as octopost's parser does)."""


OctopostYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: OctopostYAMLLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            line = key_node.start_mark.line + 1
            raise DocumentError(f"line {line}: key '{key}' is written twice")
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


OctopostYAMLLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, line_offset: int = 0):
    try:
        return yaml.load(text, Loader=OctopostYAMLLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1 + line_offset}: " if mark else ""
        raise DocumentError(f"{where}not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise DocumentError(f"not valid YAML: {error}") from None


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(f"not valid UTF-8 (byte {error.start})") from None


def front_matter(path: Path):
    """The parsed YAML between the first two `---` lines, as FrontMatterSplitter finds it."""
    lines = read_text(path).split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if not lines or lines[0].rstrip(" \t") != "---":
        raise DocumentError("no front matter: a post starts with a line '---'")
    for index in range(1, len(lines)):
        if lines[index].rstrip(" \t") == "---":
            value = load_yaml("\n".join(lines[1:index]), line_offset=1)
            if value is None:
                raise DocumentError("the front matter is empty")
            return value
    raise DocumentError("the front matter opened on line 1 is never closed with a '---' line")


def load_document(kind: str, path: Path):
    if kind == "post":
        return front_matter(path)
    if path.suffix == ".json":
        try:
            return json.loads(read_text(path))
        except json.JSONDecodeError as error:
            raise DocumentError(f"line {error.lineno}: not valid JSON: {error.msg}") from None
    value = load_yaml(read_text(path))
    return {} if value is None else value  # an empty octopost.yaml is all defaults


def describe(error) -> str:
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where or '(top level)'}: {error.message}"


def undeclared_objects(schema, pointer: str = "#") -> list[str]:
    """Pointers to object schemas that declare properties but leave additionalProperties open."""
    found = []
    if isinstance(schema, dict):
        types = schema.get("type")
        is_object = types == "object" or (isinstance(types, list) and "object" in types)
        if is_object and "properties" in schema and "additionalProperties" not in schema:
            found.append(pointer)
        for key, value in schema.items():
            if key in ("not", "if", "const", "enum", "default", "examples"):
                continue  # conditions and literal values describe, they don't declare objects
            found += undeclared_objects(value, f"{pointer}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += undeclared_objects(value, f"{pointer}/{index}")
    return found


class Run:
    def __init__(self, root: Path):
        self.root = root
        self.passed = 0
        self.failed = 0

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def ok(self) -> None:
        self.passed += 1

    def fail(self, path: Path, message: str) -> None:
        self.failed += 1
        print(f"{self.rel(path)}: {message}")

    def load_schemas(self) -> dict[str, Draft202012Validator]:
        validators = {}
        for kind, name in SCHEMAS.items():
            path = self.root / "schemas" / name
            try:
                schema = json.loads(read_text(path))
            except (OSError, DocumentError, json.JSONDecodeError) as error:
                self.fail(path, f"cannot read the schema: {error}")
                continue
            problems = []
            try:
                Draft202012Validator.check_schema(schema)
            except SchemaError as error:
                problems.append(f"not a valid draft 2020-12 schema: {describe(error)}")
            if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
                problems.append("$schema must be https://json-schema.org/draft/2020-12/schema")
            if not schema.get("$id"):
                problems.append("has no $id")
            if not schema.get("description"):
                problems.append("has no description")
            for pointer in undeclared_objects(schema):
                problems.append(f"{pointer}: an object with properties must set additionalProperties")
            if problems:
                for problem in problems:
                    self.fail(path, problem)
                continue
            self.ok()
            validators[kind] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return validators

    def check(self, validator: Draft202012Validator, kind: str, path: Path, expect_valid: bool) -> None:
        try:
            document = load_document(kind, path)
        except (OSError, DocumentError) as error:
            self.fail(path, f"cannot be read: {error}")
            return
        errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
        if kind == "ledger" and expect_valid and not errors and path.is_relative_to(self.ledger_dir):
            expected_id = path.relative_to(self.ledger_dir).with_suffix("").as_posix()
            if document.get("id") != expected_id:
                self.fail(path, f"id '{document.get('id')}' does not match the file name (expected '{expected_id}')")
                return
        if expect_valid and errors:
            for error in errors:
                self.fail(path, f"does not match {SCHEMAS[kind]}: {describe(error)}")
        elif not expect_valid and not errors:
            self.fail(path, f"is an invalid fixture but matches {SCHEMAS[kind]}")
        else:
            self.ok()

    def run(self) -> int:
        validators = self.load_schemas()
        config_path = self.root / "octopost.yaml"
        config = {}
        if config_path.exists():
            try:
                loaded = load_document("config", config_path)
                config = loaded if isinstance(loaded, dict) else {}
            except (OSError, DocumentError):
                pass  # reported by check() below
        content_dir = self.root / str(config.get("content") or "content")
        self.ledger_dir = self.root / str(config.get("ledger") or "ledger")

        if "config" in validators and config_path.exists():
            self.check(validators["config"], "config", config_path, True)
        if "post" in validators:
            for path in sorted(content_dir.rglob("*.md")):
                self.check(validators["post"], "post", path, True)
        if "ledger" in validators:
            for path in sorted(self.ledger_dir.rglob("*.json")):
                self.check(validators["ledger"], "ledger", path, True)

        fixture_roots = sorted(p for p in (self.root / "Tests").glob("**/Fixtures/schemas") if p.is_dir())
        for kind, validator in validators.items():
            for expect_valid, folder in ((True, "valid"), (False, "invalid")):
                files = []
                for fixture_root in fixture_roots:
                    base = fixture_root / folder / kind
                    if base.is_dir():
                        files += sorted(p for p in base.rglob("*") if p.is_file())
                if fixture_roots and not files:
                    self.fail(fixture_roots[0] / folder / kind, "no fixtures found")
                for path in files:
                    if path.suffix not in FIXTURE_EXTENSIONS[kind]:
                        self.fail(path, f"unexpected file: {kind} fixtures end in "
                                  + " or ".join(sorted(FIXTURE_EXTENSIONS[kind])))
                        continue
                    self.check(validator, kind, path, expect_valid)

        print(f"schemas: {self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 else 1


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    root = Path(argv[1]).resolve() if len(argv) == 2 else Path(__file__).resolve().parent.parent
    if not (root / "schemas").is_dir():
        print(f"validate_schemas: {root} has no schemas/ folder", file=sys.stderr)
        return 2
    if "date-time" not in Draft202012Validator.FORMAT_CHECKER.checkers:
        print("validate_schemas: the date-time format check needs the rfc3339-validator module; "
              "run scripts/setup.sh", file=sys.stderr)
        return 2
    return Run(root).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
