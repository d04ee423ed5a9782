"""Practice data: a realistic, reproducible database (``tracker demo``)."""
