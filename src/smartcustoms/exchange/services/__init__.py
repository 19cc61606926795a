"""Use cases of the exchange feature, one module per concern (see the package docstring)."""
