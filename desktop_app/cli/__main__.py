"""``python -m desktop_app.cli``: the same as the ``listing-studio`` command."""

import sys

from desktop_app.cli.entry import main

sys.exit(main())
