"""Names, labels and object headers every manifest shares."""

from __future__ import annotations

import hashlib
import json

from services.deployment.roles import PART_OF

MANAGED_BY = "pbctl"
LABEL_NAME = "app.kubernetes.io/name"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_PART_OF = "app.kubernetes.io/part-of"


def selector(service: str, component: str) -> dict[str, str]:
    """Labels that pick one role's pods; never changes between releases (selectors are immutable)."""
    return {LABEL_PART_OF: PART_OF, LABEL_NAME: service, LABEL_COMPONENT: component}


def labels(values: dict, service: str, component: str, version: str | None = None) -> dict[str, str]:
    out = {**selector(service, component), "app.kubernetes.io/instance": values["environment"],
           "app.kubernetes.io/managed-by": MANAGED_BY}
    if version:
        out["app.kubernetes.io/version"] = version
    return out


def header(api_version: str, kind: str, name: str, values: dict, service: str, component: str,
           namespaced: bool = True, annotations: dict | None = None) -> dict:
    metadata = {"name": name, "labels": labels(values, service, component)}
    if namespaced:
        metadata["namespace"] = values["namespace"]
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


def digest(data: object, length: int = 10) -> str:
    """A short stable hash of JSON-able data: names Jobs per spec, marks pods per settings."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:length]
