"""The test database is copied from a migrated template (tests/db_template.py): it must hold
exactly what migrating from scratch gives, or every other test here tests the wrong schema."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.models import Page, Site


@pytest.mark.django_db
def test_every_migration_is_applied_to_the_test_database():
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(targets) == []


@pytest.mark.django_db
def test_data_created_by_migrations_is_present():
    assert Page.objects.filter(depth=1).exists()
    assert Site.objects.filter(is_default_site=True).exists()
