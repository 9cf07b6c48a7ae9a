"""A local stand-in for the Kubernetes API server: just what `pbctl deploy apply/status` call.

No real cluster can run on this machine, so apply and status are tested against this: GET of
one object (404 when absent), PATCH with `application/apply-patch+yaml` (server-side apply:
fieldManager required, resourceVersion bumped only when the applied object changes, generation
on a spec change), GET of a Job's and a Deployment's status, and the pod list by label. Jobs
finish (or fail, for names in `failing_jobs`); Deployments report their new pods ready only after
`rollout_reads` status reads, so that waiting is exercised; pods are synthesized from them.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import yaml

PATH = re.compile(r"^/(?:api/v1|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
                  r"(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?(?P<status>/status)?$")
NOW = "2026-12-04T00:00:00Z"


class StandIn:
    """The objects the stand-in holds, and the requests it was sent (method, path, content type)."""

    def __init__(self, rollout_reads: int = 2, failing_jobs: tuple[str, ...] = (), missing_groups: tuple[str, ...] = ()):
        self.objects: dict[tuple, dict] = {}
        self.missing_groups = missing_groups  # API groups the cluster does not serve (a CRD not installed)
        self.requests: list[tuple[str, str, str]] = []
        self.rollout_reads, self.failing_jobs = rollout_reads, failing_jobs
        self.reads: dict[tuple, int] = {}
        self.version = 100
        self.lock = threading.Lock()

    # ------------------------------------------------------------ object store

    def apply(self, key: tuple, body: dict) -> dict:
        with self.lock:
            current = self.objects.get(key)
            if current is not None and current["_applied"] == body:
                return current
            self.version += 1
            meta = dict(body["metadata"])
            meta.update(resourceVersion=str(self.version), uid=f"uid-{self.version}", creationTimestamp=NOW)
            generation = 1 if current is None else current["metadata"]["generation"]
            if current is not None and current["_applied"].get("spec") != body.get("spec"):
                generation += 1
            meta["generation"] = generation
            obj = {**body, "metadata": meta, "_applied": body}
            self.objects[key] = obj
            self.reads[key] = 0
            return obj

    def status_of(self, key: tuple, tick: bool = False) -> dict | None:
        """`tick`: a read of the status subresource, which moves a rollout on."""
        obj = self.objects[key]
        kind = obj["kind"]
        if kind == "Job":
            failed = any(obj["metadata"]["name"].startswith(p) for p in self.failing_jobs)
            condition = {"type": "Failed" if failed else "Complete", "status": "True",
                         "reason": "BackoffLimitExceeded" if failed else "Completed",
                         "message": "Job has reached the specified backoff limit" if failed else ""}
            return {"conditions": [condition], **({"failed": 3} if failed else {"succeeded": 1})}
        if kind == "Deployment":
            with self.lock:
                self.reads[key] += tick
                done = self.reads[key] > self.rollout_reads
            want = obj["spec"].get("replicas", 1)
            generation = obj["metadata"]["generation"]
            return {"observedGeneration": generation if done else generation - 1, "replicas": want,
                    "updatedReplicas": want if done else 0, "readyReplicas": want if done else 0,
                    "availableReplicas": want if done else 0}
        if kind == "HorizontalPodAutoscaler":
            return {"currentReplicas": 0, "desiredReplicas": 0}
        return None

    def public(self, key: tuple, tick: bool = False) -> dict:
        obj = {k: v for k, v in self.objects[key].items() if k != "_applied"}
        status = self.status_of(key, tick)
        if status is not None:
            obj["status"] = status
        return obj

    def pods(self, namespace: str, selector: dict[str, str]) -> list[dict]:
        """One ready pod per replica of each Deployment, one finished pod per Job."""
        pods = []
        for (ns, plural, name), obj in list(self.objects.items()):
            if ns != namespace or plural not in ("deployments", "jobs"):
                continue
            template = obj["spec"]["template"]
            labels = template["metadata"]["labels"]
            if any(labels.get(k) != v for k, v in selector.items()):
                continue
            count = obj["spec"].get("replicas", 1) if plural == "deployments" else 1
            for i in range(count):
                containers = [{"name": c["name"], "image": c["image"]} for c in template["spec"]["containers"]]
                done = plural == "jobs"
                pods.append({
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": f"{name}-{i}", "namespace": ns, "labels": labels},
                    "spec": {"containers": containers},
                    "status": {"phase": "Succeeded" if done else "Running", "containerStatuses": [
                        {"name": c["name"], "image": c["image"], "imageID": "", "ready": not done,
                         "restartCount": 0} for c in containers]},
                })
        return pods


def _handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _fail(self, code: int, reason: str, message: str) -> None:
            self._send(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason,
                              "message": message, "code": code})

        def _route(self):
            url = urlparse(self.path)
            state.requests.append((self.command, url.path, self.headers.get("Content-Type", "")))
            match = PATH.match(url.path)
            if not match or match["group"] in state.missing_groups:
                self._fail(404, "NotFound", f"no route {url.path}")
                return None
            return url, match

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            routed = self._route()
            if routed is None:
                return
            url, m = routed
            if m["name"] is None:  # a list: pods only
                query = parse_qs(url.query)
                selector = dict(p.split("=", 1) for p in query.get("labelSelector", [""])[0].split(",") if p)
                self._send(200, {"apiVersion": "v1", "kind": "PodList", "metadata": {},
                                 "items": state.pods(m["ns"], selector)})
                return
            key = (m["ns"], m["plural"], m["name"])
            if key not in state.objects:
                self._fail(404, "NotFound", f'{m["plural"]} "{m["name"]}" not found')
                return
            self._send(200, state.public(key, tick=bool(m["status"])))

        def do_PATCH(self) -> None:  # noqa: N802
            routed = self._route()
            if routed is None:
                return
            url, m = routed
            if self.headers.get("Content-Type") != "application/apply-patch+yaml":
                self._fail(415, "UnsupportedMediaType", "only server-side apply here")
                return
            if parse_qs(url.query).get("fieldManager") != ["pbctl"]:
                self._fail(422, "Invalid", "fieldManager is required for apply")
                return
            body = yaml.safe_load(self.rfile.read(int(self.headers["Content-Length"])))
            if body["metadata"]["name"] != m["name"] or body["metadata"].get("namespace") != m["ns"]:
                self._fail(400, "BadRequest", "the body names another object than the path")
                return
            key = (m["ns"], m["plural"], m["name"])
            state.apply(key, body)
            self._send(200, state.public(key))

    return Handler


class ApiServer:
    """The stand-in served on a free loopback port, stopped on exit."""

    def __init__(self, state: StandIn):
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def kubeconfig(self, path) -> str:
        """A kubeconfig that points the client at the stand-in."""
        config = {"apiVersion": "v1", "kind": "Config", "current-context": "standin",
                  "clusters": [{"name": "standin", "cluster": {"server": self.url}}],
                  "users": [{"name": "operator", "user": {"token": "standin-token"}}],
                  "contexts": [{"name": "standin", "context": {"cluster": "standin", "user": "operator"}}]}
        path.write_text(yaml.safe_dump(config))
        return str(path)
