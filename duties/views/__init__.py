"""Pages of the duty engine, one module per subject: the notification centre, the school's duties page."""
