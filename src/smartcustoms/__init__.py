"""SmartCustoms: an open platform for customs administrations."""

__version__ = "0.1.0"
