"""The server's schema and database access."""
