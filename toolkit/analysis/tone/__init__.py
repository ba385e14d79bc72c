"""Tone: `posts` scores customer posts (lexicon and VADER scorers), `adaptive` learns the user's own
corpus from its confident posts (opt-in), `brand_replies` analyses the tone of the brand's replies.
"""
