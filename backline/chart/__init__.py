"""The chart language: reading, checking and formatting charts."""
