"""Bridgework's PostgreSQL backend: Django's own (``django.db.backends.postgresql``), set in
``settings.DATABASES`` for every PostgreSQL database, with two differences (decision 0018).
See :mod:`bridgework.core.postgresql.base`."""
