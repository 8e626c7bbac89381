"""A stub and its twin offer the learner the same API, and the code a stub gives away is
the twin's own.

The koans call a stub's public names with the stub's signatures; a twin that spells one
differently (another parameter, another default) passes koans the learner's code may
fail. A function the stub hands over whole (it does not raise NotImplementedError) is
the learner's to keep, so it must be the twin's word for word: two copies that differ
teach two answers. A twin may add names of its own (the helpers a learner would write).
Read from the files' syntax trees, like rustlings' `dev check` reads its exercises.
"""
from __future__ import annotations

import ast
from pathlib import Path

Function = ast.FunctionDef | ast.AsyncFunctionDef

DELIBERATE: dict[str, str] = {
    "koans/m07/pod_lifecycle.py::Pod.__init__":
        "the stub keeps the two given fields; the state a kubelet needs (started, exit codes, "
        "restart counts) is the learner's to choose",
    "projects/three_services/api/app.py::main":
        "the stub names the place the learner writes the server; the twin serves from its "
        "__main__ block",
    "projects/three_services/cache/cache.py::main":
        "the stub names the place the learner writes the server; the twin serves from its "
        "__main__ block",
}
"""`stub::name` -> why stub and twin differ there on purpose."""


def problems(stub: Path, twin: Path, shown: str) -> list[str]:
    """What breaks parity between `stub` and `twin` (`shown`: the stub's repo-relative path)."""
    given, reference = _names(ast.parse(stub.read_text())), _names(ast.parse(twin.read_text()))
    out = []
    for name, node in given.items():
        key = f"{shown}::{name}"
        if key in DELIBERATE:
            continue
        other = reference.get(name)
        if other is None:
            if not name.startswith("_"):
                out.append(f"{key} is in the stub, not in its twin")
            continue
        if isinstance(node, Function) and isinstance(other, Function):
            out += _function(key, node, other)
    return out


def _names(tree: ast.Module) -> dict[str, ast.AST]:
    """Module-level functions, classes' methods (as `Class.method`) and classes, by name."""
    out: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, Function):
            out[node.name] = node
        elif isinstance(node, ast.ClassDef):
            out[node.name] = node
            out.update({f"{node.name}.{m.name}": m for m in node.body if isinstance(m, Function)})
    return out


def _function(key: str, stub: Function, twin: Function) -> list[str]:
    if signature(stub) != signature(twin):
        return [f"{key}: the stub's signature ({signature(stub)}) is not the twin's ({signature(twin)})"]
    if not raises_not_implemented(stub) and _body(stub) != _body(twin):
        return [f"{key}: the stub gives this function whole, yet it differs from the twin's "
                "(make them one, or say why in kernel_koans.cli.dev.parity.DELIBERATE)"]
    return []


def signature(fn: Function) -> str:
    """Parameters, defaults, annotations and return annotation, as source."""
    returns = f" -> {ast.unparse(fn.returns)}" if fn.returns else ""
    return f"({ast.unparse(fn.args)}){returns}"


def raises_not_implemented(fn: Function) -> bool:
    return any(isinstance(node, ast.Raise) and _raised(node) == "NotImplementedError" for node in ast.walk(fn))


def _raised(node: ast.Raise) -> str | None:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return exc.id if isinstance(exc, ast.Name) else None


def _body(fn: Function) -> str:
    """The function without its docstring (a stub's says what to write, a twin's what it does)."""
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return ast.dump(ast.Module(body=body, type_ignores=[])) + ast.dump(fn.args) + ast.dump(fn.returns or ast.Pass())
