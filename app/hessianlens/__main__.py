import sys

from hessianlens.cli import main

sys.exit(main())
