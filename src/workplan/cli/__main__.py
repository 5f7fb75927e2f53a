"""`python -m workplan.cli` runs the `workplan` command."""
from . import main

main()
