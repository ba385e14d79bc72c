"""The personal-data detector: `analyzer.Detector` runs the recognisers (one concern per module
here, pattern recognisers under `recognizers/`) and the NER layer (`ner`), and merges their spans.
"""
