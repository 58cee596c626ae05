# 판로지원 CRM — `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install install-dev translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# A development secret key, made once and kept out of git.
instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@
	@echo "instance/config.py: new development SECRET_KEY"

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy --statistics -d translations

# Re-extract the Korean source strings and merge them into the English catalog.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract --ignore-dirs ".*" -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

run: $(VENV)/.installed instance/config.py translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo "http://127.0.0.1:$(PORT) 에서 실행합니다. 끝내려면 Ctrl+C."
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed-dev translations
	$(BIN)/ruff check crm tests migrations wsgi.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
