"""The image build file agrees with the pods that run it (it is not built here: no container engine)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from services.deployment.pods import RUN_AS
from tests.deploy.conftest import ROOT, objects_of

CONTAINERFILE = (ROOT / "deploy" / "Containerfile").read_text()


def test_the_image_runs_as_the_numeric_non_root_user_the_pods_require():
    users = re.findall(r"^USER (\S+)$", CONTAINERFILE, re.M)
    assert users == [f"{RUN_AS}:{RUN_AS}"]
    assert f"--uid {RUN_AS}" in CONTAINERFILE


def test_the_image_builds_the_stubs_as_make_protos_does():
    makefile = (ROOT / "Makefile").read_text()
    for flags in ("--python_out=", "--pyi_out=", "--grpc_python_out=", "operations_proto.proto"):
        assert flags in makefile and flags in CONTAINERFILE
    assert "python:3.11" in CONTAINERFILE  # pyproject: requires-python >=3.11,<3.12


def test_every_command_the_pods_run_is_an_entry_point_the_install_provides(rendered):
    """`pip install .` in the image installs these, as it did in this environment's venv."""
    commands = {c["command"][0] for o in objects_of(rendered) if o["kind"] in ("Deployment", "Job")
                for c in o["spec"]["template"]["spec"]["containers"]}
    assert commands == {"pbctl", "nameko"}
    for command in commands:
        assert (Path(sys.executable).parent / command).is_file(), command
