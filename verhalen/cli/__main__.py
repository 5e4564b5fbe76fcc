"""`python -m verhalen.cli`: what the server's child processes and the tests run."""

from . import main

main()
