"""The README stays short, its map of the code matches the tree, and the docs' links resolve.

The map is the fenced block that starts with ``commentgate/``: one entry a line, indented
under its directory (``storage/`` under ``commentgate/``), names first (``a.py, b.py``),
then spaces and what they are. A description that runs on is indented deeper than its
entry (to where the description starts, if the line looks like an entry). File names in a
description (``app.py``, ``migrations/``) resolve against the entry, its directories or
the repository root. Paths in the README's prose are written from the root.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_LINES = 200
# Every module and subpackage of these directories is named in the map.
MAPPED_DIRS = ("commentgate", "launch", "service", "workers", "workers/scoring")
# Created by `make run` in the working directory, not part of the tree.
RUNTIME_DIRS = ("var/", ".venv/")
MEDIA_TYPES = ("application/", "text/", "image/", "audio/", "multipart/")
FILE_SUFFIXES = (".py", ".md", ".toml", ".lock", ".yaml", ".yml", ".json", ".jsonl", ".tsv", ".txt")

NAME = r"[\w.-]+(?:/[\w.-]+)*/?"
ENTRY = re.compile(rf"^(?P<indent> *)(?P<names>{NAME}(?:, {NAME})*)(?: +(?P<desc>\S.*))?$")
DESC_PATH = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.(?:py|md)|[\w.-]+/)(?![\w/])")
PATH_SHAPE = re.compile(r"^[\w.*-]+(?:/[\w.*-]+)*/?$")
# Not paths: placeholders and settings (DIR/0/*.wav, COMMENTGATE_VAR_DIR/metrics, 600/minute).
PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z0-9_]*|[0-9]+)/")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
INLINE_CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"\b(?:src|href)=\"([^\"]+)\"")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def split_fences(text: str) -> tuple[list[tuple[int, str]], list[list[tuple[int, str]]]]:
    """Numbered lines outside fenced code, and each fenced block's numbered lines."""
    prose: list[tuple[int, str]] = []
    blocks: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            if block is None:
                block = []
            else:
                blocks.append(block)
                block = None
        elif block is None:
            prose.append((number, line))
        else:
            block.append((number, line))
    return prose, blocks


def code_map(text: str) -> list[tuple[int, str]]:
    """The numbered lines of the map: the fenced block that starts with ``commentgate/``."""
    _, blocks = split_fences(text)
    maps = [block for block in blocks if block and block[0][1].startswith("commentgate/")]
    assert maps, "README.md has no map of the code (a fenced block starting with commentgate/)"
    return maps[0]


@dataclass
class Named:
    line: int
    path: str  # relative to the repository root when it exists, else as written
    exists: bool


def _resolve(token: str, bases: list[Path]) -> str | None:
    for base in bases:
        path = base / token.rstrip("/")
        if (ROOT / path).exists():
            return path.as_posix()
    return None


def map_paths(lines: list[tuple[int, str]]) -> list[Named]:
    """Every path the map names, resolved from its indentation, and whether it exists."""
    named: list[Named] = []
    stack: list[tuple[int, Path]] = []  # (indent, directory)
    desc_column: int | None = None
    entry_indent = -1
    bases: list[Path] = [Path()]
    for number, line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        entry = ENTRY.match(line)
        runs_on = indent > entry_indent and (
            not entry or (desc_column is not None and indent >= desc_column)
        )
        if runs_on:
            description = line
        else:
            assert entry, f"README line {number}: neither a map entry nor a description: {line!r}"
            entry_indent = indent
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1] if stack else Path()
            names = entry["names"].split(", ")
            for name in names:
                path = parent / name.rstrip("/")
                named.append(Named(number, path.as_posix(), (ROOT / path).exists()))
            own = [parent / names[0].rstrip("/")] if names[0].endswith("/") else []
            if len(names) == 1 and own:
                stack.append((indent, own[0]))
            bases = own + [directory for _, directory in reversed(stack)] + [Path()]
            bases = list(dict.fromkeys(bases))
            desc_column = entry.start("desc") if entry["desc"] else None
            description = entry["desc"] or ""
        for token in DESC_PATH.findall(description):
            found = _resolve(token, bases)
            named.append(Named(number, found or token, found is not None))
    return named


def backticked_paths(prose: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Backticked tokens of the prose that name a file or directory of the tree."""
    found = []
    for number, line in prose:
        for code in INLINE_CODE.findall(line):
            token = code.strip("`")
            if re.search(r"\s", token) or "://" in token or token.startswith(("/", "$", "<")):
                continue
            if token.startswith(MEDIA_TYPES):
                continue
            if "/" not in token and not token.endswith(FILE_SUFFIXES):
                continue
            token = token.removeprefix("./")
            if (
                token.startswith(RUNTIME_DIRS)
                or not PATH_SHAPE.match(token)
                or PLACEHOLDER.match(token)
            ):
                continue
            found.append((number, token))
    return found


def slugs(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file."""
    prose, _ = split_fences(path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for _, line in prose:
        anchors.update(HTML_ANCHOR.findall(line))
        heading = HEADING.match(line)
        if not heading:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading[2])
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def broken_links(path: Path) -> list[str]:
    prose, _ = split_fences(path.read_text(encoding="utf-8"))
    broken = []
    for number, line in prose:
        line = INLINE_CODE.sub("", line)
        for target in LINK.findall(line) + HTML_LINK.findall(line):
            if SCHEME.match(target) or target.startswith("//"):
                continue
            file_part, _, anchor = target.partition("#")
            where = f"{path.relative_to(ROOT)}:{number}: {target}"
            linked = (path.parent / file_part).resolve() if file_part else path
            if ROOT not in linked.parents and linked != ROOT:
                broken.append(f"{where} (outside the repository)")
            elif not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in slugs(linked):
                broken.append(f"{where} (no such heading)")
    return broken


def test_readme_is_at_most_200_lines():
    count = len(README.read_text(encoding="utf-8").splitlines())
    assert count <= MAX_LINES, f"README.md has {count} lines; move reference text to docs/"


def test_every_path_the_code_map_names_exists():
    named = map_paths(code_map(README.read_text(encoding="utf-8")))
    assert named, "the code map names nothing"
    missing = [f"line {n.line}: {n.path}" for n in named if not n.exists]
    assert not missing, f"the README's code map names paths that do not exist: {missing}"


def _holds_files(directory: Path) -> bool:
    return any(child.name != "__pycache__" for child in directory.iterdir())


@pytest.mark.parametrize("directory", MAPPED_DIRS)
def test_the_code_map_names_every_module(directory):
    named = {n.path for n in map_paths(code_map(README.read_text(encoding="utf-8")))}
    children = [
        child
        for child in sorted((ROOT / directory).iterdir())
        if not child.name.startswith(("_", "."))
        and (child.suffix == ".py" or (child.is_dir() and _holds_files(child)))
    ]
    omitted = [
        c.relative_to(ROOT).as_posix()
        for c in children
        if c.relative_to(ROOT).as_posix() not in named
    ]
    assert not omitted, f"the README's code map omits: {omitted}"


def test_the_code_map_names_every_top_level_package():
    named = {n.path for n in map_paths(code_map(README.read_text(encoding="utf-8")))}
    packages = [p.name for p in sorted(ROOT.iterdir()) if (p / "__init__.py").is_file()]
    omitted = [package for package in packages if package not in named]
    assert packages and not omitted, f"the README's code map omits the packages {omitted}"


def test_every_path_the_readme_names_exists():
    prose, _ = split_fences(README.read_text(encoding="utf-8"))
    missing = [
        f"line {number}: {token}"
        for number, token in backticked_paths(prose)
        if not glob.glob(token, root_dir=ROOT)
    ]
    assert not missing, f"README.md names paths that do not exist: {missing}"


@pytest.mark.parametrize(
    "document",
    [
        "README.md",
        "bench/README.md",
        *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")),
    ],
)
def test_relative_links_point_into_the_tree(document):
    assert not broken_links(ROOT / document)
