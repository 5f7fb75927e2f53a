"""`python -m workplan.cli` runs the `workplan` command."""
from . import main

if __name__ == "__main__":  # not when a child process re-imports the main module
    main()
