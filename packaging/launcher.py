"""Entry script of the PyInstaller bundle: the same ``main`` as the ``hessianlens`` command."""

import multiprocessing
import sys

from hessianlens.cli import main

if __name__ == "__main__":
    # The build worker's fork server (hessianlens.engine.build) starts a copy of this
    # executable; freeze_support() turns that copy into the server instead of the program.
    multiprocessing.freeze_support()
    sys.exit(main())
