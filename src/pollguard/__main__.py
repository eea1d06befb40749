import sys

from pollguard.cli import main

sys.exit(main())
