"""A real server process whose push stops inside a batch, for the kill test.

    python stalling_server.py DATABASE_URL PORT MARKER_FILE STALL_AT

Serves the API like ``punchclock-server serve``; when it reaches the
STALL_AT-th mutation it is pushed (counting from 1 across requests; earlier
mutations of that batch already applied in the open transaction) it writes
MARKER_FILE and waits there until it is killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import uvicorn

from sync.server.app import create_app


def main() -> None:
    url, port, marker, stall = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])

    seen = 0

    def fault(m: Any) -> None:
        nonlocal seen
        seen += 1
        if seen == stall:
            marker.write_text(str(m.seq))
            while True:
                time.sleep(1)

    uvicorn.run(create_app(url, fault=fault), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
