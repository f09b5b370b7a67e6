"""The layout's rules that lint-imports cannot see (docs/architecture.md, "Layers").

Every import in app code is at module level, where the reader and lint-imports see it. The one
place an import inside a function belongs is AppConfig.ready(), where an app registers itself
with the apps below it. An import that must stay inside a function to break a cycle says so on
its line with `# cycle: <which>`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "smd",
    "caseload",
    "referrals",
    "assessments",
    "sharing",
    "mdt",
    "returns",
    "rights",
    "demo",
]


def app_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            # A data migration is frozen with the historical models it was written against.
            if "migrations" not in path.parts:
                yield path


def imports_inside_functions(path):
    """(line, module) for each import inside a function, other than in an AppConfig's ready()
    or marked `# cycle:`."""
    source = path.read_text()
    lines = source.splitlines()
    found = []

    def visit(node, function, in_class):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child, isinstance(node, ast.ClassDef))
            elif isinstance(child, ast.Import | ast.ImportFrom) and function is not None:
                if function.name == "ready" and in_class and path.name == "apps.py":
                    continue
                text = lines[child.lineno - 1 : child.end_lineno]
                if any("# cycle:" in line for line in text):
                    continue
                if isinstance(child, ast.ImportFrom):
                    module = "." * child.level + (child.module or "")
                else:
                    module = ", ".join(alias.name for alias in child.names)
                found.append((child.lineno, module))
            else:
                visit(child, function, in_class)

    visit(ast.parse(source), None, False)
    return found


def test_app_code_imports_at_module_level():
    inside = [
        f"{path.relative_to(ROOT)}:{line} {module}"
        for path in app_files()
        for line, module in imports_inside_functions(path)
    ]
    assert not inside, "Imports inside functions (move them to the top of the module):\n" + (
        "\n".join(inside)
    )


def test_an_import_inside_a_function_is_found(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "import json\n"
        "\n"
        "def page(request):\n"
        "    from caseload.models import Person\n"
        "    if request:\n"
        "        import csv\n"
        "    return Person\n"
        "\n"
        "class Thing:\n"
        "    def ready(self):\n"
        "        from mdt import timeline\n"
        "\n"
        "def lazy():\n"
        "    from referrals import models  # cycle: referrals.models imports this module\n"
    )
    # ready() is exempt only on an AppConfig, in apps.py.
    assert imports_inside_functions(module) == [(4, "caseload.models"), (6, "csv"), (11, "mdt")]
    apps = tmp_path / "apps.py"
    apps.write_text(module.read_text())
    assert imports_inside_functions(apps) == [(4, "caseload.models"), (6, "csv")]
