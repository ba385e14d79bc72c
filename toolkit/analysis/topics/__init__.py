"""Topics of customer posts, BERTopic-style: what a notebook or the pipeline calls.

Modules: `prepare` (which posts, cleaned how), `embeddings`, `clustering` (reduction and
clustering parts), `representation` (keywords and labels), `settings` (a model's parameters
and the parts built from them), `model` (`TopicModel`), `storage` (saved models), `tables`
(the report's tables).
"""

from toolkit.analysis.topics.model import TopicModel
from toolkit.analysis.topics.prepare import prepare_for_topics, thread_context, topic_corpus
from toolkit.analysis.topics.tables import (
    topic_examples,
    topic_findings,
    topic_table,
    topics_over_time,
    topics_per_campaign,
    topics_per_platform,
)

__all__ = [
    "TopicModel",
    "prepare_for_topics",
    "thread_context",
    "topic_corpus",
    "topic_examples",
    "topic_findings",
    "topic_table",
    "topics_over_time",
    "topics_per_campaign",
    "topics_per_platform",
]
