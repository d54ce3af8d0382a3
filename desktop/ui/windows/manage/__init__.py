"""The Manage window: customers, projects and tasks."""
