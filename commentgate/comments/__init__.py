"""A comment's life: which status changes are allowed, and the one service that makes them.

Nothing outside this package writes a comment's status or text, or the decision,
event and audit rows that go with a change (see :class:`CommentLifecycle`).
"""
