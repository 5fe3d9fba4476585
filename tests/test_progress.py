"""Progress bars: shown on a terminal (a real pseudo-terminal here), never in pipes or files."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from scrubline.resources import seeds_dir


def _clean_on_a_terminal(folder: Path, out: Path, *extra: str) -> str:
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    command = [sys.executable, "-m", "scrubline.cli", "clean", str(folder), "-o", str(out), "--workers", "1"]
    proc = subprocess.run(
        [*command, *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, env=env, timeout=300, check=True,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert b"documents" in proc.stdout
    return b"".join(chunks).decode("utf-8", "replace")


def test_clean_shows_a_bar_on_a_terminal_only(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in seeds_dir().glob("0*.txt"):
        shutil.copy(path, folder)
    shown = _clean_on_a_terminal(folder, tmp_path / "a.jsonl")
    assert "scrubline clean" in shown and "5/5" in shown and "cleaned" in shown
    quiet = _clean_on_a_terminal(folder, tmp_path / "b.jsonl", "--no-progress")
    assert "scrubline clean" not in quiet
    piped = subprocess.run(
        [sys.executable, "-m", "scrubline.cli", "clean", str(folder), "-o", str(tmp_path / "c.jsonl")],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert "scrubline clean" not in piped.stderr
