"""The rule catalog: ``rules/SLxxx.md`` files, the single source of truth for
each rule's name, severity, fix safety, documentation and examples.

Found next to the package in a source checkout (``../rules``) and inside the
package (``scopelint/_rules``) in an installed wheel.

File format::

    ---
    code: SL201
    name: variable-already-exists
    severity: error            # error | warning | info
    fix: unsafe                # safe | unsafe | none
    summary: One line for `scopelint rules`.
    ---
    ## What it does
    ## Why is this bad
    ## Example            python blocks; lines that must be flagged end in `# expect: SL201`
                          (TF claims, checked by tests/test_catalog_tf.py:
                          `# tf-raises: <text>`, `# tf-logs: <text>`, `# tf-skip: <why>`)
    ## Use instead        python blocks that must be clean under every rule
    ## Fix                (ruff's "Fix safety")

A block with ``# %%`` lines is a notebook in the percent format (jupytext, VS
Code): each ``# %%`` line starts a code cell, and the tests lint it as an
``.ipynb`` built from those cells (``# tf-rerun-raises: <text>`` in a cell: TF
raises this when the cells up to it have run and it runs a second time).

An optional ``status: removed`` keeps a retired code listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SECTIONS = ("What it does", "Why is this bad", "Example", "Use instead", "Fix")
_FRONT = re.compile(r"\A---\n(?P<front>.*?)\n---\n(?P<body>.*)\Z", re.S)
_BLOCK = re.compile(r"```python\n(?P<code>.*?)```", re.S)
NOTEBOOK_CELL = "# %%"
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>SL\d+(?:\s*,\s*SL\d+)*)")


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class Example:
    code: str  # python source
    bad: bool  # from "Example" (True) or "Use instead" (False)
    expected: tuple[tuple[int, str], ...]  # (line, code) pairs marked `# expect:`

    @property
    def cells(self) -> tuple[tuple[int, str], ...]:
        """A notebook example's code cells: (block line of the cell's first line,
        source); () for a plain .py example. Lines before the first ``# %%`` are a cell too."""
        lines = self.code.splitlines()
        starts = [i for i, line in enumerate(lines) if line.strip() == NOTEBOOK_CELL]
        if not starts:
            return ()
        bounds = ([0] if starts[0] > 0 else []) + [i + 1 for i in starts]
        ends = [i for i in starts if i > 0] + [len(lines)]
        return tuple((start + 1, "\n".join(lines[start:end])) for start, end in zip(bounds, ends))


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    fix: str
    summary: str
    sections: tuple[tuple[str, str], ...]
    path: str
    status: str = "active"

    def section(self, title: str) -> str:
        return dict(self.sections).get(title, "")

    @property
    def examples(self) -> tuple[Example, ...]:
        found: list[Example] = []
        for title, bad in (("Example", True), ("Use instead", False)):
            for match in _BLOCK.finditer(self.section(title)):
                code = match.group("code")
                expected = tuple(
                    (number, c.strip())
                    for number, line in enumerate(code.splitlines(), start=1)
                    for m in [_EXPECT.search(line)]
                    if m
                    for c in m.group("codes").split(",")
                )
                found.append(Example(code=code, bad=bad, expected=expected))
        return tuple(found)

    @property
    def text(self) -> str:
        """The rule's full documentation as Markdown (for `explain`, hover, SARIF help)."""
        head = f"# {self.code} {self.name}\n\nSeverity: {self.severity} · Fix: {self.fix}\n\n{self.summary}\n"
        body = "\n".join(f"\n## {title}\n\n{text.strip()}\n" for title, text in self.sections)
        return head + body

    @property
    def help_uri(self) -> str:
        return f"https://github.com/scopelint/scopelint/blob/main/rules/{self.code}.md"


def rules_dir() -> Path:
    package = Path(__file__).parent
    for candidate in (package / "_rules", package.parent / "rules"):
        if candidate.is_dir() and any(candidate.glob("SL*.md")):
            return candidate
    raise CatalogError(f"rule catalog not found next to {package}")


def _front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    match = _FRONT.match(text.replace("\r\n", "\n"))
    if match is None:
        raise CatalogError(f"{path}: missing '---' front matter")
    values: dict[str, str] = {}
    for line in match.group("front").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise CatalogError(f"{path}: bad front matter line {line!r}")
        values[key.strip()] = value.split(" #", 1)[0].strip()
    return values, match.group("body")


def _sections(body: str) -> tuple[tuple[str, str], ...]:
    parts = re.split(r"^## +(.+?)\s*$", body, flags=re.M)
    return tuple((parts[i].strip().rstrip("?"), parts[i + 1].strip("\n")) for i in range(1, len(parts) - 1, 2))


def parse_rule(path: Path) -> Rule:
    front, body = _front_matter(path.read_text(encoding="utf-8"), path)
    for key in ("code", "name", "severity", "fix", "summary"):
        if key not in front:
            raise CatalogError(f"{path}: front matter lacks {key!r}")
    if front["severity"] not in ("error", "warning", "info"):
        raise CatalogError(f"{path}: severity must be error, warning or info")
    if front["fix"] not in ("safe", "unsafe", "none"):
        raise CatalogError(f"{path}: fix must be safe, unsafe or none")
    if path.stem != front["code"]:
        raise CatalogError(f"{path}: file name does not match code {front['code']}")
    return Rule(
        code=front["code"],
        name=front["name"],
        severity=front["severity"],
        fix=front["fix"],
        summary=front["summary"],
        sections=_sections(body),
        path=str(path),
        status=front.get("status", "active"),
    )


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, Rule]:
    """code -> Rule, sorted by code."""
    return {rule.code: rule for rule in sorted((parse_rule(p) for p in rules_dir().glob("SL*.md")), key=lambda r: r.code)}


def rule_name(code: str) -> str:
    rule = load_catalog().get(code)
    return rule.name if rule else ""
