"""Rate limiting: how many requests a caller may make in a window (the port and its rules)."""
