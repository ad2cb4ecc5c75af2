"""Small helpers the tests share: organisations with their areas of work, and the check that
a query seeks an index rather than scanning a table."""

from __future__ import annotations

from django.db import connection

from bridgework.actors.choices import OrgLevel
from bridgework.actors.models import Organisation, OrganisationArea, Theme
from bridgework.actors.reach import refresh_reach
from bridgework.core.tlp import TLP

__all__ = ["assert_seeks_index", "working_organisation"]


def working_organisation(name, sector, home, *areas, themes=(), tlp=TLP.GREEN) -> Organisation:
    """An organisation based at ``home`` and working there and in ``areas``, on ``themes``
    (slugs)."""
    org = Organisation.objects.create(
        name=name, sector=sector, level=OrgLevel.LOCAL, place=home, tlp=tlp
    )
    for place in {home, *areas}:
        OrganisationArea.objects.create(organisation=org, place=place)
    org.themes.set(Theme.objects.filter(slug__in=themes))
    refresh_reach([org.pk])  # written past the actions: the stored 3W roll-up follows here
    return org


def assert_seeks_index(queryset, table: str, column: str) -> None:
    """SQLite must SEARCH an index on ``column`` (never SCAN ``table``); PostgreSQL must be
    able to use an index on it."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "SEARCH" in plan and column in plan, plan
            assert f"SCAN {table}" not in plan, plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan and column in plan, plan


def declared_subclasses(base: type) -> list[type]:
    """Every subclass of ``base`` the modules declare (their pages and filters imported through
    the URLconf), by qualified name."""
    import bridgework.urls  # noqa: F401

    found, todo = [], list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        found.append(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))
