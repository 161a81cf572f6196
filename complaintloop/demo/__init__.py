"""The demo operator (``manage.py seed_demo``): organisation, staff, customers, taxonomy,
processes and months of tickets, plus what the nightly jobs would have computed. It sits
above every other app because it fills all of them; nothing imports it."""
