"""sitroom's tests: tests/<package>/ mirrors sitroom/<package>/; cross-cutting suites are at the top."""
