"""api/ is a library of its own: it imports nothing from Home Assistant or from the integration."""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).parents[2] / "custom_components" / "remote_mtls" / "api"


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add("." * node.level + (node.module or ""))
    return modules


def test_api_imports_nothing_from_home_assistant_or_the_integration() -> None:
    files = sorted(API.glob("*.py"))
    assert len(files) > 5
    for path in files:
        for module in _imported_modules(path):
            assert not module.startswith("homeassistant"), f"{path.name} imports {module}"
            assert not module.startswith(".."), f"{path.name} imports {module} (the integration)"
            assert "custom_components" not in module, f"{path.name} imports {module}"


def test_api_is_typed() -> None:
    assert (API / "py.typed").is_file()
