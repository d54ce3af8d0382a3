"""The frozen program's entry: the same ``punchclock`` as ``pip install`` gives
(no command: the tray app; a command: the CLI). A file of its own so PyInstaller
puts the repository root, not ``desktop/``, on its search path."""

from desktop.cli import main

raise SystemExit(main())
