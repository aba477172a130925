"""The gunicorn side of the service: its logger (JSON lines, like the app's).

``negotiator/gunicorn_conf.py`` names these classes; nothing here is used
when the app runs under another WSGI server.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from .logs import JsonFormatter


class JsonLogger(Logger):
    """gunicorn's error log as JSON lines, exception messages withheld (they can quote a request)."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
