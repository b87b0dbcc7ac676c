"""The ``brand-audit`` command line: the one composition root (:mod:`.main` parses and dispatches; one module per command family)."""
