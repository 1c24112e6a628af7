"""Where things live, read from the source (not run, so lazy imports count too): the
layers, SQL in storage, a comment's status in the lifecycle room, commits at the edges.

``commentgate/`` is the core both sides share; ``service/`` (the web app) and ``workers/``
(the RQ side) build on it; ``launch/`` (the command line and the launchers) is the one
place that sees both.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each layer must never import, anywhere in its modules.
FORBIDDEN = {
    "commentgate": {"service", "workers", "launch", "flask", "flask_openapi3", "pydantic_core"},
    "workers": {"service", "launch", "flask", "flask_openapi3", "click"},
    "service": {"launch"},
}


def modules(package: str) -> list[Path]:
    """Every Python file of ``package``, at any depth."""
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every absolute import, also inside functions and importlib calls."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and _imports_by_name(node):
            found.append((node.lineno, node.args[0].value))
    return found


def _imports_by_name(call: ast.Call) -> bool:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    return (
        name in {"import_module", "__import__"}
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )


def violations(package: str) -> list[str]:
    """``path:line imports module`` for each import ``package`` must not make."""
    banned = FORBIDDEN[package]
    found = []
    for path in modules(package):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in imported(tree):
            if module.split(".")[0] in banned:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def test_the_reader_sees_lazy_imports():
    source = (
        "def f():\n    from workers.jobs import x\n    importlib.import_module('service.app')\n"
    )
    assert [module for _, module in imported(ast.parse(source))] == ["workers.jobs", "service.app"]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_layer_reaches_up(package):
    assert modules(package), f"{package}/ has no modules"
    assert not violations(package), f"{package}/ imports what it must not: {violations(package)}"


def app_hooks(package: str) -> list[str]:
    """``path:name(args)`` of each public function whose first parameter is the Flask app."""
    found = []
    for path in modules(package):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            params = [arg.arg for arg in node.args.args]
            first = node.args.args[0].annotation if node.args.args else None
            if isinstance(first, ast.Name) and first.id == "Flask":
                found.append(f"{path.relative_to(ROOT)}:{node.name}({', '.join(params)})")
    return found


def test_every_part_wires_itself_into_the_app_with_init_app():
    hooks = app_hooks("service")
    assert hooks, "no part of the web app takes the app"
    other = [hook for hook in hooks if not hook.endswith(":init_app(app, svc)")]
    assert not other, f"wire parts into the app with init_app(app, svc): {other}"


PACKAGES = ("commentgate", "service", "workers", "launch")
STORAGE = "commentgate/storage/*"
LIFECYCLE = "commentgate/comments/*"
# sqlalchemy names that build statements; outside storage they mean SQL leaked out.
SQL_BUILDERS = {"select", "update", "delete", "insert", "text", "exists", "union", "join"}
SQL_RUNNERS = {"execute", "query"}
# The edges: each opens one unit of work per request, job (or batch) or command.
EDGES = (
    "commentgate/storage/db.py",  # unit_of_work() and transaction() themselves
    "commentgate/storage/migrations/*",  # Alembic's own transactions
    "service/deps.py",  # comment_work(): a request's unit of work with the lifecycle
    "service/*/views.py",
    "service/*/*_views.py",
    "service/widget/embed.py",
    "workers/jobs.py",
    "workers/batch.py",  # a batch of scoring jobs: one unit of work, or one per job
    "workers/learning.py",
    "workers/retention.py",
    "launch/*",  # the command line: one unit of work per command
)
OPENERS = {"unit_of_work", "one_statement_work", "transaction", "comment_work"}


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


SOURCES = list(_sources())


def _matches(path: str, *patterns: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in patterns)


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _sqlalchemy_builders(tree: ast.AST) -> set[str]:
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            imported |= {a.asname or a.name for a in node.names if a.name in SQL_BUILDERS}
    return imported


def _sql_leaks(tree: ast.AST) -> list[str]:
    builders = _sqlalchemy_builders(tree)
    found = [f"imports {name}" for name in sorted(builders)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else ""
            if node.func.attr in SQL_RUNNERS and "session" in owner_name.lower():
                found.append(f"line {node.lineno}: {owner_name}.{node.func.attr}(")
    return found


def _is_update_of_comment(node: ast.AST) -> bool:
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            if _called_name(node) == "update" and node.args:
                first = node.args[0]
                return isinstance(first, ast.Name) and first.id == "Comment"
            node = node.func
        else:
            node = node.value
    return False


def _sets_status(call: ast.Call) -> bool:
    if any(k.arg == "status" for k in call.keywords):
        return True
    return any(
        isinstance(arg, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == "status" for k in arg.keys)
        for arg in call.args
    )


def _status_writes(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr == "status":
                    found.append(f"line {node.lineno}: .status =")
        is_values = isinstance(node, ast.Call) and _called_name(node) == "values"
        if is_values and _is_update_of_comment(node.func) and _sets_status(node):
            found.append(f"line {node.lineno}: update(Comment).values(status=...)")
        if isinstance(node, ast.Call) and _called_name(node) == "setattr" and len(node.args) > 1:
            name = node.args[1]
            if isinstance(name, ast.Constant) and name.value == "status":
                found.append(f"line {node.lineno}: setattr(..., 'status', ...)")
    return found


def _commits_and_openers(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name == "commit" and isinstance(node.func, ast.Attribute):
                found.append(f"line {node.lineno}: .commit()")
            elif name in OPENERS and not isinstance(node.func, ast.Attribute):
                found.append(f"line {node.lineno}: {name}(")
    return found


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_source_was_read():
    paths = {path for path, _ in SOURCES}
    assert "commentgate/comments/lifecycle.py" in paths and "service/intake/views.py" in paths


@pytest.mark.parametrize(("path", "tree"), SOURCES, ids=[p for p, _ in SOURCES])
def test_sql_lives_in_storage(path, tree):
    if _matches(path, STORAGE):
        return
    assert _sql_leaks(tree) == [], f"{path} speaks SQL; move it to commentgate/storage/"


@pytest.mark.parametrize(("path", "tree"), SOURCES, ids=[p for p, _ in SOURCES])
def test_only_the_lifecycle_room_writes_a_comments_status(path, tree):
    if _matches(path, LIFECYCLE):
        return
    assert _status_writes(tree) == [], f"{path} changes a status; use CommentLifecycle"


@pytest.mark.parametrize(("path", "tree"), SOURCES, ids=[p for p, _ in SOURCES])
def test_commits_happen_only_at_the_edges(path, tree):
    if _matches(path, *EDGES):
        return
    assert _commits_and_openers(tree) == [], f"{path} commits; only the edges {EDGES} may"


def test_nothing_calls_commit_itself():
    # Even the edges commit by leaving a unit of work, never by calling commit()
    # (Alembic's migrations run in transactions of their own).
    calls = {
        path: [c for c in _commits_and_openers(tree) if c.endswith(".commit()")]
        for path, tree in SOURCES
        if not _matches(path, "commentgate/storage/migrations/*")
    }
    assert {path: c for path, c in calls.items() if c} == {}


def test_the_lifecycle_room_stays_in_the_core():
    for path, tree in SOURCES:
        if _matches(path, LIFECYCLE):
            assert not _imports(tree) & {"flask", "service", "workers"}, path


def test_the_checks_catch_what_they_look_for():
    leaky = ast.parse(
        "from sqlalchemy import select\n"
        "def f(session, comment):\n"
        "    session.execute(select(Comment))\n"
        "    comment.status = 'spam'\n"
        "    session.execute(update(Comment).where(x).values(status='spam'))\n"
        "    session.commit()\n"
    )
    assert len(_sql_leaks(leaky)) == 3
    assert len(_status_writes(leaky)) == 2
    assert len(_commits_and_openers(leaky)) == 1
