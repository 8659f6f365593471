"""`python -m faceauth_client` runs the `faceauth` command line."""

from faceauth_client.cli import main

raise SystemExit(main())
