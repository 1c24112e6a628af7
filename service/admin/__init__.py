"""Administration: sites, API keys and the audit log."""
