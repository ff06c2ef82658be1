"""Build the Lambda package handler/dist/custom-channel.zip, or check that it is current.

    python tools/build_package.py          # build (needs PyPI for the locked wheels)
    python tools/build_package.py --check  # is the committed zip current?

The zip holds the custom_channel package and the pure-Python wheels of
handler/requirements.lock (hash-checked), so one file serves x86_64 and arm64 and the
python3.12/3.13 runtimes. It is deterministic: sorted entries, fixed timestamps and modes,
no bytecode. Beside it, custom-channel.manifest.json lists every file with its SHA-256 and
the lock's hash; --check compares that manifest with the zip, the package sources and the
lock, never the compressed bytes. When the registry can be reached, --check also downloads
the wheels pinned by hash in the lock and compares every third-party file of the zip
byte-for-byte with the wheel's own copy (a manifest rewritten beside a hand-edited file
would hide the edit otherwise); offline it says that part was skipped and does not fail.
It runs wherever the registry answers, not only in CI: the zip is built and committed from a
developer's machine, where a mismatch is cheapest to catch, and the download is five small
wheels, from pip's cache after the first time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLER = ROOT / "handler"
PACKAGE = HANDLER / "custom_channel"
LOCK = HANDLER / "requirements.lock"
DIST = HANDLER / "dist"
ZIP_PATH = DIST / "custom-channel.zip"
MANIFEST_PATH = DIST / "custom-channel.manifest.json"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
# Files pip writes about the install itself; they vary by pip version and serve no purpose here.
_DROPPED_METADATA = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
# The wheels the zip bundles: pure Python, chosen exactly as `pip install --target` does below.
_WHEEL_SELECTION = [
    "--no-deps",
    "--require-hashes",
    "--only-binary=:all:",
    "--platform",
    "any",
    "--implementation",
    "py",
    "--python-version",
    "3.12",
]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The operator's tools (invoke, resend, registration): installed with `pip install .`, never
# run by Lambda, so not in the zip (custom_channel/operator/__init__.py).
OPERATOR_TOOLS = PACKAGE / "operator"


def package_sources() -> dict[str, bytes]:
    """The runtime: every file of custom_channel but the operator's tools."""
    files: dict[str, bytes] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if OPERATOR_TOOLS in path.parents or path == OPERATOR_TOOLS:
            continue
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[path.relative_to(HANDLER).as_posix()] = path.read_bytes()
    return files


def dependency_files(workdir: Path) -> dict[str, bytes]:
    target = workdir / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(target),
            "--no-compile",
            *_WHEEL_SELECTION,
            "-r",
            str(LOCK),
        ],
        check=True,
    )
    files: dict[str, bytes] = {}
    for path in sorted(target.rglob("*")):
        relative = path.relative_to(target)
        if not path.is_file() or relative.parts[0] == "bin" or "__pycache__" in relative.parts:
            continue
        if relative.parent.name.endswith(".dist-info") and relative.name in _DROPPED_METADATA:
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def _registry_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/", timeout=10):
            return True
    except (OSError, ValueError):
        return False


def locked_wheel_files() -> dict[str, bytes] | None:
    """Every file the lock's wheels would install, by path, or None when the registry is out
    of reach. pip checks each wheel against the lock's hash; a wheel it cannot fetch although
    the registry answers, or one whose hash differs, raises RuntimeError."""
    if not _registry_reachable():
        return None
    with tempfile.TemporaryDirectory() as workdir:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--dest",
                workdir,
                *_WHEEL_SELECTION,
                "-r",
                str(LOCK),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            output = (completed.stderr or completed.stdout).strip()
            raise RuntimeError(f"pip download of the locked wheels failed:\n{output}")
        files: dict[str, bytes] = {}
        for wheel in sorted(Path(workdir).glob("*.whl")):
            files.update(_installed_files(wheel))
    return files


def _installed_files(wheel: Path) -> dict[str, bytes]:
    """The files of a wheel under the paths `pip install --target` gives them (minus scripts,
    data and the metadata pip rewrites, none of which the zip holds)."""
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith("/"):
                continue
            parts = name.split("/")
            if parts[0].endswith(".data"):
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue
                parts = parts[2:]
            if parts[0].endswith(".dist-info") and parts[-1] in _DROPPED_METADATA:
                continue
            files["/".join(parts)] = archive.read(name)
    return files


def third_party_problems(zip_path: Path, wheel_files: dict[str, bytes]) -> list[str]:
    """How the third-party files of the zip (all but custom_channel/) differ from the wheels'."""
    with zipfile.ZipFile(zip_path) as archive:
        bundled = {
            name: archive.read(name)
            for name in archive.namelist()
            if not name.startswith("custom_channel/")
        }
    problems: list[str] = []
    for name in sorted(set(bundled) | set(wheel_files)):
        if name not in wheel_files:
            problems.append(f"{name} is in the zip but in none of the locked wheels")
        elif name not in bundled:
            problems.append(f"{name} of the locked wheels is missing from the zip")
        elif bundled[name] != wheel_files[name]:
            problems.append(f"{name} differs from the locked wheel's copy")
    return problems


def manifest_of(files: dict[str, bytes]) -> dict[str, object]:
    return {
        "requirements_lock_sha256": _sha256(LOCK.read_bytes()),
        "files": {name: _sha256(data) for name, data in sorted(files.items())},
    }


def write_zip(files: dict[str, bytes], destination: Path) -> None:
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])


def build() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        files = dependency_files(Path(workdir))
        files.update(package_sources())
        DIST.mkdir(parents=True, exist_ok=True)
        write_zip(files, ZIP_PATH)
    MANIFEST_PATH.write_text(json.dumps(manifest_of(files), indent=2) + "\n", encoding="utf-8")
    size = ZIP_PATH.stat().st_size
    print(f"wrote {ZIP_PATH.relative_to(ROOT)} ({len(files)} files, {size / 1024:.0f} KiB)")
    return 0


def check(zip_path: Path = ZIP_PATH, manifest_path: Path = MANIFEST_PATH) -> int:
    problems: list[str] = []
    compared = ""
    if not zip_path.exists() or not manifest_path.exists():
        problems.append("the package or its manifest is missing")
    else:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        with zipfile.ZipFile(zip_path) as archive:
            in_zip = {name: _sha256(archive.read(name)) for name in archive.namelist()}
        if in_zip != manifest["files"]:
            problems.append("the zip does not match its manifest")
        if manifest["requirements_lock_sha256"] != _sha256(LOCK.read_bytes()):
            problems.append("handler/requirements.lock changed since the package was built")
        sources = {name: _sha256(data) for name, data in package_sources().items()}
        packaged = {
            name: digest for name, digest in in_zip.items() if name.startswith("custom_channel/")
        }
        for name in sorted(set(sources) | set(packaged)):
            if sources.get(name) != packaged.get(name):
                problems.append(f"{name} differs from the packaged copy")
        try:
            wheel_files = locked_wheel_files()
        except RuntimeError as error:
            problems.append(str(error))
        else:
            if wheel_files is None:
                print("third-party files not compared with the locked wheels: registry unreachable")
            else:
                problems.extend(third_party_problems(zip_path, wheel_files))
                compared = f"; its {len(wheel_files)} third-party files match the locked wheels"
    if problems:
        print("handler/dist/custom-channel.zip is stale: run `make package` and commit it.")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"{ZIP_PATH.relative_to(ROOT)} is current{compared}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of building")
    args = parser.parse_args()
    if args.check:
        return check()
    shutil.rmtree(PACKAGE / "__pycache__", ignore_errors=True)
    return build()


if __name__ == "__main__":
    sys.exit(main())
