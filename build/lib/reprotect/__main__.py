import sys

from reprotect.cli import main

sys.exit(main())
