"""The supervisors' terminal app (Textual)."""
