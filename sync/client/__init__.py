"""The sync client: :mod:`http` (requests), :mod:`credentials`
(keyring), :mod:`account` (login/logout, identity), :mod:`engine` (push/pull
over the outbox), :mod:`results` and :mod:`store` (what results and pulled
changes do to the local store), :mod:`attention` (the needs-attention list),
:mod:`status` (the status line) and :mod:`scheduler` (APScheduler). No Qt here:
the tray wraps the scheduler's result callback in a Qt signal."""
