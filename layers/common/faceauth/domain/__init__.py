"""Selfie-login rules, free of AWS, HTTP and SQL."""
