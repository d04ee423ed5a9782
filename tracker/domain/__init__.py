"""Pure-Python rules of the tracker: no SQL, no Textual, no I/O beyond reading the handbook."""
