"""The Helm chart, rendered by Helm's own engine (helm-python-sdk: Helm v4's Go SDK through a C ABI, no helm
binary, no cluster) with the default and the production values, every object validated against the
Kubernetes JSON schemas (kubernetes-validate ships them), then what Kubernetes and Helm rely on: the
probes, the hook order, the commands, security contexts, no empty database URL.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")
helm = pytest.importorskip("helm_python")
kubernetes_validate = pytest.importorskip("kubernetes_validate")

CHART = Path(__file__).resolve().parents[2] / "helm" / "comptoir"
# The oldest Kubernetes the chart declares (Chart.yaml kubeVersion) has no bundled schema; validate
# against the newest the package ships and one older minor.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())

PRODUCTION = {
    "secret": {"values": {
        "COMPTOIR_DATABASE_URL": "postgresql://comptoir_app:s3cret@db:5432/comptoir",
        "COMPTOIR_SECRET_KEY": "a-long-random-key",
        "COMPTOIR_BROKER_URL": "redis://redis:6379/0",
    }},
    "extraEnv": [{"name": "TZ", "value": "UTC"}],
}


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        result[key] = merged(result[key], value) if isinstance(value, dict) and isinstance(
            result.get(key), dict) else value
    return result


def values(override: dict[str, Any] | None = None) -> dict[str, Any]:
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    return merged(defaults, override or {})


def production_values() -> dict[str, Any]:
    return yaml.safe_load((CHART / "values-production.yaml").read_text())


def render(override: dict[str, Any] | None = None) -> dict[str, str]:
    """Helm's rendering of every template, as `helm template shop helm/comptoir` would (values.yaml under
    `override`, as -f/--set do), keyed by template path."""
    return helm.Chart.load(CHART).render(override or {}, name="shop", namespace="comptoir", revision=1,
                                         is_install=True)


def manifests(override: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Every rendered object, keyed 'Kind/name'."""
    objects: dict[str, dict[str, Any]] = {}
    for path, text in sorted(render(override).items()):
        if not path.endswith(".yaml"):
            continue
        for document in yaml.safe_load_all(text):
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
    with pytest.raises(helm.HelmRenderError, match="COMPTOIR_DATABASE_URL"):
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
        container_security = pod["containers"][0]["securityContext"]
        assert container_security["readOnlyRootFilesystem"] is True
        assert container_security["allowPrivilegeEscalation"] is False
        assert container_security["capabilities"]["drop"] == ["ALL"]
        assert {"name": "tmp", "mountPath": "/tmp"} in pod["containers"][0]["volumeMounts"]
        assert {"name": "tmp", "emptyDir": {}} in pod["volumes"]


def test_api_and_workers_share_the_webspaces_volume_of_the_local_hosting_agent():
    objects = manifests(merged(PRODUCTION, {"webspaces": {"volume": {
        "persistentVolumeClaim": {"claimName": "webspaces"}}}}))
    for key in ("Deployment/shop-comptoir-api", "Deployment/shop-comptoir-worker"):
        pod = objects[key]["spec"]["template"]["spec"]
        assert {"name": "webspaces", "persistentVolumeClaim": {"claimName": "webspaces"}} in pod["volumes"]
        assert {"name": "webspaces", "mountPath": "/srv/webspaces"} in pod["containers"][0]["volumeMounts"]
    default = manifests(PRODUCTION)["Deployment/shop-comptoir-api"]["spec"]["template"]["spec"]["volumes"]
    assert {"name": "webspaces", "emptyDir": {}} in default


# --- the engine and the schemas -------------------------------------------------------------------


@pytest.mark.parametrize("case", ["default", "production"])
def test_every_manifest_is_valid_against_the_kubernetes_schemas(case):
    objects = manifests(PRODUCTION if case == "default" else production_values())
    assert objects
    for version in KUBERNETES_VERSIONS:
        for key, obj in objects.items():
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{key} is not a valid {obj['kind']} for Kubernetes {version}: {error.message} "
                            f"at {list(error.path)}")


@pytest.mark.parametrize("case", ["default", "production"])
def test_helm_lint_finds_no_error(case):
    report = helm.lint(CHART, PRODUCTION if case == "default" else production_values(), strict=True)
    assert report["errors"] == [] and all(m["severity"] < 2 for m in report["messages"]), report


def test_production_values_autoscale_the_api_and_isolate_the_pods_on_the_network():
    objects = manifests(production_values())
    hpa = objects["HorizontalPodAutoscaler/shop-comptoir-api"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "shop-comptoir-api"}
    assert hpa["minReplicas"] >= 2
    assert "replicas" not in objects["Deployment/shop-comptoir-api"]["spec"]  # the HPA owns it
    assert objects["PodDisruptionBudget/shop-comptoir-api"]["spec"]["minAvailable"] < hpa["minReplicas"]
    internal = objects["NetworkPolicy/shop-comptoir-internal"]["spec"]
    assert internal["policyTypes"] == ["Ingress"]  # only the scraper, only to the metrics port
    assert [rule["ports"] for rule in internal["ingress"]] == [[{"port": "metrics", "protocol": "TCP"}]]
    worker = container(objects, "Deployment/shop-comptoir-worker")
    assert worker["ports"] == [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]
    api = objects["NetworkPolicy/shop-comptoir-api"]["spec"]
    assert api["ingress"][0]["ports"] == [{"port": "http", "protocol": "TCP"}] and api["ingress"][0]["from"]
    egress_ports = {p["port"] for rule in objects["NetworkPolicy/shop-comptoir-egress"]["spec"]["egress"]
                    for p in rule["ports"]}
    assert {53, 5432, 6379, 443} <= egress_ports
    assert "Secret/shop-comptoir" not in objects  # production reads an existing Secret
    config = objects["ConfigMap/shop-comptoir"]["data"]
    assert (config["COMPTOIR_ENVIRONMENT"], config["COMPTOIR_LOG_FORMAT"]) == ("production", "json")


def test_every_setting_can_be_given_through_the_configmap_or_the_secret():
    from comptoir.settings import Settings

    settable = {f"COMPTOIR_{name.upper()}" for name in Settings.model_fields}
    given = set(values()["config"]) | set(values()["secret"]["values"])
    assert given <= settable, given - settable  # no misspelt setting in values.yaml
    # Any other setting goes in `config` (every key becomes the containers' environment):
    objects = manifests(merged(PRODUCTION, {"config": {"COMPTOIR_MAX_PAGE_SIZE": "50"}}))
    assert objects["ConfigMap/shop-comptoir"]["data"]["COMPTOIR_MAX_PAGE_SIZE"] == "50"
