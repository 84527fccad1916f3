"""The replacement rules data.py applies to genotype and drug strings."""

# Literal patterns: no regex metacharacters, so regex=True and regex=False
# must give the same output; only the speed may differ.
LITERAL_RULES = ((" / ", "/"), (" ", "_"), (",", ";"), ("-", "_"))

# Renaming rules as a curation table holds them: each pattern is a gene or
# allele name the data really contains, and each holds a regex metacharacter.
# As a regex, "BRCA1.2" also matches "BRCA1/2" (the two-gene panel, another
# thing), "variant*3" matches "variant3" but never the literal "variant*3",
# and "CYP2D6(*4)" does not compile ("nothing to repeat"). regex=False reads
# all three literally: the switch changes which rows are rewritten.
NAME_RULES = (("BRCA1.2", "BRCA1_2"), ("variant*3", "variant_3"), ("CYP2D6(*4)", "CYP2D6_4"))
