"""Root pytest configuration: how nbval compares notebook outputs."""


def pytest_collectstart(collector):
    """Compare the text of notebook outputs; HTML renderings of the same tables and
    widget/JS payloads are redundant or volatile (images are never compared by nbval)."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript",
                                   "application/vnd.jupyter.widget-view+json")
