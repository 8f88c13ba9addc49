"""``python -m sitroom.cli``: the ``sitroom`` command."""
from . import main

main()
