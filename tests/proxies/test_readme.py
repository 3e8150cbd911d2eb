"""The README shows every proxy recipe file of docs/proxies/ as it is (with example values)."""

from __future__ import annotations

from pathlib import Path
import re

from ..testbed.proxies import RECIPES, RECIPES_DIR

README = Path(__file__).parents[2] / "README.md"


def readme_section() -> str:
    """The README's proxy section."""
    text = README.read_text()
    start_at = text.index("## The proxy in front of the remote")
    return text[start_at : text.index("## Troubleshooting", start_at)]


def test_readme_shows_every_recipe_file_as_it_is() -> None:
    """Each fenced block of the section that shows a recipe equals the file with the examples."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", readme_section(), re.MULTILINE | re.DOTALL)
    for recipe in RECIPES.values():
        for file in recipe.files:
            assert recipe.example(file) in blocks, f"README does not show docs/proxies/{file}"
            assert f"docs/proxies/{file}" in readme_section()
    shown = {file for recipe in RECIPES.values() for file in recipe.files}
    assert {path.name for path in RECIPES_DIR.iterdir() if path.name != "README.md"} == shown
