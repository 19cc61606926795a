"""Economies (tenants: one customs administration each), users, roles and credentials."""
