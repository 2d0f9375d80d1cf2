"""Demo data for ``python manage.py seed_demo``: generated names and the two demo schools."""
