"""The import structure the project keeps: the stages import one way (landing → reading →
cleaning → reports → structure → facts → terms → marts), pipelines/defs sits on top, and
pipelines/shared, which any of them may import, imports nothing of pipelines."""

from __future__ import annotations

import ast
from pathlib import Path

from pipelines.settings import PROJECT_ROOT
from pipelines.warehouse.incremental import Stage

PIPELINES = PROJECT_ROOT / "pipelines"
STAGES = ["landing", "reading", "cleaning", "reports", "structure", "facts", "terms", "marts"]
# What may import the Dagster definitions: they themselves and the commands that run them.
ON_TOP = {"defs", "definitions", "cli", "ui"}


def part_of(path: Path) -> str:
    """The folder of pipelines/ a module is in, or the name of a module of its own."""
    inside = path.relative_to(PIPELINES).parts
    return inside[0] if len(inside) > 1 else path.stem


def imported(path: Path) -> set[str]:
    """The parts of pipelines/ a module imports (part_of), at its top or inside a function."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return {name.split(".")[1] for name in names if name.startswith("pipelines.")} - {part_of(path)}


def modules() -> list[Path]:
    return sorted(PIPELINES.rglob("*.py"))


def test_the_stages_import_one_way() -> None:
    upward = [
        f"{path.relative_to(PROJECT_ROOT)} imports pipelines.{other}"
        for path in modules()
        if part_of(path) in STAGES
        for other in imported(path)
        if other in STAGES and STAGES.index(other) > STAGES.index(part_of(path))
    ]
    assert upward == []


def test_the_definitions_are_on_top() -> None:
    below = [
        f"{path.relative_to(PROJECT_ROOT)} imports pipelines.{other}"
        for path in modules()
        if part_of(path) not in ON_TOP
        for other in imported(path) & ON_TOP
    ]
    assert below == []


def test_shared_imports_nothing_of_pipelines() -> None:
    shared = sorted((PIPELINES / "shared").glob("*.py"))
    assert shared
    assert {path.name: imported(path) for path in shared} == {path.name: set() for path in shared}


# What every stage goes through without it shaping the stage's rows: the caching and table I/O,
# settings, the previews its materialization shows, the kill points of the tests; and
# pipelines/shared, which every stage version hashes anyway.
NOT_IN_VERSIONS = {"warehouse", "settings", "preview", "fault_injection", "shared"}


def test_every_stage_version_covers_the_code_it_runs() -> None:
    from pipelines.quality.withheld import INVARIANT_STAGE
    from pipelines.warehouse import stages

    per_report = [value for value in vars(stages).values() if isinstance(value, Stage)]
    for stage in [*per_report, INVARIANT_STAGE]:
        runs = {
            part
            for folder in stage.code
            for path in (PIPELINES / folder).glob("*.py")
            for part in imported(path)
        }
        missing = runs - set(stage.code) - NOT_IN_VERSIONS
        assert not missing, f"{stage.name} runs code of {missing}, which its version ignores"
