"""The web site over the archive (``workplan serve``): search, read, verify, download, compile.

A front end like the CLI: it imports the core (archive, search, compile) and nothing imports
it. Every page has a JSON twin returning what the CLI's ``--json`` prints.

    from workplan.web import create_app
    app = create_app("archive", token=None)   # a Flask app; serve it with waitress
"""
from .app import create_app

__all__ = ["create_app"]
