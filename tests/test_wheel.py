"""The built wheel works outside this checkout: init, clean, run, report and sql in a new folder.

The wheel is built from the working tree and installed (without dependencies) into a fresh
virtual environment whose only other packages are this environment's installed
dependencies (a path entry, so the checkout's editable install is NOT on that path). The
commands run from an empty temporary folder with no SCRUBLINE_* variables set.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = shutil.which("uv")

pytestmark = pytest.mark.skipif(UV is None, reason="uv is needed to build the wheel")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run([UV, "build", "--wheel", "-q", "-o", str(dist), str(ROOT)], check=True, timeout=300)
    (wheel,) = dist.glob("scrubline-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    target = next((env_dir / "lib").glob("python*/site-packages"))
    (target / "_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [UV, "pip", "install", "-q", "--no-deps", "--python", str(env_dir / "bin" / "python"), str(wheel)],
        check=True,
        timeout=300,
    )
    return env_dir / "bin"


def _run(bin_dir: Path, cwd: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRUBLINE_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    env["PREFECT_HOME"] = str(cwd / ".prefect")
    return subprocess.run(
        [str(bin_dir / "scrubline"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def _python(bin_dir: Path, cwd: Path, code: str) -> str:
    """What ``code`` prints under the installed wheel's interpreter."""
    return subprocess.run([str(bin_dir / "python"), "-c", code], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def test_the_wheel_is_the_library_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = _python(installed, tmp_path, "import scrubline, sys; print(scrubline.__file__)")
    assert not where.strip().startswith(str(ROOT / "scrubline")), where
    names = _python(installed, tmp_path, "import importlib.util as u; print(u.find_spec('flows') is None, "
                    "u.find_spec('scrubline_flows') is not None)")  # fmt: skip
    assert names.split() == ["True", "True"]  # no top-level package named "flows"
    model = _python(installed, tmp_path, "from scrubline.boilerplate.linemodel import MODEL_PATH, "
                    "default_model; print(default_model() is not None, MODEL_PATH.is_file())")  # fmt: skip
    assert model.split() == ["True", "True"]  # the fullpage line model's weights ship
    version = _run(installed, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("scrubline ")


def test_init_clean_run_report_sql_in_a_new_folder(installed: Path, tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    done = _run(installed, tmp_path, "init", "desk")
    assert done.returncode == 0, done.stderr
    for name in ("scrubline.toml", "sources.yaml", "outlets.csv", "seeds/manifest.jsonl"):
        assert (desk / name).is_file(), name

    cleaned = _run(installed, desk, "clean", "seeds", "-o", "-")
    assert cleaned.returncode == 0, cleaned.stderr
    records = [json.loads(line) for line in cleaned.stdout.splitlines()]
    assert len(records) == 5 and all("text" in r for r in records)
    by_source = {r["source"]: r for r in records}
    assert by_source["003_b8ff09be8abf3fd2.txt"]["metadata"]["outlet_id"] == "rcsp"  # the packaged registry

    ran = _run(installed, desk, "run", timeout=600)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "documents  5" in ran.stdout
    assert (desk / "warehouse" / "scrubline.duckdb").is_file()
    assert (desk / "warehouse" / "published" / "scrubline.ducklake").is_file()

    rows = _run(installed, desk, "sql", "SELECT count(*) AS n FROM v_documents", "--format", "json")
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout) == {"n": 5}

    report = _run(installed, desk, "report")
    assert report.returncode == 0, report.stderr
    assert (desk / "warehouse" / "reports" / "report.html").stat().st_size > 10_000
    assert not (ROOT / "desk").exists()
    assert sys.prefix not in str(desk)
