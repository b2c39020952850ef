"""The SQLite store: the database, the change log, evaluations, evidence, audit, backup."""
