"""Lab_Project (DvirSela/Lab_Project) as a whole run: its `pretrain_end_to_end.py`,
with each change of the PR on that path a switch (claims.py). pipeline.py is the
run; the pieces it composes (loggers, datasets, collators) are the components
whose own claims measure each change alone."""
