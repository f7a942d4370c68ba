"""The run folder: ids and provenance, staging and locks, writing a run, reading it back, citing it."""
