"""asv suites for the preprocessing component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

PreprocessLoadData = _suite("preprocess.load_data")
PreprocessLiteralReplaceWhatif = _suite("preprocess.literal_replace_whatif")
PreprocessLiteralReplacePyarrowWhatif = _suite("preprocess.literal_replace_pyarrow_whatif")
PreprocessPerRowReplaceWhatif = _suite("preprocess.per_row_replace_whatif")
PreprocessPerRowReplacePyarrowWhatif = _suite("preprocess.per_row_replace_pyarrow_whatif")
