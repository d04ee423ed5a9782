"""Service-standards handbook and compliance tracker."""

__version__ = "0.1.0"
