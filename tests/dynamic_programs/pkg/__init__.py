"""A package: its train module uses relative imports, so it runs as `python -m pkg.train`."""
