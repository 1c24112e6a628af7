"""Moderation: moderators review comments and decide their fate."""
