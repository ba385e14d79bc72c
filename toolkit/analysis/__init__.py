"""The analyses of one report's posts: `sql` (the DuckDB queries), `engagement`, `attentiveness`
(brand response), `campaigns`, `trends` (volume and spikes), `scope`, `compare` (period over
period), `tone/` (tone of posts and of brand replies) and `topics/` (BERTopic-style topics).
Shared post selections live in `posts`. Orchestration is in toolkit.pipeline, not here.
"""
