"""Pharmagen (Aderfi/Pharmagen) as a whole run: its `train_pipeline`, with each
change of the PR on that path a switch (claims.py). pipeline.py is the run."""
