"""The report layer: from analysis tables to the published HTML site.

- `build`        builds a report: ingest, run the notebooks (papermill), render the pages, gate
                 every artifact for personal data, then swap the finished report into place
- `session`      what a notebook starts with: config, posts, and where figures, tables and
                 recorded findings go
- `site`         executed notebooks -> offline HTML pages (navigation, footer, alt text)
- `brief`        the one-page brief from the recorded findings; its rules in `brief_rules`
- `figures/`     matplotlib charts (`figures.charts`) and the words beside them (`figures.captions`)
- `interactive`  Plotly charts drawn from published tables
- `tables`       how a table reads on a page (`to_html`)
- `style`        one colour per platform and per sentiment; the matplotlib style

Nothing is imported here: `from toolkit.report import build` loads only what it needs.
"""
