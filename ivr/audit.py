"""Run rule packs over menus: metrics once per menu, then every pack's rules.

`audit_menu` audits one Menu; `audit_files` loads and audits many files,
in parallel processes with jobs > 1 (each worker returns plain dicts, so the
results are the same whichever way they were computed).
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
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

    def to_dict(self, nodes: bool = True, suggestions: bool = False) -> dict:
        out = {"menu": self.menu.id, "title": self.menu.title, "source": self.menu.source,
               "language": self.menu.language, "passed": self.passed,
               "checked": self.not_checked is None, "not_checked": self.not_checked, "packs": self.packs,
               "packs_not_applicable": self.not_applicable,
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


def _audit_file(args: tuple) -> dict:
    path, packs, config, nodes, suggestions, all_languages = args
    use_tts_timing(config)   # a worker process starts without the hook
    try:
        audit = audit_menu(open_menu(path, config=config), packs, config, all_languages)
        return audit.to_dict(nodes=nodes, suggestions=suggestions)
    except IvrError as err:
        return {"source": path, "error": str(err), "errors": [e.to_dict() for e in getattr(err, "errors", [err])]}


def audit_files(paths: list[str], packs: list[str], config: Optional[dict] = None, jobs: int = 1,
                nodes: bool = True, suggestions: bool = False,
                tick: Optional[Callable[[dict], None]] = None, all_languages: bool = False) -> list[dict]:
    """Audit every file; a file that cannot be read gives {'source', 'error'}.
    Results come back in the order of `paths`."""
    config = config or DEFAULTS
    work = [(p, packs, config, nodes, suggestions, all_languages) for p in paths]
    results: list[dict] = []
    if jobs <= 1 or len(paths) < 2:
        for item in work:
            results.append(_audit_file(item))
            if tick:
                tick(results[-1])
        return results
    chunk = max(1, min(64, len(work) // (jobs * 8)))
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for result in pool.imap(_audit_file, work, chunksize=chunk):
            results.append(result)
            if tick:
                tick(result)
    return results
