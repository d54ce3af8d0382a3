"""The frozen program's entry: the same ``punchclock`` as ``pip install`` gives
(no command: the tray app; a command: the CLI). A file of its own so PyInstaller
puts the repository root, not ``desktop/``, on its search path."""

import sys

# The bundle is read-only (/opt, Program Files): Alembic's migration scripts are
# compiled in memory, never into __pycache__ folders inside it.
sys.dont_write_bytecode = True

from desktop.cli import main  # noqa: E402

raise SystemExit(main())
