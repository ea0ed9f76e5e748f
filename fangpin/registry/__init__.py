"""Registry Django app: households, persons, membership history, finances, conditions."""
