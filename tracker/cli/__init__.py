"""The ``tracker`` command line: thin commands over the record-keeping functions."""
