"""Alembic migrations of the storage schema (shipped as package data)."""
