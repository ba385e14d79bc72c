"""`python -m toolkit.cli ...` runs the `toolkit` command."""

from toolkit.cli import main

main()
