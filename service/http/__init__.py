"""HTTP plumbing shared by every blueprint: errors, language, auth, guards."""
