import numpy as np
import pandas as pd

from toolkit.report.tables import column_label, percent, readable, to_html, use_readable_tables


def topic_table():
    return pd.DataFrame(
        {
            "topic_label": ["cloud outage", "plug pairing", "rare topic"],
            "n_posts": [755.0, 1234.0, np.nan],
            "n_authors": [377.0, 900.0, np.nan],
            "share_negative": [0.6789, 0.004, np.nan],
            "keywords": [["cloud", "house", "app"], ["plug", "pairing"], ["x"]],
            "first_day": pd.to_datetime(
                ["2026-10-14 00:00", "2026-10-15 13:00", None], format="%Y-%m-%d %H:%M"
            ),
            "suppressed": [False, False, True],
        }
    )


def test_cells_read_as_words_and_numbers():
    out = readable(topic_table(), k=10)
    assert list(out.columns) == [
        "Topic",
        "Posts",
        "Authors",
        "Share negative",
        "Keywords",
        "First day",
    ]
    assert out["Posts"].tolist() == ["755", "1,234", "fewer than 10"]
    assert out["Share negative"].tolist()[:2] == ["68%", "0.4%"]
    assert out["Keywords"].iloc[0] == "cloud, house, app"
    assert out["First day"].tolist()[:2] == ["2026-10-14", "2026-10-15 13:00"]
    text = out.to_string()
    assert "nan" not in text and "[" not in text and ".0" not in text


def test_html_has_no_index_and_scrolls_in_its_box():
    page = to_html(pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"])), k=10)
    assert (
        page.startswith('<div class="toolkit-table">') and ">x<" in page
    )  # a real index is kept as a column
    named = to_html(pd.DataFrame({"a": [1, 2]}, index=pd.Index([5, 6], name="topic")))
    assert ">Topic<" in named and ">5<" in named
    sorted_rows = pd.DataFrame(
        {"label": ["b", "a"], "a": [7, 8]}, index=[12, 3]
    )  # row numbers after a sort
    assert ">12<" not in to_html(sorted_rows) and ">Index<" not in to_html(sorted_rows)
    plain = to_html(pd.DataFrame({"n_posts": [1, 2]}))
    assert "<th" in plain and ">0<" not in plain
    assert "&lt;script&gt;" in to_html(pd.DataFrame({"text": ["<script>x</script>"]}))


def test_per_post_rates_read_as_percentages():
    table = pd.DataFrame(
        {
            "n_posts": [5, 7],
            "median_engagement_rate_followers": [0.0072, 0.00004],
            "median_virality": [0.02, None],
        }
    )
    out = readable(table)
    assert out["Median engagement rate followers"].tolist() == ["0.7%", "<0.1%"]
    assert out["Median virality"].tolist() == ["2%", "–"]


def test_post_counts_under_short_names_are_integers():
    table = pd.DataFrame(
        {"language": ["es"], "posts": [70.0], "recent": [27.0], "previous": [700.0]}
    )
    assert readable(table).iloc[0].tolist() == ["es", "70", "27", "700"]


def test_labels_and_percent_precision():
    assert column_label("median_response_hours") == "Median response (h)"
    assert column_label("uptake_posts_per_day") == "Uptake posts per day"
    assert percent(0) == "0%" and percent(0.25) == "25%" and percent(0.004) == "0.4%"
    assert percent(0.004, 500) == "<1%" and percent(0.0004) == "<0.1%" and percent(None) == "n/a"


def test_notebook_displays_use_the_renderer():
    class Formatter:
        def for_type(self, kind, func):
            self.kind, self.func = kind, func

    class Shell:
        display_formatter = type("F", (), {"formatters": {"text/html": Formatter()}})()

    shell = Shell()
    use_readable_tables(10, shell=shell)
    fmt = shell.display_formatter.formatters["text/html"]
    assert fmt.kind is pd.DataFrame and "fewer than 10" in fmt.func(topic_table())
