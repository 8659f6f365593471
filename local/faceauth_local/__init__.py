"""The local stack: the compare Lambda behind a small HTTP server, with SQLite or MySQL,
moto's S3 in-process and the offline face engine. No AWS account needed."""
