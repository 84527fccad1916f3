"""The replacement rules data.py applies to genotype and drug strings."""

# Literal patterns: no regex metacharacters, so regex=True and regex=False
# must give the same output; only the speed may differ.
LITERAL_RULES = ((" / ", "/"), (" ", "_"), (",", ";"), ("-", "_"))

# The same plus a pattern that means something else as a regex ("." is any
# character): switching it to regex=False silently changes the output.
METACHARACTER_RULES = LITERAL_RULES + ((".", ""),)
