# One command checks everything, the same one CI runs: `make check`.
.PHONY: check fmt lint test

check: lint test

fmt:
	ruff format .
	ruff check --fix .

lint:
	ruff format --check .
	ruff check .

test:
	python -m pytest
