"""asv suites for the preprocessing component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

PreprocessLiteralReplace = _suite("preprocess.literal_replace")
PreprocessLiteralReplacePyarrow = _suite("preprocess.literal_replace_pyarrow")
PreprocessPerRowReplace = _suite("preprocess.per_row_replace")
PreprocessPerRowReplacePyarrow = _suite("preprocess.per_row_replace_pyarrow")
