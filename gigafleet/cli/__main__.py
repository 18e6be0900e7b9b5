"""``python -m gigafleet.cli``: the same as the ``gigafleet`` command."""

from gigafleet.cli import main

main()
