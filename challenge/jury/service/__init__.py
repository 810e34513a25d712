"""The jury's writes, one module per feature: reviews, conflicts, assignments, reminders, shortlist."""
