"""The API's response bodies, built from the core's read models (the core keeps no wire
shapes)."""
