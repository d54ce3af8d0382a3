# Punchclock — the commands a newcomer needs.
#   make run         create .venv, install, start the tray app on the local SQLite store
#   make test        install everything tests need (Debian packages when root) and run them all
#   make bench       benchmarks (figures go to BENCHMARKS.md)
#   make screenshots offscreen screenshots of the tray app's windows (test-output/)
#   make lint        ruff, mypy and the layering contracts (import-linter)
#   make soak        the sync convergence state machine, long (500 examples x 50 steps)
#   make installer   Linux: PyInstaller bundle, .deb and portable .tar.gz in dist/

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Debian packages: a real X server, a tray host and input faking for the tray tests,
# the X libraries Qt's xcb plugin loads, PostgreSQL for the server suite, and for
# the installer: binutils (PyInstaller reads ELF files), desktop-file-utils, lintian;
# dbus and gnome-keyring: a real Secret Service for the keyring test of the sync client.
DEBIAN_PACKAGES := xvfb trayer xdotool x11-utils imagemagick libxss1 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
	libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxkbcommon0 \
	libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 timewarrior \
	postgresql binutils desktop-file-utils lintian dbus gnome-keyring openbox

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

.PHONY: run test lint unit soak bench screenshots sysdeps venv clean installer installer-test

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
	    $(PYTHON) -m venv $(VENV); \
	  else echo "python3 -m venv failed: install python3-venv" >&2; exit 1; fi; }
	@# evdev (pynput's Linux dependency, for the global shortcut) ships no wheel: it builds
	@# from source and needs a C compiler and the kernel's input headers.
	@if ! command -v gcc >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends gcc libc6-dev linux-libc-dev python3-dev >/dev/null; fi
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[server,test]'
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/punchclock

# Installs the Debian packages the tray and server suites need, when we may (root + apt);
# checking what is already there takes a moment, so it runs every time.
# Elsewhere those suites skip with a reason.
sysdeps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else echo "not root or no apt-get: tray and PostgreSQL suites may skip"; fi


lint: $(STAMP)
	$(BIN)/ruff check desktop sync tests
	$(BIN)/mypy desktop sync
	$(BIN)/lint-imports --no-cache

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/unit -q

test: $(STAMP) sysdeps lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider --timeout=600

# The convergence state machine of tests/sync/test_convergence.py with many more
# random runs than `make test` gives it (50 x 30); override SOAK_EXAMPLES / SOAK_STEPS.
SOAK_EXAMPLES ?= 500
SOAK_STEPS    ?= 50
soak: $(STAMP)
	PUNCHCLOCK_CONVERGENCE_EXAMPLES=$(SOAK_EXAMPLES) PUNCHCLOCK_CONVERGENCE_STEPS=$(SOAK_STEPS) \
	  QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/sync/test_convergence.py -q \
	  -p no:cacheprovider --timeout=0

# The peers the benchmarks compare against, for the benchmarks only (not project
# dependencies): Watson in a venv of its own; Timewarrior comes with sysdeps.
BENCH_VENV := build/bench-venv

$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q td-watson
	@touch $@

# Bytecode first: an installed package ships it, and a shell with
# PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run.
bench: $(STAMP) sysdeps $(BENCH_VENV)/.installed
	$(BIN)/python -m compileall -q desktop sync
	$(BIN)/python -m pytest tests/bench -q -p no:cacheprovider --benchmark-only --durations=15

# Offscreen shots of the tray app's windows into test-output/ (look at them after UI changes).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/screenshots.py

# The Linux installers (Windows and macOS: .github/workflows/installers.yml, same spec).
installer: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python resources/render_icons.py --app-icons build/icons >/dev/null
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
	  installer/punchclock.spec
	$(BIN)/python installer/linux/build_deb.py dist/punchclock build/icons dist
	tar -C dist -czf dist/punchclock-$(VERSION)-linux-$$(uname -m).tar.gz punchclock
	@ls -l dist/*.deb dist/*.tar.gz

# Builds, installs the .deb with apt, checks the installed app, removes it (root only;
# `make test` runs it too, and it skips with the reason elsewhere).
installer-test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -q -p no:cacheprovider --timeout=900 tests/tray/test_installed_package.py tests/unit/test_installer_files.py

clean:
	rm -rf $(VENV) build dist *.egg-info test-output
