"""The local stack behind `make run`: the compare Lambda's handler behind gunicorn workers
(one request at a time each, like Lambda containers), with SQLite or MySQL, versitygw's S3
on disk (or any S3 endpoint) and the offline face engine. No AWS account needed.
docs/local-stack.md says how and why."""
