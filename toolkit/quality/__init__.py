"""How good and how fast: `evaluation/` scores the analyses on labelled data (`toolkit eval`),
`benchmarks/` times them against baselines (`make bench`) and writes the README's figure tables.
"""
