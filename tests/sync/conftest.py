"""Fixtures of the sync client tests (helpers live in ``client_world``: a module
name of its own, since ``conftest`` is ambiguous next to tests/sync/server)."""

from __future__ import annotations

from client_world import memory_keyring, msp

__all__ = ["memory_keyring", "msp"]
