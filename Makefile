# Every target creates or refreshes .venv when pyproject.toml is newer than it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint run bot locales lock lock-check clean bench site-test-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Four workers on two cores: most tests wait on real bot processes, HTTP and databases.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 4

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The questionnaire in this terminal (development console, development key in data/).
run: $(STAMP)
	$(BIN)/oclep-bot console

# The real Telegram bot: needs OCLEP_TELEGRAM_TOKEN (environment or .env).
bot: $(STAMP)
	$(BIN)/oclep-bot run

# The bot server's pinned, hashed dependencies (the `postgres` extra included, no staff
# extras). `lock` keeps every pin that still fits pyproject.toml; `lock-check` fails when the
# file is not what `lock` would write.
LOCK := deploy/requirements.lock
LOCK_ARGS := pyproject.toml --extra postgres --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock" --quiet

lock: $(STAMP)
	$(BIN)/uv pip compile $(LOCK_ARGS) -o $(LOCK)

lock-check: $(STAMP)
	@tmp=$$(mktemp) && cp $(LOCK) $$tmp && $(BIN)/uv pip compile $(LOCK_ARGS) -o $$tmp \
		&& diff -u $(LOCK) $$tmp && rm -f $$tmp \
		|| { echo "$(LOCK) is out of date with pyproject.toml: run \`make lock\` and commit it."; exit 1; }

locales: $(STAMP)
	$(BIN)/python -m bot.i18n_tools extract-and-update

bench: $(STAMP)
	$(BIN)/python bench/storage.py
	$(BIN)/python bench/bot.py
	$(BIN)/python bench/pseudonyms.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/burst.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# axe-core (npm) for the public site's accessibility test; .ci/run calls this.
site-test-deps:
	npm ci --prefix tests/admin/site/browser --no-audit --no-fund
