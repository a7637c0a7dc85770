"""Dataset tooling for the kit: the data root, a generated image set, the Pl@ntNet subset builder, tree checks,
the annotations CSV and a decoded-image cache. Run ``python -m data --help`` for the command line."""
