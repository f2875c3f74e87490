"""Entry script of the PyInstaller bundle: the same ``main`` as the ``hessianlens`` command."""

import sys

from hessianlens.cli import main

if __name__ == "__main__":
    sys.exit(main())
