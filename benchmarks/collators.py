"""asv suites for the multimodal collator (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

CollatorImageLru = _suite("collator.image_lru")
CollatorImageLruPopular = _suite("collator.image_lru_popular")
CollatorImageLruCaptionsGrouped = _suite("collator.image_lru_captions_grouped")
CollatorImageLruCaptionsShuffled = _suite("collator.image_lru_captions_shuffled")
CollatorImageLruInplaceTransform = _suite("collator.image_lru_inplace_transform")
CollatorPathImport = _suite("collator.path_import")
CollatorImageLruCodebase = _suite("collator.image_lru_codebase")
