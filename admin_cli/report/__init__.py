"""The monthly report: aggregation, disclosure control, and HTML, Markdown and JSON renderers.

Records are tallied one at a time (`figures.Tally`), then `publish.publish` applies the
disclosure control and returns the `Report` (`model`) that `render_html`, `render_md` and
`render_json` write, in the words of `wording` (the catalogs and the questionnaire).

Nothing is imported here: the auditor and the charts need the staff extras (numpy, scipy,
matplotlib), while `wording` must also load where they are absent, for `oclep-admin
questionnaire check`.
"""
