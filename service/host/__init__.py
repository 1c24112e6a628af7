"""What a host site's backend reads: approved comments, counts, and the events feed."""
