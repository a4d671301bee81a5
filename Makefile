PYTHON ?= python3

.PHONY: fixtures

# Reference fixtures for the estimator tests (numpy/scipy/scikit-learn/dse-dsmi).
fixtures:
	$(PYTHON) Scripts/reference/make_fixtures.py
