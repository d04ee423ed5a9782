"""Employees: never deleted; deactivation is how someone leaves."""
