"""Domain packages write intents and never import Celery or automation (ARCHITECTURE §Jobs)."""

from __future__ import annotations

import ast
from pathlib import Path

import comptoir

PACKAGE = Path(comptoir.__file__).parent
# The layers above the domains: they may wire automation in.
ADAPTERS = {"automation", "schema", "resolvers", "observability", "app.py", "cli.py", "websocket.py"}
FORBIDDEN = ("celery", "comptoir.automation")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def domain_modules() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py"))
            if path.relative_to(PACKAGE).parts[0] not in ADAPTERS]


def test_no_domain_module_imports_celery_or_automation():
    offenders = {str(path.relative_to(PACKAGE)): sorted(name for name in _imports(path)
                                                        if name.startswith(FORBIDDEN))
                 for path in domain_modules()}
    assert {module: names for module, names in offenders.items() if names} == {}


def test_the_check_sees_the_domain_packages():
    packages = {path.relative_to(PACKAGE).parts[0] for path in domain_modules()}
    assert {"hosting", "messaging", "tenancy", "panel", "provisioning", "database"} <= packages
