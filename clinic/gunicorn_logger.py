"""gunicorn's own logs as JSON lines, and link tokens out of its access log.

deploy/gunicorn.conf.py names this class (`logger_class`). The request line, the path,
the referrer and the raw URI have their token replaced by `<token>` (clinic.log_redaction)
before the access log format is applied, whatever the format asks for.
"""

from gunicorn.glogging import Logger

from clinic.log_redaction import redact_link_tokens
from clinic.logs import JsonLinesFormatter

REDACTED_ATOMS = ("U", "f", "{raw_uri}e", "{path_info}e", "{http_referer}e", "{referer}i")


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonLinesFormatter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        method, _, rest = atoms["r"].partition(" ")
        target, _, protocol = rest.rpartition(" ")
        atoms["r"] = f"{method} {redact_link_tokens(target)} {protocol}"
        for name in REDACTED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_link_tokens(atoms[name])
        return atoms

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        response_headers = {name.lower(): value for name, value in resp.headers}
        self.access_log.info(
            self.cfg.access_log_format,
            self.atoms_wrapper_class(atoms),
            extra={
                "method": atoms["m"],
                "path": atoms["U"],
                "status": int(atoms["s"]),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "request_id": response_headers.get("x-request-id"),
            },
        )
