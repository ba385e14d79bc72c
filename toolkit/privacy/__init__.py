"""Personal data: find it, pseudonymise it, keep it out of what is published.

`pseudonymise` (keyed handles, applied at ingest), `detect/` (the detector: one recogniser per
file, Presidio-style, plus the NER layer), `quoting` (redacted quotes under the quote policy),
`disclosure` (the one small-group suppression policy of every published table), `exposure` (the
privacy-risk tables) and `gate/` (the last check over a built report). Nothing here imports
ingest/ or anything above it, so ingest can pseudonymise as it reads.
"""
