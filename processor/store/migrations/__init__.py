"""Alembic's script directory: ``env.py`` and ``versions/``, run by :func:`processor.store.database.migrate`."""
