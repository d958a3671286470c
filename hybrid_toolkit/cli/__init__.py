"""The ``hybrid-toolkit`` command line (tyro), generated from the registries."""
