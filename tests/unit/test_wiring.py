"""Services are wired by convention: found by name, each through its own entrypoints/runtime.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from services.common.config import Settings
from services.platform import SERVICES, build_runtime


def test_every_service_is_found_by_its_runtime_module():
    assert "organization" in SERVICES
    with pytest.raises(ValueError, match="unknown service 'nowhere'"):
        build_runtime("nowhere", Settings.from_env())


def test_an_event_worker_can_wire_units_of_work_without_grpcio():
    # nameko (eventlet) and grpcio never share a process: the uow wiring must not pull grpcio in.
    probe = ("import sys; from services.organization.entrypoints import runtime; "
             "assert 'grpc' not in sys.modules, sorted(m for m in sys.modules if m.startswith('grpc'))")
    subprocess.run([sys.executable, "-c", probe], check=True)
