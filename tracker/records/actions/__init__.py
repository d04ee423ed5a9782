"""Corrective actions on the handbook's ladder, with follow-ups until closed."""
