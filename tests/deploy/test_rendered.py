"""deploy/rendered/ is exactly what the shipped example renders to (so a reviewer reads the real output)."""

from __future__ import annotations

import re

from services.deployment.render import write
from tests.deploy.conftest import ROOT

RENDERED = ROOT / "deploy" / "rendered"
REFRESH = "pbctl deploy render --values deploy/values/example.yaml --out deploy/rendered"


def test_the_committed_manifests_are_current(rendered, tmp_path):
    write(rendered, tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_text() for p in tmp_path.rglob("*.yaml")}
    committed = {p.relative_to(RENDERED): p.read_text() for p in RENDERED.rglob("*.yaml")}
    assert sorted(committed) == sorted(fresh), f"deploy/rendered is stale: {REFRESH}"
    stale = [str(p) for p in fresh if committed[p] != fresh[p]]
    assert not stale, f"deploy/rendered is stale ({', '.join(stale)}): {REFRESH}"


def test_each_file_reads_on_its_own_without_yaml_aliases():
    for path in RENDERED.rglob("*.yaml"):
        assert not re.search(r"[&*]id\d{3}", path.read_text()), path
