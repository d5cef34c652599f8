"""The layers of docs/design.md, checked on every import statement of the project, at any depth
(function-level imports included): no circle, and nothing imports upwards."""

import ast

import pytest

from helpers import ROOT

PACKAGES = ("keras_nst", "super_res")
# the tasks: each uses only its own modules and the shared core (the report and the faces use them all)
TASKS = ("super_res", "keras_nst.fast_style", "keras_nst.transfer", "keras_nst.harmonization", "keras_nst.arbitrary")


def _modules():
    """{module name: path} of every project module (a package by its __init__)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(name, path, modules):
    """The project modules that ``name`` (at ``path``) imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        out.update(t for t in targets if t in modules and t != name)
    return out


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_no_import_circle(graph):
    seen, stack, circles = set(), [], []

    def visit(node):
        if node in stack:
            circles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert not circles, [" -> ".join(c) for c in circles]


def _layer(module):
    if module.startswith(("keras_nst.cli", "super_res.cli", "keras_nst.web")) or module.endswith("__main__"):
        return "command line"
    if module.startswith("keras_nst.core") or module in PACKAGES:
        return "core"
    return "task"


def test_imports_point_down_and_tasks_keep_apart(graph):
    order = {"command line": 0, "task": 1, "core": 2}
    wrong = []
    for module, targets in graph.items():
        for target in targets:
            if target in PACKAGES:
                continue  # a package's lazy API and layer registration
            if order[_layer(target)] < order[_layer(module)]:
                wrong.append(f"{module} imports {target} (upwards)")
            home = next((t for t in TASKS if module.startswith(t)), None)
            if home and _layer(module) == "task" and not target.startswith((home, "keras_nst.core")):
                wrong.append(f"{module} imports {target} (a task uses only its own modules and the core)")
    assert not wrong, wrong


def test_the_house_shows_its_tasks():
    """Top level: only the package's entry points and the report; each task a package of its own."""
    loose = sorted(p.name for p in (ROOT / "keras_nst").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "report.py"], loose
    for task in TASKS:
        assert (ROOT / task.replace(".", "/") / "__init__.py").is_file(), task
    faces = ("keras_nst/web", "keras_nst/cli", "super_res/cli")  # the page and the command lines: no module over 250
    long = [f"{p.name}: {n}" for face in faces for p in (ROOT / face).glob("*.py")
            if (n := len(p.read_text().splitlines())) > 250]
    assert not long, long


def test_only_the_command_lines_parse_arguments(graph):
    """argparse lives in the command lines (``cli.kit`` and the commands): a task or the core takes
    keyword arguments, whoever calls it."""
    parsing = [name for name, path in _modules().items() if _layer(name) != "command line"
               and any(isinstance(node, (ast.Import, ast.ImportFrom)) and "argparse" in
                       [getattr(node, "module", None), *(a.name for a in node.names)]
                       for node in ast.walk(ast.parse(path.read_text())))]
    assert not parsing, parsing


def test_the_check_finds_a_circle(tmp_path):
    """The walk itself: a planted circle through a function-level import is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    test = globals()["test_no_import_circle"]
    with pytest.raises(AssertionError, match="a -> b -> c -> a"):
        test(graph)
