"""The Helm chart renders to valid Kubernetes YAML (helm itself is not installed here).

A small interpreter for the subset of Go templates and Sprig functions the chart uses renders every
template with the default values and with a production-like override, then checks what Kubernetes
and Helm rely on: parseable YAML, the probes, the hook order, the commands, no empty database URL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

CHART = Path(__file__).resolve().parents[2] / "helm" / "comptoir"

PRODUCTION = {
    "secret": {"values": {
        "COMPTOIR_DATABASE_URL": "postgresql://comptoir_app:s3cret@db:5432/comptoir",
        "COMPTOIR_SECRET_KEY": "a-long-random-key",
        "COMPTOIR_BROKER_URL": "redis://redis:6379/0",
    }},
    "extraEnv": [{"name": "TZ", "value": "UTC"}],
}


# --- a tiny Go-template interpreter -------------------------------------------------------------

ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|:=|\||\(|\)|,|\$[\w]*(?:\.[\w]+)*|(?:\.[\w]+)+|\.|-?\d+|[\w]+)')


class TemplateError(Exception):
    pass


@dataclass
class Node:
    kind: str  # text, action, if, range, with, define
    value: str = ""
    body: list[Node] = field(default_factory=list)
    orelse: list[Node] = field(default_factory=list)


def lex(source: str) -> list[tuple[str, str]]:
    """Text and action pieces, with Go's {{- and -}} whitespace trimming applied."""
    pieces: list[tuple[str, str]] = []
    position, trim_next = 0, False
    for match in ACTION.finditer(source):
        text = source[position:match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        pieces.append(("text", text))
        pieces.append(("action", match.group(2).strip()))
        position, trim_next = match.end(), bool(match.group(3))
    tail = source[position:]
    pieces.append(("text", tail.lstrip() if trim_next else tail))
    return pieces


def parse(pieces: list[tuple[str, str]]) -> list[Node]:
    root: list[Node] = []
    stack: list[tuple[Node | None, list[Node]]] = [(None, root)]
    for kind, value in pieces:
        current = stack[-1][1]
        if kind == "text":
            current.append(Node("text", value))
        elif value.startswith("/*"):
            continue
        elif value.split(" ", 1)[0] in ("if", "range", "with", "define"):
            word, _, rest = value.partition(" ")
            node = Node(word, rest.strip())
            current.append(node)
            stack.append((node, node.body))
        elif value == "else":
            node = stack[-1][0]
            assert node is not None
            stack[-1] = (node, node.orelse)
        elif value == "end":
            stack.pop()
        else:
            current.append(Node("action", value))
    if len(stack) != 1:
        raise TemplateError("unbalanced blocks")
    return root


def tokens(expression: str) -> list[str]:
    found, position = [], 0
    while position < len(expression.rstrip()):
        match = TOKEN.match(expression, position)
        if not match:
            raise TemplateError(f"cannot read {expression[position:]!r}")
        found.append(match.group(1))
        position = match.end()
    return found


def truthy(value: Any) -> bool:
    return bool(value) and value != 0


def to_yaml(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True).rstrip("\n")


def indent(spaces: int, text: str) -> str:
    return "\n".join(" " * spaces + line for line in str(text).split("\n"))


class Renderer:
    def __init__(self, chart: Path, values: dict[str, Any], revision: int = 1) -> None:
        self.templates = {p.name: p.read_text() for p in (chart / "templates").iterdir() if p.is_file()}
        metadata = yaml.safe_load((chart / "Chart.yaml").read_text())
        self.root = {
            "Values": values,
            "Chart": {"Name": metadata["name"], "Version": metadata["version"],
                      "AppVersion": metadata["appVersion"]},
            "Release": {"Name": "shop", "Namespace": "default", "Revision": revision, "Service": "Helm"},
            "Template": {"BasePath": "comptoir/templates"},
        }
        self.defines: dict[str, list[Node]] = {}
        self.parsed = {name: parse(lex(text)) for name, text in self.templates.items()}
        for nodes in self.parsed.values():
            for node in nodes:
                if node.kind == "define":
                    self.defines[node.value.strip('"')] = node.body

    def render(self, name: str) -> str:
        return self.run(self.parsed[name], self.root, {"$": self.root})

    def include(self, name: str, dot: Any) -> str:
        """A define by name, or a whole template file by its path (as checksum annotations do)."""
        base = self.root["Template"]["BasePath"] + "/"
        nodes = self.parsed[name[len(base):]] if name.startswith(base) else self.defines[name]
        return self.run(nodes, dot, {"$": self.root})

    def run(self, nodes: list[Node], dot: Any, scope: dict[str, Any]) -> str:
        out: list[str] = []
        for node in nodes:
            if node.kind == "text":
                out.append(node.value)
            elif node.kind == "action":
                result = self.pipeline(tokens(node.value), dot, scope)
                out.append("" if result is None or ":=" in node.value else str(result))
            elif node.kind == "if":
                branch = node.body if truthy(self.pipeline(tokens(node.value), dot, scope)) else node.orelse
                out.append(self.run(branch, dot, dict(scope)))
            elif node.kind == "with":
                value = self.pipeline(tokens(node.value), dot, scope)
                out.append(self.run(node.body, value, dict(scope)) if truthy(value)
                           else self.run(node.orelse, dot, dict(scope)))
            elif node.kind == "range":
                out.append(self.range(node, dot, scope))
        return "".join(out)

    def range(self, node: Node, dot: Any, scope: dict[str, Any]) -> str:
        words = tokens(node.value)
        names: list[str] = []
        if ":=" in words:
            names = [w for w in words[: words.index(":=")] if w != ","]
            words = words[words.index(":=") + 1:]
        collection = self.pipeline(words, dot, scope)
        items = sorted(collection.items()) if isinstance(collection, dict) else list(enumerate(collection or []))
        out = []
        for key, value in items:
            inner = dict(scope)
            if len(names) == 2:
                inner[names[0]], inner[names[1]] = key, value
            elif names:
                inner[names[0]] = value
            out.append(self.run(node.body, value, inner))
        return "".join(out)

    def pipeline(self, words: list[str], dot: Any, scope: dict[str, Any]) -> Any:
        if len(words) > 2 and words[1] == ":=":
            scope[words[0]] = self.pipeline(words[2:], dot, scope)
            return None
        commands: list[list[str]] = [[]]
        depth = 0
        for word in words:
            depth += word == "("
            depth -= word == ")"
            if word == "|" and depth == 0:
                commands.append([])
            else:
                commands[-1].append(word)
        result: Any = _NOTHING
        for command in commands:
            result = self.command(command, dot, scope, result)
        return result

    def command(self, words: list[str], dot: Any, scope: dict[str, Any], piped: Any) -> Any:
        args = self.operands(words[1:], dot, scope)
        if piped is not _NOTHING:
            args.append(piped)
        head = words[0]
        if head in FUNCTIONS or head in ("include", "print"):
            if head == "include":
                return self.include(args[0], args[1])
            if head == "print":
                return "".join(str(a) for a in args)
            return FUNCTIONS[head](*args)
        if args:
            raise TemplateError(f"{head} takes no arguments")
        return self.operands([head], dot, scope)[0]

    def operands(self, words: list[str], dot: Any, scope: dict[str, Any]) -> list[Any]:
        values: list[Any] = []
        index = 0
        while index < len(words):
            word = words[index]
            if word == "(":
                depth, end = 1, index + 1
                while depth:
                    depth += (words[end] == "(") - (words[end] == ")")
                    end += 1
                values.append(self.pipeline(words[index + 1:end - 1], dot, scope))
                index = end
                continue
            values.append(self.value(word, dot, scope))
            index += 1
        return values

    def value(self, word: str, dot: Any, scope: dict[str, Any]) -> Any:
        if word.startswith('"'):
            return word[1:-1].encode().decode("unicode_escape")
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        if word in ("true", "false"):
            return word == "true"
        if word.startswith("$"):
            name, *path = word.split(".")
            return walk(scope[name], path)
        if word == ".":
            return dot
        if word.startswith("."):
            return walk(dot, word.split(".")[1:])
        if word in FUNCTIONS:
            return FUNCTIONS[word]()
        raise TemplateError(f"unknown word {word!r}")


_NOTHING = object()


def walk(value: Any, path: list[str]) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def required(message: str, value: Any) -> Any:
    if not truthy(value):
        raise TemplateError(message)
    return value


FUNCTIONS: dict[str, Any] = {
    "default": lambda fallback, given=None: given if truthy(given) else fallback,
    "required": required,
    "quote": lambda value: '"' + str("" if value is None else value).replace('"', '\\"') + '"',
    "toString": lambda value: "" if value is None else str(value).lower() if isinstance(value, bool) else str(value),
    "toYaml": to_yaml,
    "nindent": lambda spaces, text: "\n" + indent(spaces, text),
    "indent": indent,
    "trunc": lambda length, text: text[:length],
    "trimSuffix": lambda suffix, text: text[: -len(suffix)] if suffix and text.endswith(suffix) else text,
    "contains": lambda part, text: part in text,
    "printf": lambda form, *args: form.replace("%s", "{}").format(*args),
    "replace": lambda old, new, text: text.replace(old, new),
    "sha256sum": lambda text: hashlib.sha256(text.encode()).hexdigest(),
    "or": lambda *args: next((a for a in args if truthy(a)), args[-1]),
    "and": lambda *args: next((a for a in args if not truthy(a)), args[-1]),
    "not": lambda value: not truthy(value),
    "eq": lambda a, b: a == b,
}


# --- helpers ------------------------------------------------------------------------------------


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        result[key] = merged(result[key], value) if isinstance(value, dict) and isinstance(
            result.get(key), dict) else value
    return result


def values(override: dict[str, Any] | None = None) -> dict[str, Any]:
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    return merged(defaults, override or {})


def manifests(override: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Every rendered object, keyed 'Kind/name'."""
    renderer = Renderer(CHART, values(override))
    objects: dict[str, dict[str, Any]] = {}
    for name in sorted(renderer.templates):
        if name.startswith("_") or not name.endswith(".yaml"):
            continue
        for document in yaml.safe_load_all(renderer.render(name)):
            if document:
                objects[f"{document['kind']}/{document['metadata']['name']}"] = document
    return objects


def container(objects: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
    return objects[key]["spec"]["template"]["spec"]["containers"][0]


# --- tests --------------------------------------------------------------------------------------


def test_chart_metadata_and_values_are_valid_yaml():
    metadata = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert metadata["apiVersion"] == "v2" and metadata["name"] == "comptoir"
    assert re.fullmatch(r"\d+\.\d+\.\d+", metadata["version"])
    assert isinstance(values(), dict)


def test_every_template_renders_to_kubernetes_objects():
    objects = manifests(PRODUCTION)
    assert set(objects) == {
        "ConfigMap/shop-comptoir", "Secret/shop-comptoir", "ServiceAccount/shop-comptoir",
        "Deployment/shop-comptoir-api", "Service/shop-comptoir", "PodDisruptionBudget/shop-comptoir-api",
        "Deployment/shop-comptoir-worker", "Deployment/shop-comptoir-beat", "Job/shop-comptoir-migrate-1",
    }
    for obj in objects.values():
        assert obj["apiVersion"] and obj["metadata"]["labels"]["app.kubernetes.io/instance"] == "shop"


def test_api_serves_uvicorn_with_health_and_readiness_probes():
    api = container(manifests(PRODUCTION), "Deployment/shop-comptoir-api")
    assert api["command"][:2] == ["uvicorn", "comptoir.app:app"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["ports"][0]["containerPort"] == 8000


def test_workers_beat_and_migrations_run_the_comptoir_commands():
    objects = manifests(PRODUCTION)
    assert container(objects, "Deployment/shop-comptoir-worker")["command"][:2] == ["comptoir", "worker"]
    assert container(objects, "Deployment/shop-comptoir-beat")["command"] == ["comptoir", "beat"]
    beat = objects["Deployment/shop-comptoir-beat"]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    job = objects["Job/shop-comptoir-migrate-1"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["comptoir", "migrate"]


def test_migration_job_is_a_pre_install_and_pre_upgrade_hook_after_its_configuration():
    objects = manifests(PRODUCTION)
    job = objects["Job/shop-comptoir-migrate-1"]["metadata"]["annotations"]
    assert job["helm.sh/hook"] == "pre-install,pre-upgrade"
    for key in ("ConfigMap/shop-comptoir", "Secret/shop-comptoir", "ServiceAccount/shop-comptoir"):
        annotations = objects[key]["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(annotations["helm.sh/hook-weight"]) < int(job["helm.sh/hook-weight"])


def test_every_container_reads_comptoir_settings_from_the_configmap_and_secret():
    objects = manifests(PRODUCTION)
    for key in ("Deployment/shop-comptoir-api", "Deployment/shop-comptoir-worker",
                "Deployment/shop-comptoir-beat", "Job/shop-comptoir-migrate-1"):
        sources = container(objects, key)["envFrom"]
        assert {"configMapRef": {"name": "shop-comptoir"}} in sources
        assert {"secretRef": {"name": "shop-comptoir"}} in sources
        assert container(objects, key)["env"] == [{"name": "COMPTOIR_WEBSPACE_ROOT", "value": "/srv/webspaces"},
                                                  {"name": "TZ", "value": "UTC"}]
    assert all(name.startswith("COMPTOIR_") for name in objects["ConfigMap/shop-comptoir"]["data"])
    secret = objects["Secret/shop-comptoir"]["stringData"]
    assert secret["COMPTOIR_DATABASE_URL"].startswith("postgresql://comptoir_app:")
    assert "COMPTOIR_SMTP_PASSWORD" not in secret  # empty values are left to the defaults


def test_production_values_turn_graphiql_and_introspection_off_and_bound_database_waits():
    config = manifests(PRODUCTION)["ConfigMap/shop-comptoir"]["data"]
    assert (config["COMPTOIR_GRAPHIQL"], config["COMPTOIR_INTROSPECTION"]) == ("false", "false")
    assert int(config["COMPTOIR_DATABASE_STATEMENT_TIMEOUT_MS"]) > 0
    assert 0 < int(config["COMPTOIR_DATABASE_CONNECT_TIMEOUT_SECONDS"]) < float(config["COMPTOIR_REQUEST_TIMEOUT_SECONDS"])


def test_an_empty_database_url_is_refused_rather_than_starting_an_embedded_database():
    with pytest.raises(TemplateError, match="COMPTOIR_DATABASE_URL"):
        manifests()


def test_an_existing_secret_replaces_the_chart_secret():
    objects = manifests({"secret": {"create": False, "existingSecret": "comptoir-prod"}})
    assert "Secret/shop-comptoir" not in objects
    assert {"secretRef": {"name": "comptoir-prod"}} in container(objects, "Deployment/shop-comptoir-api")["envFrom"]


def test_workers_and_beat_can_be_turned_off():
    objects = manifests(merged(PRODUCTION, {"worker": {"enabled": False}, "beat": {"enabled": False}}))
    assert "Deployment/shop-comptoir-worker" not in objects and "Deployment/shop-comptoir-beat" not in objects


def test_pods_run_unprivileged_on_a_read_only_root_filesystem():
    objects = manifests(PRODUCTION)
    for key in ("Deployment/shop-comptoir-api", "Deployment/shop-comptoir-worker", "Deployment/shop-comptoir-beat"):
        pod = objects[key]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
        assert {"name": "tmp", "mountPath": "/tmp"} in pod["containers"][0]["volumeMounts"]


def test_api_and_workers_share_the_webspaces_volume_of_the_local_hosting_agent():
    objects = manifests(merged(PRODUCTION, {"webspaces": {"volume": {
        "persistentVolumeClaim": {"claimName": "webspaces"}}}}))
    for key in ("Deployment/shop-comptoir-api", "Deployment/shop-comptoir-worker"):
        pod = objects[key]["spec"]["template"]["spec"]
        assert {"name": "webspaces", "persistentVolumeClaim": {"claimName": "webspaces"}} in pod["volumes"]
        assert {"name": "webspaces", "mountPath": "/srv/webspaces"} in pod["containers"][0]["volumeMounts"]
    default = manifests(PRODUCTION)["Deployment/shop-comptoir-api"]["spec"]["template"]["spec"]["volumes"]
    assert {"name": "webspaces", "emptyDir": {}} in default
