"""The models the reports train, seeded and small enough for a CPU.

So far the tabular MLP of the training-system report (its "Tabular Model (Iris dataset, CPU)");
the fusion, image and pharmagen models join it with the AMP trainer.
"""
