"""toolkit: private-by-default insight reports from a company's social-media data."""

__version__ = "0.1.0"
