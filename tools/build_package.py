"""Build the Lambda package handler/dist/custom-channel.zip, or check that it is current.

    python tools/build_package.py          # build (needs PyPI for the locked wheels)
    python tools/build_package.py --check  # is the committed zip current?

The zip holds the custom_channel package and the pure-Python wheels of
handler/requirements.lock (hash-checked), so one file serves x86_64 and arm64 and the
python3.12/3.13 runtimes, less the wheels' files Lambda never reads (`lean`): their tests,
their command-line programs (`__main__.py` and the modules their console_scripts name),
typing files (py.typed, *.pyi) and the installers' metadata; each wheel's METADATA and
license files stay. It is deterministic: sorted entries, fixed timestamps and modes,
no bytecode, deflate level 9. Beside it, custom-channel.manifest.json lists every file with
its SHA-256 and the lock's hash; --check compares that manifest with the zip, the package
sources and the lock, never the compressed bytes. When the registry can be reached, --check
also downloads the wheels pinned by hash in the lock and compares every third-party file of
the zip byte-for-byte with the wheel's own copy, and that the zip holds exactly the wheels'
files `lean` keeps (a manifest rewritten beside a hand-edited file would hide the edit
otherwise); offline it says that part was skipped and does not fail.
It runs wherever the registry answers, not only in CI: the zip is built and committed from a
developer's machine, where a mismatch is cheapest to catch, and the download is five small
wheels, from pip's cache after the first time.
"""

from __future__ import annotations

import argparse
import ast
import configparser
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
# Of a wheel's .dist-info, only what describes the distribution to its users is shipped: its
# METADATA (name, version, licence) and its licence files (PEP 639: under licenses/; older
# wheels put LICENSE, NOTICE, ... at the top). RECORD, INSTALLER, REQUESTED, direct_url.json,
# WHEEL, top_level.txt and entry_points.txt serve installers and tools, never an import.
_KEPT_METADATA = {"METADATA"}
_LICENSE_PREFIXES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")
# Typing markers and stubs: read by type checkers only.
_TYPING_FILES = {"py.typed"}
_TYPING_SUFFIX = ".pyi"
# A wheel's own test suite (certifi/tests/): run by its maintainers, never imported.
_TEST_DIRECTORIES = {"tests", "test"}
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


def _shipped_metadata(parts: list[str]) -> bool:
    """Whether this file of a .dist-info directory ships: METADATA and licence files."""
    inside = parts[1:]
    if inside[0] in ("licenses", "sboms"):
        return True
    return len(inside) == 1 and (
        inside[0] in _KEPT_METADATA or inside[0].upper().startswith(_LICENSE_PREFIXES)
    )


def _console_modules(files: dict[str, bytes]) -> set[str]:
    """The modules the wheels' console_scripts entry points name (`normalizer =
    charset_normalizer.cli:cli_detect`): programs pip would install in bin/, not library code."""
    modules: set[str] = set()
    for name, data in files.items():
        parts = name.split("/")
        if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "entry_points.txt":
            parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
            parser.read_string(data.decode("utf-8"))
            if parser.has_section("console_scripts"):
                for target in parser["console_scripts"].values():
                    modules.add(target.split(":")[0].strip())
    return modules


def _module_of(path: str) -> str | None:
    """The dotted module a .py path defines (`idna/cli.py` -> `idna.cli`), or None."""
    if not path.endswith(".py"):
        return None
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imported_modules(path: str, source: bytes) -> set[str]:
    """Every module a file imports, relative imports resolved, `from a import b` counted as
    both `a` and `a.b` (b may be a submodule)."""
    package = path.split("/")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def lean(files: dict[str, bytes]) -> dict[str, bytes]:
    """The installed wheels' files less those Lambda never reads: tests, command-line
    programs, typing files and installer metadata (the module docstring). Raises
    RuntimeError when a file kept imports one dropped, so nothing imported at run time goes."""
    programs = _console_modules(files)
    kept: dict[str, bytes] = {}
    dropped_modules: set[str] = set()
    for name, data in files.items():
        parts = name.split("/")
        module = _module_of(name)
        if parts[0].endswith(".dist-info"):
            shipped = _shipped_metadata(parts)
        else:
            shipped = not (
                parts[-1] in _TYPING_FILES
                or parts[-1].endswith(_TYPING_SUFFIX)
                or _TEST_DIRECTORIES.intersection(parts[1:-1])
                or (len(parts) == 2 and parts[1] == "__main__.py")
                or (module is not None and _named_by(module, programs))
            )
        if shipped:
            kept[name] = data
        elif module is not None:
            dropped_modules.add(module)
    for name, data in sorted(kept.items()):
        if name.endswith(".py"):
            needed = _imported_modules(name, data) & dropped_modules
            if needed:
                raise RuntimeError(f"{name} imports {', '.join(sorted(needed))}, not packaged")
    return kept


def _named_by(module: str, programs: set[str]) -> bool:
    """True for a console_scripts module and, when it is a package, its submodules."""
    return any(module == program or module.startswith(f"{program}.") for program in programs)


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
        files[relative.as_posix()] = path.read_bytes()
    return lean(files)


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
    return lean(files)


def _installed_files(wheel: Path) -> dict[str, bytes]:
    """The files of a wheel under the paths `pip install --target` gives them (minus scripts
    and data, which the zip never holds)."""
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
