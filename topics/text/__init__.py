"""From files to counts: read the corpus, clean it, split units, segment with the lexicon, vectorize."""
