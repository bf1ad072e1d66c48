"""README.md: the two set-up commands come first, and its rule table is the catalog."""

from __future__ import annotations

import re
from pathlib import Path

from scopelint.catalog import load_catalog

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```[^\n]*\n(?P<body>.*?)^```", re.M | re.S)


def expected_rule_table() -> str:
    rows = ["| code | name | summary |", "|---|---|---|"]
    for rule in load_catalog().values():
        summary = rule.summary.replace("|", "\\|") + (" (removed)" if rule.status == "removed" else "")
        rows.append(f"| {rule.code} | {rule.name} | {summary} |")
    return "\n".join(rows)


def readme_rule_table(text: str) -> str:
    """The first table after the '## Rules' heading."""
    heading = re.search(r"^## Rules\s*$", text, re.M)
    assert heading is not None, "README.md has no '## Rules' section"
    rows: list[str] = []
    for line in text[heading.end():].splitlines():
        if line.startswith("|"):
            rows.append(line.rstrip())
        elif rows or line.startswith("## "):
            break
    return "\n".join(rows)


def test_rule_table_equals_the_catalog() -> None:
    expected = expected_rule_table()
    found = readme_rule_table(README.read_text(encoding="utf-8"))
    assert found == expected, f"README.md's '## Rules' table is out of date; paste this:\n\n{expected}\n"


def test_first_code_block_installs_runs_and_tests() -> None:
    first = FENCE.search(README.read_text(encoding="utf-8"))
    assert first is not None, "README.md has no code block"
    lines = [line.split("#", 1)[0].strip() for line in first.group("body").splitlines()]
    install_and_run = [line for line in lines if line.startswith("pip install") and re.search(r"&&\s*scopelint\s+\S", line)]
    test_command = [line for line in lines if "pip install" in line and re.search(r"&&\s*(python -m )?pytest\b", line)]
    assert install_and_run, f"the first code block lacks `pip install ... && scopelint PATH`: {lines}"
    assert test_command, f"the first code block lacks `pip install ... && python -m pytest`: {lines}"
    assert "dev" in test_command[0] and "dynamic" in test_command[0], "the test command must install the dev and dynamic extras (tf tests)"


def test_table_helper_reads_only_the_rules_table() -> None:
    text = "## Usage\n\n| a | b |\n\n## Rules\n\nintro\n\n| code | name | summary |\n|---|---|---|\n| SL1 | x | y |\n\n| other |\n"
    assert readme_rule_table(text) == "| code | name | summary |\n|---|---|---|\n| SL1 | x | y |"


def test_dynamic_section_lists_what_the_run_checks_for_every_code() -> None:
    """The dynamic-mode table names every active rule the run can judge (SL900 is never traced)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Dynamic mode"):]
    section = section[: section.index("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| SL")]
    listed = {code for row in rows for code in re.findall(r"SL\d{3}", row.split("|")[1])}
    active = {r.code for r in load_catalog().values() if r.status == "active"} - {"SL900"}
    assert listed == active
