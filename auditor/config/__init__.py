"""The YAML config: its schema (:mod:`.schema`) and loading, secret references and conversion to the estate (:mod:`.loading`)."""
