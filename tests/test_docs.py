"""The README and the CLI stay in step: every command is documented, every documented command exists
(after sqlite-utils' tests/test_docs.py)."""

import argparse
import re
from pathlib import Path

import pytest

from bot.cli import parser

README = (Path(__file__).parent.parent / "README.md").read_text()
# Commands as the README shows them: in code spans and code blocks only, not in prose.
CODE = "\n".join(re.findall(r"```.*?```|`[^`\n]+`", README, flags=re.DOTALL))


def commands(p: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = (*prefix, name)
                nested = commands(sub, path)
                out.extend(nested or [path])
    return out


ALL = commands(parser())


@pytest.mark.parametrize("command", [" ".join(c) for c in ALL])
def test_every_command_is_in_the_readme(command):
    assert re.search(rf"careerbot {re.escape(command)}\b", CODE), f"document `careerbot {command}` in README.md"


def test_every_documented_command_exists():
    groups = {c[0] for c in ALL if len(c) > 1}
    for match in re.finditer(r"(?m)(?:^\s*|`|\$ )careerbot((?: [a-z][a-z-]*){1,2})", CODE):
        words = tuple(match.group(1).split())
        shown = words if words[0] in groups else words[:1]
        assert shown in ALL or (len(shown) == 1 and shown[0] in groups), \
            f"README.md shows `careerbot {' '.join(shown)}`, which is not a command"
