"""Speech models: the manifest in audio_models/, where models are installed,
and a download that checks size and SHA-256 and unpacks atomically (an
interrupted or corrupt download leaves nothing half-installed)."""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import importlib.util
import json
import os
import shutil
import signal
import tempfile
import threading
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Callable, Optional

import yaml

from ..errors import IvrError
from ..model import Where

ROOT = Path(__file__).resolve().parents[2]          # the project folder
MANIFEST = ROOT / "audio_models" / "manifest.yaml"
STAMP = ".ivr-model.json"                            # written into each installed model
REQUIRED = ("am/final.mdl", "conf/model.conf")       # every vosk model has these
BLOCK = 1 << 16


def load_manifest(path: Optional[Path] = None) -> dict[str, dict]:
    path = Path(path or MANIFEST)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise IvrError(f"cannot read the model manifest ({err})",
                       "restore audio_models/manifest.yaml from git", Where(str(path), 0, 0)) from None
    return data.get("models", {})


def in_manifest(name: str, manifest: Optional[dict] = None) -> bool:
    return name in (manifest if manifest is not None else load_manifest())


def models_dir(config: Optional[dict] = None) -> Path:
    folder = Path((config or {}).get("speech", {}).get("models_dir", "audio_models"))
    return folder if folder.is_absolute() else ROOT / folder


def model_for(language: str, config: Optional[dict] = None) -> Optional[str]:
    """The model name (or directory) configured for `language`, else the
    manifest's first model of that language."""
    configured = (config or {}).get("speech", {}).get("models", {})
    if language in configured:
        return configured[language]
    for name, entry in load_manifest().items():
        if entry.get("language", "").lower() == language.lower():
            return name
    return None


def installed_path(name: str, config: Optional[dict] = None,
                   manifest: Optional[dict] = None) -> Optional[Path]:
    """Where model `name` is installed, or None. `name` may also be a directory."""
    if not name:
        return None
    direct = Path(name).expanduser()
    if direct.is_dir() and (direct / "conf").is_dir():
        return direct
    entry = (manifest if manifest is not None else load_manifest()).get(name, {})
    if entry.get("engine") == "whisper":
        return _whisper_folder(name, entry, config)
    if entry.get("python_package"):
        spec = importlib.util.find_spec(entry["python_package"])
        if spec and spec.origin:
            path = Path(spec.origin).parent / "model"
            return path if path.is_dir() else None
        return None
    path = models_dir(config) / name
    return path if (path / "conf").is_dir() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(name: str, url: str, target: Path, size: Optional[int],
           report: Callable[[int, Optional[int]], None]) -> None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(target, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or size
            done = 0
            for block in iter(lambda: response.read(BLOCK), b""):
                out.write(block)
                done += len(block)
                report(done, total)
        if total and done < total:
            raise IvrError(f"download of {url} stopped at {done} of {total} bytes",
                           "run the download again", code="download-failed")
    except urllib.error.HTTPError as err:  # the server answered: the network is fine, the URL is not
        raise IvrError(f"could not download {url}: the server answered {err.code} {err.reason}",
                       "check the model's url in audio_models/manifest.yaml (or give --url)",
                       code="download-failed") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise IvrError(f"could not download {url} ({reason})",
                       "check the network; offline, fetch the zip elsewhere and run "
                       f"`ivr models download {name} --from FILE.zip`", code="download-failed") from None


def _put_in_place(checked: Path, dest: Path, stamp: dict) -> Path:
    """Stamp a checked model folder and rename it to `dest` (replacing an old one)."""
    (checked / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(checked, dest)
    return dest


def _unpack(archive: Path, dest: Path, name: str, stamp: dict) -> Path:
    """Unzip into a scratch folder next to `dest`, then rename into place."""
    scratch = Path(tempfile.mkdtemp(prefix=f".unpack-{name}-", dir=dest.parent))
    try:
        try:
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    target = (scratch / member).resolve()
                    if not str(target).startswith(str(scratch.resolve()) + os.sep):
                        raise IvrError(f"{archive} has an unsafe path {member!r}",
                                       "use the official archive", code="archive-unsafe")
                zf.extractall(scratch)
        except zipfile.BadZipFile:
            raise IvrError(f"{archive} is not a zip archive", "download it again",
                           Where(str(archive), 0, 0), code="archive-corrupt") from None
        # official archives hold one top folder (the model name); accept a bare model too
        entries = [p for p in scratch.iterdir()]
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else scratch
        missing = [r for r in REQUIRED if not (root / r).exists()]
        if missing:
            raise IvrError(f"{archive} is not a vosk model (missing {', '.join(missing)})",
                           "check the model name and URL in audio_models/manifest.yaml",
                           code="archive-corrupt")
        return _put_in_place(root, dest, stamp)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def _terminate_cleanly():
    """SIGTERM (a `kill`, a CI timeout) unwinds like Ctrl-C, so the partial
    download is removed; outside the main thread signals cannot be set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    def stop(signum, frame):
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


# -- Whisper models: four files each (config.json, model.bin, tokenizer.json, vocabulary.txt)

def _package_file(relative: str) -> Optional[Path]:
    """A file inside an installed Python package: "package/dir/file"."""
    package, _, rest = relative.partition("/")
    spec = importlib.util.find_spec(package)
    if not spec or not spec.origin:
        return None
    path = Path(spec.origin).parent / rest
    return path if path.is_file() else None


def _package_parts(entry: dict) -> Optional[dict[str, list[Path]]]:
    """Each model file as the list of package files it is made of, or None
    when a package is missing."""
    out = {}
    for name, parts in (entry.get("package_files") or {}).items():
        paths = [_package_file(p) for p in ([parts] if isinstance(parts, str) else parts)]
        if not all(paths):
            return None
        out[name] = paths
    return out or None


def _whisper_folder(name: str, entry: dict, config: Optional[dict]) -> Optional[Path]:
    downloaded = models_dir(config) / name
    if (downloaded / "model.bin").is_file():
        return downloaded
    parts = _package_parts(entry)
    return parts["model.bin"][0].parent if parts else None


def _check(name: str, file: str, data_size: int, digest: str, expected: dict) -> None:
    """Size and SHA-256 of a model file (or archive) against the manifest's."""
    if expected.get("size") and data_size != expected["size"]:
        raise IvrError(f"{name}: {file} has {data_size} bytes, expected {expected['size']} "
                       "(incomplete, or not the official file)",
                       "download or install it again; check the url in audio_models/manifest.yaml",
                       code="checksum-mismatch")
    if expected.get("sha256") and digest != expected["sha256"]:
        raise IvrError(f"{name}: {file} has SHA-256 {digest}, not the manifest's",
                       "the file is corrupt or not the official one; download or install it again",
                       code="checksum-mismatch")


def whisper_files(name: str, config: Optional[dict] = None) -> tuple[str, Optional[dict]]:
    """What faster-whisper loads for `name`: (folder, None) for a downloaded
    model or a folder given by the user, or (name, {file: bytes}) for a model
    shipped by PyPI packages (joined from parts where split), each file
    checked against the manifest's size and SHA-256."""
    direct = Path(name).expanduser()
    if direct.is_dir() and (direct / "model.bin").is_file():
        return str(direct), None
    manifest = load_manifest()
    entry = manifest.get(name)
    if not entry or entry.get("engine") != "whisper":
        whisper = [n for n, e in manifest.items() if e.get("engine") == "whisper"]
        raise IvrError(f"unknown Whisper model {name!r}", f"use a folder or one of: {', '.join(whisper)}")
    downloaded = models_dir(config) / name
    if (downloaded / "model.bin").is_file():
        return str(downloaded), None        # checked when downloaded; `ivr models verify` re-checks
    parts = _package_parts(entry)
    if not parts:
        how = f"pip install {entry['pip']}" if entry.get("pip") else f"ivr models download {name}"
        raise IvrError(f"the Whisper model {name} is not installed", f"run: {how}", code="model-missing")
    files = {}
    for file, paths in parts.items():
        data = b"".join(p.read_bytes() for p in paths)
        _check(name, file, len(data), hashlib.sha256(data).hexdigest(), entry.get("files", {}).get(file, {}))
        files[file] = data
    return name, files


def _download_whisper(name: str, entry: dict, folder: Path, url: Optional[str],
                      report: Callable[[int, Optional[int]], None]) -> Path:
    """Each file of the repository into a scratch folder, checked, then the
    folder renamed into place."""
    base = (url or entry["url"]).rstrip("/") + "/"
    scratch = Path(tempfile.mkdtemp(prefix=f".download-{name}-", dir=folder))
    try:
        got = {}
        for file, expected in entry["files"].items():
            target = scratch / file
            try:
                _fetch(name, base + file, target, expected.get("size"), report)
            except IvrError as err:
                if "check the network" in err.fix:
                    pip = f"`pip install {entry['pip']}` or " if entry.get("pip") else ""
                    err.fix = (f"check the network; offline, {pip}fetch the files elsewhere into a folder "
                               "and set speech.whisper_models to it")
                raise
            got[file] = {"size": target.stat().st_size, "sha256": _sha256(target)}
            _check(name, file, got[file]["size"], got[file]["sha256"], expected)
        return _put_in_place(scratch, folder / name, {"name": name, "files": got})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def download(name: str, config: Optional[dict] = None, url: Optional[str] = None,
             source: Optional[Path] = None, manifest: Optional[dict] = None,
             report: Callable[[int, Optional[int]], None] = lambda done, total: None) -> Path:
    """Fetch (or take `source`), verify and install model `name`; returns its folder."""
    manifest = manifest if manifest is not None else load_manifest()
    entry = manifest.get(name)
    if entry is None:
        raise IvrError(f"unknown model {name!r}",
                       f"choose one of: {', '.join(manifest) or '(manifest is empty)'}")
    if entry.get("engine") == "whisper" and source:
        raise IvrError("--from takes the zip of a vosk model",
                       f"for Whisper, put the four files in a folder and set speech.whisper_models to it "
                       f"(or give --model FOLDER)")
    if entry.get("engine") == "whisper":
        folder = models_dir(config)
        folder.mkdir(parents=True, exist_ok=True)
        with _terminate_cleanly():
            return _download_whisper(name, entry, folder, url, report)
    if entry.get("python_package"):
        raise IvrError(f"{name} is installed with pip, not downloaded",
                       f"run: .venv/bin/pip install {entry.get('pip', name)}")
    folder = models_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    with _terminate_cleanly():
        part = Path(tempfile.mkstemp(prefix=f".download-{name}-", suffix=".zip", dir=folder)[1])
        return _install(name, entry, folder, part, url, source, report)


def _install(name: str, entry: dict, folder: Path, part: Path, url: Optional[str], source: Optional[Path],
             report: Callable[[int, Optional[int]], None]) -> Path:
    try:
        if source:
            if not Path(source).is_file():
                raise IvrError(f"{source} not found", "give the path of the downloaded zip")
            shutil.copyfile(source, part)
        else:
            _fetch(name, url or entry["url"], part, entry.get("size"), report)
        size, digest = part.stat().st_size, _sha256(part)
        _check(name, "the archive", size, digest, entry)
        return _unpack(part, folder / name, name, {"name": name, "sha256": digest, "size": size})
    finally:
        part.unlink(missing_ok=True)


def verify(name: str, config: Optional[dict] = None, manifest: Optional[dict] = None) -> list[str]:
    """Problems with installed model `name` (empty list: it is fine)."""
    manifest = manifest if manifest is not None else load_manifest()
    path = installed_path(name, config, manifest)
    if path is None:
        return [f"not installed (run: ivr models download {name})"]
    entry = manifest.get(name, {})
    if entry.get("engine") == "whisper":
        try:
            whisper_files(name, config)
        except IvrError as err:
            return [err.problem]
        return []
    problems = [f"missing {r}" for r in REQUIRED if not (path / r).exists()]
    stamp_file = path / STAMP
    if entry.get("sha256"):
        if not stamp_file.exists():
            problems.append(f"no {STAMP}: not installed by `ivr models download`, archive unverified")
        elif json.loads(stamp_file.read_text(encoding="utf-8")).get("sha256") != entry["sha256"]:
            problems.append("installed from an archive whose SHA-256 differs from the manifest")
    return problems
