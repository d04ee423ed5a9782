"""``tracker serve``: the terminal app in a browser, reachable only by whoever holds its secret address."""
