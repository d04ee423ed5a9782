"""Corrective actions: the list, one action's page and its forms."""
