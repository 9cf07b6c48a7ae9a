"""Rendered once per module: the shipped example environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.deployment.render import render_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "values" / "example.yaml"


def objects_of(stages, kind: str | None = None) -> list[dict]:
    return [o for s in stages for o in s.objects if kind is None or o["kind"] == kind]


@pytest.fixture(scope="module")
def rendered():
    return render_file(EXAMPLE)
