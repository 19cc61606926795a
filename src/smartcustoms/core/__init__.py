"""Shared kernel: ids, clock, codes, pagination. No I/O, no framework imports."""
