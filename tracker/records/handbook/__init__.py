"""Published handbook versions: the exact text every sign-off refers to."""
