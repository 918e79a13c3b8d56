"""The public evidence site: a static, bilingual site built from the release ledger only."""
