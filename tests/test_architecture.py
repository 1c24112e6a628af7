"""The layers stay where they are: the source is read, not run, so lazy imports count too.

``commentgate/`` is the core both sides share; ``service/`` (the web app) and ``workers/``
(the RQ side) build on it; ``launch/`` (the command line and the launchers) is the one
place that sees both.
"""

from __future__ import annotations

import ast
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
