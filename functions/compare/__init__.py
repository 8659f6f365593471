"""The compare Lambda: the v1 REST API behind API Gateway."""
