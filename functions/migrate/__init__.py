"""The migrate Lambda: applies the Alembic migrations from inside the VPC."""
