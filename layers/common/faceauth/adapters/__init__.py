"""Adapters: the only code that talks to AWS (or its local stand-ins)."""
