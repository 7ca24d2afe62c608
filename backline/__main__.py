"""``python -m backline``."""

import sys

from .cli import main

sys.exit(main())
