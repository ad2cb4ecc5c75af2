"""A module is one folder: the platform finds its pages, API, rules and menu by itself."""

import ast
from pathlib import Path

from django.urls import reverse

from bridgework.access.policy import declared_actions, default_rules
from bridgework.api import api
from bridgework.core.modules import module_parts, modules, navigation

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_MODULES = {"actors", "bodies", "plans", "funding", "knowledge", "participation", "response"}


def test_the_test_app_is_found_like_any_module():
    """tests.testapp is installed by one line (test_settings.INSTALLED_APPS) and nothing else
    names it: its pages, API routes and rules arrive on their own."""
    assert "tests.testapp" in [config.name for config in modules()]
    assert reverse("testapp:dossier_list") == "/test/dossiers/"
    paths = set(api.get_openapi_schema()["paths"])
    assert "/api/test/dossiers" in paths
    assert "testapp.dossier" in default_rules()["national_coordinator"]
    mentions = [
        path
        for path in (ROOT / "bridgework").rglob("*.py")
        if "testapp" in path.read_text() and path.name != "test_settings.py"
    ]
    assert mentions == []


def test_every_module_part_is_found():
    found = {config.label for config, _part in module_parts("policy")}
    assert {"places", "access", "actors", "bodies", "testapp"} <= found
    assert {"view_contacts", "export_personal", "erase"} <= set(declared_actions())
    labels = [entry.url_name for entry in navigation()]
    assert labels[0] == "home" and "bodies:my_actions" in labels
    assert [e.order for e in navigation()] == sorted(e.order for e in navigation())


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_access_layer_names_no_domain_module():
    for name in ("policy.py", "roles.py", "models.py"):
        imported = _imports(ROOT / "bridgework" / "access" / name)
        domain = {m for m in imported if m.split(".")[1:2] and m.split(".")[1] in DOMAIN_MODULES}
        assert not domain, f"access/{name} imports {domain}"
    source = (ROOT / "bridgework" / "access" / "policy.py").read_text()
    assert "actors." not in source and "bodies." not in source


def test_roles_import_no_model():
    imported = _imports(ROOT / "bridgework" / "access" / "roles.py")
    assert not any(m.endswith(".models") for m in imported)


def test_no_route_of_a_root_module_starts_with_another_module_s_prefix():
    """The URLconf tries modules under a prefix first (bridgework/urls.py): the order may
    change no answer, so no route of a module mounted at the root begins with a prefix."""
    from django.urls import URLResolver, get_resolver

    mounted = [
        pattern for pattern in get_resolver().url_patterns if isinstance(pattern, URLResolver)
    ]
    prefixes = {str(pattern.pattern) for pattern in mounted if str(pattern.pattern)}
    assert {"funding/", "plans/", "api/"} <= prefixes
    at_root = [pattern for pattern in mounted if not str(pattern.pattern)]
    assert at_root, "some modules are mounted at the root"
    for resolver in at_root:
        for route in resolver.url_patterns:
            assert not any(str(route.pattern).startswith(prefix) for prefix in prefixes), route
    order = [bool(str(pattern.pattern)) for pattern in mounted]
    assert order == sorted(order, reverse=True)  # every prefixed module before the root ones
