"""deploy/k8s: the Kustomize base and the production overlay, rendered in Python (tests/deploy/kustomize.py),
validated against the Kubernetes 1.30 schemas (kubernetes-validate, strict: unknown fields are errors)
and checked against what the services actually read and serve."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from pydantic import AliasChoices

from shared.settings import SERVICE_PORTS, ServiceSettings
from tests.deploy.conftest import DEPLOY
from tests.deploy.kustomize import build, containers, find, pod_spec

K8S = DEPLOY / "k8s"
BASE = K8S / "base"
PRODUCTION = K8S / "overlays" / "production"
KUBERNETES_VERSION = "1.30.0"
SERVICES = tuple(SERVICE_PORTS)  # gateway, contributors, vendors, tasks
PORT = 8000  # every pod serves on the entry point's default $PORT
# Read by deploy/entrypoint.sh rather than by the settings classes.
ENTRYPOINT_ENV = {"WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR"}


@pytest.fixture(scope="module", params=["base", "production"])
def rendered(request) -> list[dict]:
    return build(BASE if request.param == "base" else PRODUCTION)


@pytest.fixture(scope="module")
def production() -> list[dict]:
    return build(PRODUCTION)


def _secret_keys() -> dict[str, set[str]]:
    docs = yaml.safe_load_all((BASE / "secrets.example.yaml").read_text())
    return {d["metadata"]["name"]: set(d["stringData"]) for d in docs if d}


def _settings_env_names(service: str) -> set[str]:
    """Every environment variable the service's settings class reads (pydantic-settings, upper-cased)."""
    module = importlib.import_module(f"services.{service}.settings")
    (cls,) = [
        c
        for _, c in inspect.getmembers(module, inspect.isclass)
        if issubclass(c, ServiceSettings) and c is not ServiceSettings and c.__module__ == module.__name__
    ]
    prefix = cls.model_config.get("env_prefix", "")
    names = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {choice.upper() for choice in alias.choices if isinstance(choice, str)}
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add((prefix + name).upper())
    return names


def _env(objects: list[dict], container: dict) -> dict[str, dict]:
    """Name -> {"value": …} or {"secret": (name, key)} for a container, its ConfigMaps included."""
    env: dict[str, dict] = {}
    for source in container.get("envFrom", []):
        config_map = find(objects, "ConfigMap", source["configMapRef"]["name"])
        env |= {name: {"value": value, "from": "configmap"} for name, value in config_map["data"].items()}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = {"value": item["value"]}
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = {"secret": (ref["name"], ref["key"]), "optional": ref.get("optional", False)}
    return env


def _deployment(objects: list[dict], service: str) -> dict:
    return find(objects, "Deployment", service)


def test_every_object_is_valid_against_the_kubernetes_schemas(rendered):
    for obj in rendered:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_secret_template_is_valid_but_not_deployed(rendered):
    for doc in yaml.safe_load_all((BASE / "secrets.example.yaml").read_text()):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert not [o for o in rendered if o["kind"] == "Secret"], "secret values are never committed"


def test_every_service_has_deployment_service_pdb_and_hpa(rendered):
    for service in SERVICES:
        deployment = _deployment(rendered, service)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()

        svc = find(rendered, "Service", service)
        assert svc["spec"]["selector"].items() <= pod_labels.items()
        (port,) = svc["spec"]["ports"]
        container_ports = {p["name"]: p["containerPort"] for c in containers(deployment) for p in c["ports"]}
        assert container_ports[port["targetPort"]] == PORT

        pdb = find(rendered, "PodDisruptionBudget", service)
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        assert pdb["spec"].get("maxUnavailable", 0) == 1 or pdb["spec"].get("minAvailable", 0) >= 1

        hpa = find(rendered, "HorizontalPodAutoscaler", service)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": service,
        }
        replicas = deployment["spec"]["replicas"]
        assert replicas >= 2
        assert hpa["spec"]["minReplicas"] == replicas < hpa["spec"]["maxReplicas"]


def test_one_image_whose_argument_picks_the_service(rendered):
    images = {c["image"] for o in rendered for c in containers(o)}
    assert len(images) == 1

    for service in SERVICES:
        (container,) = containers(_deployment(rendered, service))
        assert container["args"] == [service] and "command" not in container
    (job_container,) = containers(find(rendered, "Job", "labelops-migrate"))
    assert job_container["args"] == ["migrate"]
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    assert "gateway|contributors|vendors|tasks|console)" in entrypoint and "migrate)" in entrypoint


def test_probes_resources_and_scrape_annotations(rendered):
    for service in SERVICES:
        deployment = _deployment(rendered, service)
        (container,) = containers(deployment)
        # The gateway gates traffic on its own database only: one service down must not empty it.
        readiness = "/readyz?local=true" if service == "gateway" else "/readyz"
        assert container["readinessProbe"]["httpGet"] == {"path": readiness, "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind])
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations == {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(PORT),
            "prometheus.io/path": "/metrics",
        }


def test_environment_names_are_the_ones_the_services_read(rendered):
    readable = {service: _settings_env_names(service) for service in SERVICES}
    secrets = _secret_keys()
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()

    for service in SERVICES:
        (container,) = containers(_deployment(rendered, service))
        env = _env(rendered, container)

        for name, spec in env.items():
            if name in ENTRYPOINT_ENV:
                assert name in entrypoint
            elif spec.get("from") == "configmap":  # shared by all: read by at least one service
                assert any(name in names for names in readable.values()), name
            else:
                assert name in readable[service], f"{service} does not read {name}"
            if "secret" in spec:
                secret, key = spec["secret"]
                assert key in secrets.get(secret, set()), f"{secret}/{key} is not in secrets.example.yaml"

        assert env["LABELOPS_ENV"]["value"] == "production"
        assert env["LABELOPS_INTERNAL_TOKEN_SECRET"]["secret"] == (
            "labelops-secrets",
            "internal-token-secret",
        )
        assert env[f"LABELOPS_{service.upper()}_DATABASE_URL"]["secret"][0] == "labelops-secrets"
        others = {f"LABELOPS_{other.upper()}_DATABASE_URL" for other in SERVICES if other != service}
        assert not others & set(env), f"{service} gets another service's database"
        for peer in ("contributors", "vendors", "tasks"):
            url = env[f"LABELOPS_{peer.upper()}_URL"]["value"]
            (port,) = find(rendered, "Service", peer)["spec"]["ports"]
            assert url == f"http://{peer}:{port['port']}"


def test_the_gateway_gets_redis_and_its_signing_key_from_secrets(rendered):
    deployment = _deployment(rendered, "gateway")
    (container,) = containers(deployment)
    env = _env(rendered, container)

    assert env["LABELOPS_REDIS_URL"]["secret"] == ("labelops-secrets", "redis-url")
    key_file = Path(env["LABELOPS_GATEWAY_JWT_PRIVATE_KEY_FILE"]["value"])
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    (mount,) = [m for m in container["volumeMounts"] if Path(m["mountPath"]) == key_file.parent]
    secret = volumes[mount["name"]]["secret"]["secretName"]
    assert key_file.name in _secret_keys()[secret] and mount["readOnly"]
    for service in ("contributors", "vendors", "tasks"):
        (other,) = containers(_deployment(rendered, service))
        assert "LABELOPS_GATEWAY_JWT_PRIVATE_KEY_FILE" not in _env(rendered, other)


def test_writable_paths_are_volumes_under_a_read_only_root(rendered):
    for obj in rendered:
        for container in containers(obj):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert {"/tmp", "/data"} <= mounts
            env = _env(rendered, container)
            if "PROMETHEUS_MULTIPROC_DIR" in env:
                assert env["PROMETHEUS_MULTIPROC_DIR"]["value"] in mounts


def test_the_migration_job_reaches_every_database(rendered):
    job = find(rendered, "Job", "labelops-migrate")
    (container,) = containers(job)
    env = _env(rendered, container)
    readable = set().union(*(_settings_env_names(s) for s in SERVICES))

    assert pod_spec(job)["restartPolicy"] == "Never"
    for service in SERVICES:
        assert env[f"LABELOPS_{service.upper()}_DATABASE_URL"]["secret"][0] == "labelops-secrets"
    assert {n for n in env if n.startswith("LABELOPS_")} <= readable
    # The gateway's settings refuse production without a key file, even for `migrate`.
    assert "LABELOPS_GATEWAY_JWT_PRIVATE_KEY_FILE" in env


def test_production_overlay_namespace_image_replicas_and_resources(production):
    base = build(BASE)

    assert find(production, "Namespace", "labelops")
    for obj in production:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "labelops"
    (image,) = {c["image"] for o in production for c in containers(o)}
    assert re.fullmatch(r"[\w.-]+(/[\w.-]+)+:\d+\.\d+\.\d+", image), image
    for service in SERVICES:
        before, after = _deployment(base, service), _deployment(production, service)
        assert after["spec"]["replicas"] >= 3 > before["spec"]["replicas"]
        (old,), (new,) = containers(before), containers(after)
        for kind in ("requests", "limits"):
            assert _memory(new["resources"][kind]["memory"]) > _memory(old["resources"][kind]["memory"])
        # The patch changed the resources only.
        assert {k: v for k, v in new.items() if k != "resources"} == {
            k: v for k, v in old.items() if k not in ("resources", "image")
        } | {"image": image}


def test_the_cluster_scrape_job_reads_the_annotations_and_labels_the_manifests_set(production):
    scrape = yaml.safe_load((K8S / "prometheus-scrape.yml").read_text())
    (job,) = scrape["scrape_configs"]
    relabel_sources = {s for rule in job["relabel_configs"] for s in rule["source_labels"]}

    def meta(prefix: str, name: str) -> str:
        return f"__meta_kubernetes_pod_{prefix}_" + re.sub(r"[^a-zA-Z0-9_]", "_", name)

    deployment = _deployment(production, "tasks")
    for annotation in deployment["spec"]["template"]["metadata"]["annotations"]:
        assert meta("annotation", annotation) in relabel_sources
    service_rule = next(r for r in job["relabel_configs"] if r.get("target_label") == "service")
    assert service_rule["source_labels"] == [meta("label", "app.kubernetes.io/name")]
    assert job["job_name"] == "labelops"  # the LabelOpsServiceDown alert selects up{job="labelops"}
    assert job["kubernetes_sd_configs"][0]["namespaces"]["names"] == ["labelops"]


def _memory(quantity: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return int(quantity[: -len(suffix)]) * factor
    return int(quantity)


def test_the_console_is_a_client_of_the_gateway_only(rendered):
    deployment = _deployment(rendered, "console")
    (container,) = containers(deployment)
    env = _env(rendered, container)
    readable = _settings_env_names("console")

    assert container["args"] == ["console"]
    assert find(rendered, "Service", "console")["spec"]["ports"][0]["targetPort"] == "http"
    assert find(rendered, "PodDisruptionBudget", "console")
    assert find(rendered, "HorizontalPodAutoscaler", "console")
    assert env["LABELOPS_GATEWAY_URL"]["value"] == "http://gateway:8000"
    assert env["LABELOPS_CONSOLE_COOKIE_SECRET"]["secret"] == ("labelops-secrets", "console-cookie-secret")
    assert "console-cookie-secret" in _secret_keys()["labelops-secrets"]
    for name, spec in env.items():
        if spec.get("from") != "configmap" and name not in ENTRYPOINT_ENV:
            assert name in readable, f"console does not read {name}"
    # No database and no internal token: it can reach no service and no data except through the API.
    assert not [name for name in env if name.endswith("_DATABASE_URL") and "from" not in env[name]]
    assert "LABELOPS_INTERNAL_TOKEN_SECRET" not in env
    # Ready when its own process is: a gateway outage is an error page, not an empty Service.
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz?local=true", "port": "http"}
    assert deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
