"""Build edition directories for tests from the shipped files, changed by exact text edits."""

from __future__ import annotations

from pathlib import Path

from fangpin.policy import DEFAULT_DIRECTORY

SHIPPED = DEFAULT_DIRECTORY


def shipped_text(name: str) -> str:
    return (SHIPPED / name).read_text(encoding="utf-8")


def edited(name: str, *edits: tuple[str, str]) -> str:
    """The shipped file ``name`` with each (old, new) edit applied exactly once."""
    text = shipped_text(name)
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} must occur once in {name}"
        text = text.replace(old, new)
    return text


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def county_override(year: int, region: str, body: str, *, example: bool = False) -> str:
    """A minimal override file for ``region`` in ``year`` with the value lines in ``body``."""
    flag = "example = true\n" if example else ""
    return (
        f'[edition]\nyear = {year}\nregion = "{region}"\ntitle = "测试"\nbasis = "测试"\n'
        f"{flag}\n{body}"
    )


def files_in(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.rglob("*.toml"))}


def body(section: str, name: str, value: object) -> str:
    """One ``[section]`` with one confirmed entry ``name = value`` (TOML literal)."""
    return f'[{section}]\n{name} = {{ value = {value}, confirmed = true, source = "x" }}\n'
