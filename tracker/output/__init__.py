"""Rendering for files and terminals: tables, CSV, JSON, Markdown, the printed employee file."""
