"""The model training system (Harsh-6361/model_train) as a whole run: its
`scripts/train.py --model-type tabular`, with each change of PR #6 on that
path a switch (claims.py). pipeline.py is the run; the pieces it composes
(splits, callbacks, model_registry, trainer validation) are the components
whose own claims measure each change alone."""
