"""pbctl deploy: render an environment's manifests, apply them to Kubernetes, show what runs."""

from __future__ import annotations

import click

from services.pbctl.settings import fail

VALUES = click.option("--values", "values_path", required=True, type=click.Path(dir_okay=False),
                      help="The environment's values file (deploy/values/example.yaml shows every key).")
KUBECONFIG = click.option("--kubeconfig", default=None, type=click.Path(dir_okay=False),
                          help="Kubeconfig file; default $KUBECONFIG or ~/.kube/config, in a pod its account.")
CONTEXT = click.option("--context", default=None, help="Kubeconfig context; default the current one.")


@click.group()
def deploy() -> None:
    """Kubernetes deployment (部署): render, apply, status."""


def _render(values_path: str):
    """(values, stages) of a values file, or the mistake and exit status 2."""
    from services.deployment.render import render_values
    from services.deployment.values import ValuesError

    try:
        return render_values(values_path)
    except ValuesError as exc:
        fail(f"values 错误 / values error: {exc}", 2)


def _api_client(kubeconfig: str | None, context: str | None):
    try:
        from kubernetes import client, config
    except ImportError:
        fail("the kubernetes client is not installed: pip install '.[deploy]' (from the repository)", 2)
    try:
        if kubeconfig or context or not _in_cluster():
            return config.new_client_from_config(config_file=kubeconfig, context=context)
        config.load_incluster_config()
        return client.ApiClient()
    except config.ConfigException as exc:
        fail(f"no cluster to talk to / 无法连接集群: {exc}", 2)


def _unreachable(api_client, exc: Exception) -> None:
    reason = getattr(exc, "reason", None) or exc
    fail(f"cannot reach the API server / 无法连接集群 {api_client.configuration.host}: {reason}")


def _in_cluster() -> bool:
    import os

    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and not os.environ.get("KUBECONFIG")


@deploy.command()
@VALUES
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write the manifests into.")
def render(values_path: str, out: str) -> None:
    """Write the manifests of an environment, one file per object, a folder per stage."""
    from services.deployment.render import write

    written = write(_render(values_path)[1], out)
    click.echo(f"wrote {len(written)} manifests under {out}")


@deploy.command()
@VALUES
@KUBECONFIG
@CONTEXT
@click.option("--job-timeout", default=900, show_default=True, help="Seconds to wait for each Job.")
@click.option("--rollout-timeout", default=600, show_default=True, help="Seconds to wait for the rollouts.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at a Job or a rollout.")
def apply(values_path: str, kubeconfig: str | None, context: str | None, job_timeout: int,
          rollout_timeout: int, poll: float) -> None:
    """Server-side apply (field manager pbctl): migration and topology Jobs first, then the rollout."""
    from kubernetes.client import ApiException
    from urllib3.exceptions import HTTPError

    from services.deployment.cluster import DeployError, Waits, apply_stages

    values, rendered = _render(values_path)
    monitoring = values["monitoring"]["prometheusRule"]
    api_client = _api_client(kubeconfig, context)

    def report(outcome: str, ref: str) -> None:
        click.echo(f"{outcome:<11} {ref}")

    try:
        outcomes = apply_stages(api_client, rendered, report,
                                Waits(job_timeout, rollout_timeout, poll), monitoring)
    except DeployError as exc:
        fail(f"apply stopped / 部署中止: {exc}")
    except ApiException as exc:
        fail(f"the API server refused / 集群拒绝: {exc.status} {exc.reason}: {(exc.body or '')[:500]}")
    except HTTPError as exc:
        _unreachable(api_client, exc)
    counts = {o: list(outcomes.values()).count(o) for o in ("created", "configured", "unchanged")}
    click.echo(", ".join(f"{n} {o}" for o, n in counts.items()))


@deploy.command()
@click.option("--namespace", default="partybuilding", show_default=True)
@KUBECONFIG
@CONTEXT
@click.option("--pods/--no-pods", "show_pods", default=True, show_default=True, help="List each pod too.")
def status(namespace: str, kubeconfig: str | None, context: str | None, show_pods: bool) -> None:
    """Pods of the platform: ready/total and image versions per service and role."""
    from kubernetes.client import ApiException
    from urllib3.exceptions import HTTPError

    from services.deployment.status import pod_lines, summary

    api_client = _api_client(kubeconfig, context)
    try:
        lines = pod_lines(api_client, namespace)
    except ApiException as exc:
        fail(f"the API server refused / 集群拒绝: {exc.status} {exc.reason}")
    except HTTPError as exc:
        _unreachable(api_client, exc)
    if not lines:
        fail(f"no pods of the platform in namespace {namespace}")
    for line in summary(lines):
        click.echo(line)
    if show_pods:
        click.echo("")
        for p in lines:
            click.echo(f"{p.pod}\t{p.service}/{p.role}\t{p.phase}\t{'ready' if p.ready else 'not ready'}\t"
                       f"restarts={p.restarts}\t{p.image}")

