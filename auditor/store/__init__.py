"""The audit store: one SQLite file with every run, its evidence snapshot, findings, mutes and accepted baselines; its schema and upgrade steps."""
