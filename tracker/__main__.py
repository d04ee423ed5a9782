"""Allow ``python -m tracker`` as well as the ``tracker`` console script."""

from tracker.entry import run

run()
