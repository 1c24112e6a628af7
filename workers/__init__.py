"""Background work on RQ: scoring comments, sweeping up lost jobs. Never imports Flask."""
