"""Reports on screen, and their export."""
