"""The purge Lambda: deletes captured images past their retention, run daily by a schedule."""
