"""The ``inspector`` command: the product's second face, mirroring the library."""
