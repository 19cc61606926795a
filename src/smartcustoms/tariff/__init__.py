"""Tariff schedules per economy: duty rates by HS prefix and rate type, VAT/GST, de minimis.

Kept apart from ``reference`` (which holds the international nomenclatures) because a schedule
is national law that changes often and is maintained by each administration.
"""
