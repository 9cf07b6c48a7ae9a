"""Every object of an environment, in the stages they are applied in, and writing them out.

1-prepare: namespace, accounts, settings, network policies (what the Jobs' pods need).
2-jobs: each service's migration, one after another, then the broker's topology.
3-rollout: Services, Deployments, disruption budgets, autoscalers.
4-monitoring: the alert rules (applied when `monitoring.prometheusRule` is true).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from services.deployment import alerts, jobs, network, scaling, settings, workloads
from services.deployment.roles import DIRECTORY_OWNER, ServiceFacts, platform_services
from services.deployment.values import load


@dataclass(frozen=True)
class Stage:
    name: str
    objects: list[dict]


def stages(values: dict, services: tuple[ServiceFacts, ...] | None = None) -> list[Stage]:
    services = services or platform_services()
    # The directory's owner migrates first: nothing depends on the order today, but a later
    # migration may read what the organization's did, and one at a time never races on the app role.
    ordered = sorted(services, key=lambda f: (f.name != DIRECTORY_OWNER, f.name))
    prepare = [settings.namespace(values)] if values["createNamespace"] else []
    prepare += [settings.service_account(values, f.name, f.name) for f in ordered]
    prepare.append(settings.service_account(values, jobs.TOPOLOGY_ACCOUNT, "platform"))
    prepare += [settings.config_map(values, f) for f in ordered]
    prepare.append(network.platform_policy(values))
    prepare += [p for p in (network.egress_policy(values, f) for f in ordered) if p]
    run_first = [jobs.migration(values, f) for f in ordered] + [jobs.topology(values, ordered[0])]
    rollout = []
    for f in ordered:
        rollout += [network.service(values, f), network.pods_service(values, f), *workloads.deployments(values, f),
                    scaling.disruption_budget(values, f), scaling.autoscaler(values, f)]
    return [Stage("1-prepare", prepare), Stage("2-jobs", run_first), Stage("3-rollout", rollout),
            Stage("4-monitoring", [alerts.prometheus_rule(values)])]


def render_file(values_path: str | Path) -> list[Stage]:
    return render_values(values_path)[1]


def render_values(values_path: str | Path) -> tuple[dict, list[Stage]]:
    """The checked values of a file, and what they render to."""
    services = platform_services()
    values = load(values_path, tuple(f.name for f in services))
    return values, stages(values, services)


def file_name(obj: dict) -> str:
    return f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


class _PlainDumper(yaml.SafeDumper):
    """No anchors and aliases (&id001) where a piece of data is shared: each file reads on its own."""

    def ignore_aliases(self, data) -> bool:
        return True


def to_yaml(obj: dict) -> str:
    return yaml.dump(obj, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=120)


def write(rendered: list[Stage], out: str | Path) -> list[Path]:
    """One file per object under out/<stage>/; a stage's earlier files are replaced, nothing else touched."""
    out = Path(out)
    written = []
    for stage in rendered:
        folder = out / stage.name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for index, obj in enumerate(stage.objects, 1):
            path = folder / f"{index:02d}-{file_name(obj)}"
            path.write_text(to_yaml(obj), encoding="utf-8")
            written.append(path)
    return written
