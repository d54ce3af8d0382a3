"""Adapters to the operating system: seconds since last input, start at login,
one instance per user session, and the crash handler."""
