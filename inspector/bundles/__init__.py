"""USB sync bundles: the format, the signed container, gathering, export and import."""
