"""Hostile-input benchmark (#18): build each hostile input on the fly, run ``scrubline clean`` on
it in a fresh process, record wall time, peak RSS and what came out (documents / rejects).

Nothing large is committed: the corpus is written to a temporary folder and removed after.
Target: every hostile input costs at most 10 s and 500 MB beyond the baseline (a normal small
folder). Peak RSS is ``ru_maxrss`` of the child from ``os.wait4`` (the largest of the process
and the children it waited for); cases are built in separate processes so that the parent,
whose peak a child inherits, stays small.

    uv run python bench/hostile.py [--only NAME ...] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PAGE = b"<html><body><p>" + b"A plain sentence of an article body. " * 40 + b"</p></body></html>"
CLEAN = "import sys; from scrubline.cli import main; sys.exit(main())"
TIMEOUT_S = 300


def folder(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir()
    return path


def with_normal(path: Path) -> Path:
    (path / "normal.html").write_bytes(PAGE)
    return path


def baseline(root: Path) -> Path:
    out = folder(root, "baseline")
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(seed, out / seed.name)
    return out


def dev_zero(root: Path) -> Path:
    return Path("/dev/zero")


def fifo(root: Path) -> Path:
    out = with_normal(folder(root, "fifo"))
    os.mkfifo(out / "pipe.txt")
    return out


def bad_name(root: Path) -> Path:
    out = with_normal(folder(root, "badname"))
    with open(os.path.join(os.fsencode(out), b"caf\xe9 \xff.txt"), "wb") as fh:
        fh.write(PAGE)
    return out


def symlink_out(root: Path) -> Path:
    out = with_normal(folder(root, "symlink"))
    (out / "passwd.txt").symlink_to("/etc/passwd")
    return out


def manifest_bad(root: Path) -> Path:
    out = with_normal(folder(root, "manifest"))
    lines = [
        '{"id": "s", "file": "\\udc00.txt"}',
        '{"id": "n", "file": "a\\u0000.txt"}',
        '{"file": "normal.html"}',
    ]
    (out / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def single_line_50mb(root: Path) -> Path:
    out = with_normal(folder(root, "line50"))
    with open(out / "line.txt", "wb") as fh:
        for _ in range(50):
            fh.write(b"word " * 209_716)  # ~1 MB, no newline
    return out


def text_200mb(root: Path) -> Path:
    out = with_normal(folder(root, "text200"))
    para = b"A sentence of a long text dump, repeated. " * 24 + b"\n"
    with open(out / "dump.txt", "wb") as fh:
        for _ in range(200_000_000 // len(para)):
            fh.write(para)
    return out


def _warc_record(target: str, payload: bytes) -> bytes:
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + payload
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {target}\r\n"
        "WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n"


def warc_54mb(root: Path) -> Path:
    out = folder(root, "warc54")
    big = _warc_record("https://x.example/big", b"<html><body>" + b"<p>paragraph text here</p>" * 2_100_000)
    small = _warc_record("https://x.example/ok", PAGE)
    (out / "big.warc.gz").write_bytes(gzip.compress(big, 6) + gzip.compress(small))
    return out


def gzip_bomb_warc(root: Path) -> Path:
    out = folder(root, "bomb")
    head = _warc_record("https://x.example/bomb", b"")[:-4]
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflater.compress(head)]
    zeros = b"\0" * (1 << 24)
    for _ in range(64):  # 1 GiB of zeros -> ~1 MB compressed
        parts.append(deflater.compress(zeros))
    parts.append(deflater.flush())
    (out / "bomb.warc.gz").write_bytes(
        b"".join(parts) + gzip.compress(_warc_record("https://x.example/ok", PAGE))
    )
    return out


def yaml_alias_bomb(root: Path) -> Path:
    out = folder(root, "yamlbomb")
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    letters = "abcdefghij"
    for prev, name in zip(letters, letters[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    (out / "sources.yaml").write_text("\n".join(lines) + "\n")
    return out / "sources.yaml"


def sources_outside(root: Path) -> Path:
    out = folder(root, "project")
    (out / "sources.yaml").write_text("- {kind: file, path: /etc/passwd}\n- {kind: dir, path: ../../}\n")
    return out / "sources.yaml"


CASES: dict[str, Callable[[Path], Path]] = {
    "baseline": baseline,
    "dev_zero": dev_zero,
    "fifo": fifo,
    "bad_name": bad_name,
    "symlink_out": symlink_out,
    "manifest_nul_surrogate": manifest_bad,
    "single_line_50mb": single_line_50mb,
    "text_200mb": text_200mb,
    "warc_payload_54mb": warc_54mb,
    "gzip_bomb_warc_1gib": gzip_bomb_warc,
    "yaml_alias_bomb": yaml_alias_bomb,
    "sources_outside_project": sources_outside,
}


def run_clean(given: Path, out: Path) -> dict[str, object]:
    cmd = [sys.executable, "-c", CLEAN, "clean", str(given), "-o", str(out), "--workers", "1"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    timer = time.monotonic() + TIMEOUT_S
    status, usage = 0, None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > timer:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - started
    stdout = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    docs = rejects = 0
    classes: list[str] = []
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "error" in record:
                rejects += 1
                classes.append(record["error"]["class"])
            else:
                docs += 1
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1) if usage else None,
        "documents": docs,
        "rejects": rejects,
        "reject_classes": sorted(set(classes)),
        "tail": (stdout + stderr).strip().splitlines()[-1:] if (stdout + stderr).strip() else [],
    }


def build(name: str, root: Path) -> Path:
    """Build one case in a child process: the parent stays small, and a child inherits its
    parent's peak RSS on Linux (``ru_maxrss`` survives fork and exec), which would blur the
    figures of the cases measured after a big one."""
    cmd = [sys.executable, __file__, "--build", name, str(root)]
    return Path(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip())


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--build":
        print(CASES[sys.argv[2]](Path(sys.argv[3])))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", help="case names (baseline always runs)")
    parser.add_argument("--keep", help="build the corpus here and keep it")
    args = parser.parse_args()
    names = ["baseline", *[n for n in (args.only or CASES) if n != "baseline"]]
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hostile-"))
    root.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        for name in names:
            t = time.perf_counter()
            given = build(name, root)
            built = time.perf_counter() - t
            results[name] = run_clean(given, root / f"{name}.out.jsonl") | {"build_s": round(built, 1)}
            (root / f"{name}.out.jsonl").unlink(missing_ok=True)
            print(json.dumps({"case": name, **results[name]}), flush=True)
            if name not in ("baseline", "yaml_alias_bomb", "sources_outside_project", "dev_zero"):
                shutil.rmtree(given if given.is_dir() else given.parent, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    base = results["baseline"]
    print("\n| case | exit | wall s | +s vs baseline | peak MB | +MB | docs | rejects (classes) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in results.items():
        extra_s = r["wall_s"] - base["wall_s"]
        extra_mb = (r["peak_mb"] or 0) - (base["peak_mb"] or 0)
        classes = ", ".join(r["reject_classes"])
        print(f"| {name} | {r['exit']} | {r['wall_s']} | {extra_s:+.1f} | {r['peak_mb']} | {extra_mb:+.0f} "
              f"| {r['documents']} | {r['rejects']} ({classes}) |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
