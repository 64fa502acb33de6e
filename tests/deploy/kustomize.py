"""A small Kustomize renderer for the features deploy/k8s uses (no kubectl/kustomize binary here).

Supported: `resources` (files and directories), `namespace`, `labels` (metadata only), `images`,
`replicas` and single-object strategic-merge `patches` (inline or a file) without `target`. Anything
else in a kustomization is refused, so the overlay cannot silently outgrow what the tests check.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}
# Lists of these keys' objects are merged item by item (Kubernetes' patchMergeKey), others replaced.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
}


def build(directory: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unsupported = set(kustomization) - SUPPORTED
    if unsupported:
        raise ValueError(
            f"{directory}: kustomization fields this renderer does not apply: {sorted(unsupported)}"
        )

    objects: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        objects += build(path) if path.is_dir() else [d for d in yaml.safe_load_all(path.read_text()) if d]

    for patch in kustomization.get("patches", []):
        if set(patch) - {"path", "patch"}:
            raise ValueError(f"{directory}: only untargeted strategic-merge patches are supported: {patch}")
        text = patch["patch"] if "patch" in patch else (directory / patch["path"]).read_text()
        for doc in (d for d in yaml.safe_load_all(text) if d):
            target = find(objects, doc["kind"], doc["metadata"]["name"])
            merged = strategic_merge(target, doc)
            target.clear()
            target.update(merged)

    for replica in kustomization.get("replicas", []):
        matches = [
            o
            for o in objects
            if o["kind"] in {"Deployment", "StatefulSet"} and o["metadata"]["name"] == replica["name"]
        ]
        if len(matches) != 1:
            raise ValueError(f"{directory}: replicas for {replica['name']} match {len(matches)} objects")
        matches[0]["spec"]["replicas"] = replica["count"]

    for image in kustomization.get("images", []):
        for obj in objects:
            for container in containers(obj):
                name, _, tag = _split_image(container["image"])
                if name == image["name"]:
                    container["image"] = (
                        f"{image.get('newName', name)}:{image.get('newTag', tag) or 'latest'}"
                    )

    for group in kustomization.get("labels", []):
        if group.get("includeSelectors") or group.get("includeTemplates"):
            raise ValueError("labels into selectors/templates are not supported; write them in the base")
        for obj in objects:
            obj["metadata"].setdefault("labels", {}).update(group["pairs"])

    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = kustomization["namespace"]
    return objects


def find(objects: list[dict], kind: str, name: str) -> dict:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    if len(matches) != 1:
        raise ValueError(f"{kind}/{name}: {len(matches)} objects match")
    return matches[0]


def pod_spec(obj: dict) -> dict | None:
    if obj["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        return obj["spec"]["template"]["spec"]
    return None


def containers(obj: dict) -> list[dict]:
    spec = pod_spec(obj)
    return [] if spec is None else spec.get("initContainers", []) + spec["containers"]


def strategic_merge(base: Any, patch: Any, key: str = "") -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        if any(k.startswith("$") for k in patch):
            raise ValueError(f"patch directives are not supported: {list(patch)}")
        merged = copy.deepcopy(base)
        for k, value in patch.items():
            merged[k] = strategic_merge(base[k], value, k) if k in base else copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and key in MERGE_KEYS:
        merge_key = MERGE_KEYS[key]
        merged = copy.deepcopy(base)
        for item in patch:
            same = [i for i, existing in enumerate(merged) if existing[merge_key] == item[merge_key]]
            if same:
                merged[same[0]] = strategic_merge(merged[same[0]], item)
            else:
                merged.append(copy.deepcopy(item))
        return merged
    return copy.deepcopy(patch)


def _split_image(image: str) -> tuple[str, str, str]:
    name, sep, tag = image.rpartition(":")
    if not sep or "/" in tag:
        return image, "", ""
    return name, ":", tag
