"""Run rule packs over menus: metrics once per menu, then every pack's rules.

`audit_menu` audits one Menu; `audit_files` loads and audits many files,
in forked processes with jobs > 1 or on Dask (ivr.parallel; each worker
returns plain dicts, so the results are the same whichever way they were
computed).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .config import DEFAULTS
from .errors import IvrError
from .metrics import Metrics, compute
from .model import Menu
from .rules import Finding, contexts, load_pack, pack_applies, scope_text
from .sources import open_menu

SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


@dataclass
class Audit:
    menu: Menu
    metrics: Metrics
    findings: list[Finding]
    packs: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    scopes: dict = field(default_factory=dict)   # pack name -> what it applies to (jurisdictions or languages)

    @property
    def passed(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def not_checked(self) -> Optional[str]:
        """Why nothing was checked (no requested pack applies to the menu's language), or None."""
        if self.packs or not self.not_applicable:
            return None
        scopes = "; ".join(f"{name} applies to {self.scopes.get(name, '')}" for name in self.not_applicable)
        if self.menu.jurisdictions:
            return f"no requested pack applies to jurisdictions {', '.join(self.menu.jurisdictions)} ({scopes})"
        spoken = ", ".join(dict.fromkeys([self.menu.language, *self.menu.languages]))
        return f"no requested pack applies to language {spoken} ({scopes})"

    def verdicts(self) -> dict[str, str]:
        """Each requested pack: pass, fail (a finding of severity error) or not applicable."""
        failed = {f.pack for f in self.findings if f.severity == "error"}
        out = {name: "fail" if name in failed else "pass" for name in self.packs}
        out.update({name: "not applicable" for name in self.not_applicable})
        return out

    def to_dict(self, nodes: bool = True, suggestions: bool = False) -> dict:
        out = {"menu": self.menu.id, "title": self.menu.title, "source": self.menu.source,
               "language": self.menu.language, "passed": self.passed,
               "checked": self.not_checked is None, "not_checked": self.not_checked, "packs": self.packs,
               "packs_not_applicable": self.not_applicable,
               "verdicts": self.verdicts(),
               "counts": {s: sum(f.severity == s for f in self.findings) for s in SEVERITY_ORDER},
               "metrics": self.metrics.to_dict(nodes=nodes),
               "findings": [f.to_dict() for f in self.findings]}
        if suggestions:
            from .fixes import suggest
            out["fix_suggestions"] = suggest(self.menu, self.findings)
        return out


def resolve_packs(names: Optional[Iterable[str]], config: dict) -> list[str]:
    """Pack names from --rules (comma lists allowed) or config.yaml, each checked."""
    chosen = [p.strip() for item in (names or config.get("rules", {}).get("packs", [])) for p in item.split(",")]
    chosen = [p for p in chosen if p]
    if not chosen:
        raise IvrError("no rule packs chosen", "give --rules ivr-core,cn,... or set rules.packs in config.yaml")
    for name in chosen:
        load_pack(name)
    return chosen


def audit_menu(menu: Menu, packs: list[str], config: Optional[dict] = None,
               all_languages: bool = False) -> Audit:
    """Audit `menu` with the packs that apply to its jurisdictions, or its
    language when it declares none (every pack with `all_languages`); within a
    pack, entries scoped to other jurisdictions or sectors are skipped."""
    config = config or DEFAULTS
    metrics = compute(menu, config)
    findings: list[Finding] = []
    applied, skipped, scopes = [], [], {}
    for name in packs:
        pack = load_pack(name)
        if not all_languages and not pack_applies(pack, menu):
            skipped.append(pack["name"])
            scopes[pack["name"]] = scope_text(pack, menu)
            continue
        applied.append(pack["name"])
        for ctx in contexts(pack):
            if ctx.applies(menu):
                findings += ctx.rule.check(menu, metrics, ctx)
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.where.line, f.rule))
    return Audit(menu, metrics, findings, applied, skipped, scopes)


def use_tts_timing(config: dict) -> None:
    """With `tts: {enabled: true}` in config.yaml, prompt seconds are measured
    from synthesised speech (cached) instead of estimated from the text."""
    if config.get("tts", {}).get("enabled"):
        from .speech.tts import enable_timing   # imported only then: the speech stack is heavy
        enable_timing(config)


def input_error(path: str, err: BaseException) -> dict:
    """The result for a file that could not be audited: an input error (the
    user's file) or an internal error (a bug in ivr: type and message, please report)."""
    if isinstance(err, IvrError):
        errors = [e.to_dict() for e in getattr(err, "errors", [err])]
        return {"file": path, "error": "input", "message": str(err), "errors": errors}
    message = (f"internal error while auditing this file: {type(err).__name__}: {err} — "
               "please report this as a bug in ivr, with the file if you can share it")
    return {"file": path, "error": "internal", "message": message,
            "errors": [{"code": "internal-error", "file": path, "line": None, "column": None,
                        "problem": f"{type(err).__name__}: {err}", "fix": "please report this as a bug in ivr"}]}


def _audit_file(args: tuple) -> dict:
    path, packs, config, nodes, suggestions, all_languages, diagram = args
    use_tts_timing(config)   # a worker process starts without the hook
    try:
        menu = open_menu(path, config=config)
        out = audit_menu(menu, packs, config, all_languages).to_dict(nodes=nodes, suggestions=suggestions)
        out["content_sha256"] = file_hash(path)
        if diagram:
            from .reports.diagram import diagram_for
            out["_diagram"] = diagram_for(menu)
        return out
    except Exception as err:   # one file's failure, ours or its, never takes the batch with it
        return input_error(path, err)


def file_hash(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _warm(packs: list[str]) -> None:
    """Load what every audit needs before workers fork, so they inherit it."""
    for name in packs:
        load_pack(name)
    from . import importers, loader, validate  # noqa: F401  (the YAML reader and its checks)


def audit_files(paths: list[str], packs: list[str], config: Optional[dict] = None, jobs: int = 1,
                nodes: bool = True, suggestions: bool = False,
                tick: Optional[Callable[[dict], None]] = None, all_languages: bool = False,
                dask: Optional[str] = None, diagram: bool = False) -> list[dict]:
    """Audit every file; a file that cannot be audited gives {'file', 'error':
    'input' | 'internal', 'message', 'errors'} (see input_error). Results come
    back in the order of `paths`. `jobs` > 1: that many forked processes;
    `dask`: "local" (a loopback cluster of `jobs` workers) or a scheduler
    address. With `diagram`, each menu's SVG (or why there is none) is under
    the private key `_diagram` (for the HTML page only)."""
    from .parallel import parallel_map
    config = config or DEFAULTS
    work = [(p, packs, config, nodes, suggestions, all_languages, diagram) for p in paths]
    return parallel_map(_audit_file, work, jobs=jobs, dask=dask, tick=tick, warm=lambda: _warm(packs))
