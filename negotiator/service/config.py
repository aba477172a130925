"""Service configuration: embedded defaults, overridden by ``NEGOTIATOR_*`` environment variables.

Every value is read and checked once, when the app is created; a bad value
stops the start-up with a :class:`ConfigError` that names the variable.

API keys come from ``NEGOTIATOR_API_KEYS`` (``channel:key`` pairs separated
by commas) and/or ``NEGOTIATOR_API_KEYS_FILE`` (one ``channel key`` pair a
line, ``#`` comments allowed). With no keys at all the app refuses to start
unless development mode is switched on (``NEGOTIATOR_DEV=1``), in which case
the well-known development keys of :data:`DEV_KEYS` are used.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from negotiator.core.errors import ConfigError
from negotiator.wire.schemas import CHANNELS

#: The keys of development mode, printed by ``negotiator serve``; never use them in production.
DEV_KEYS = {"dev-agent-key": "agent", "dev-portal-key": "portal", "dev-batch-key": "batch",
            "dev-supervisor-key": "supervisor"}
MIN_KEY_LENGTH = 16
_RATE_RE = re.compile(r"^\s*\d+\s*(/|per)\s*(\d+\s*)?(second|minute|hour|day)s?\s*"
                      r"(;\s*\d+\s*(/|per)\s*(\d+\s*)?(second|minute|hour|day)s?\s*)*$")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Config:
    """Everything the service can be told. Field ``x`` is read from ``NEGOTIATOR_X``."""

    #: Raw key specification (``channel:key,...``); parsed into :attr:`keys`.
    api_keys: str = ""
    #: A file of ``channel key`` lines (for secrets mounted as files).
    api_keys_file: str = ""
    #: Development mode: no keys configured, the development keys accepted.
    dev: bool = False
    #: A folder of extra policy YAML files, besides the shipped presets.
    policy_dir: str = ""
    #: Largest request body accepted, in bytes (413 above it).
    max_body_bytes: int = 65536
    #: Deepest JSON nesting accepted (arrays and objects).
    max_json_depth: int = 16
    #: Rate limit of each portal key, moving windows ("" or "off" disables it).
    portal_rate_limit: str = "60/minute;10/second"
    #: Where the rate limit counts: ``redis://`` (shared by machines), ``sqlite:///file`` (by the workers of
    #: one machine), ``memory://`` (this process); "" = a file in the workers' shared folder, else memory.
    rate_limit_storage: str = ""
    #: Origins (comma separated) that browsers may call the API from, for portals.
    cors_origins: str = ""
    #: Python logging level of the service's loggers.
    log_level: str = "INFO"
    #: Folder shared by gunicorn workers to add up their metrics ("" = this process only).
    metrics_dir: str = ""
    #: Keep quotes, arrangements, payments and events (off: quotes only, nothing stored).
    store: bool = True
    #: SQLAlchemy URL of the store ("" = the embedded SQLite file in data_dir); postgresql+psycopg://... for PostgreSQL.
    database_url: str = ""
    #: Folder of the embedded SQLite store ("" = $XDG_DATA_HOME/negotiator or ~/.local/share/negotiator).
    data_dir: str = ""
    #: Signs portal invitations and the pages' CSRF tokens (32+ characters); "" = the portal is off
    #: (development mode keeps one in the data folder, `dev-secret-key`, mode 0600).
    secret_key: str = ""
    #: The header the lender's sign-on proxy sets to the agent's id; set, it switches the console on.
    console_agent_header: str = ""
    #: The sign-on proxy's addresses (comma-separated IPs or CIDRs): the console's header is honoured only from
    #: a request whose peer is one of them; required with NEGOTIATOR_CONSOLE_AGENT_HEADER.
    trusted_proxies: str = ""
    #: The console's OpenID Connect provider (its issuer URL, e.g. https://login.example.com/realms/collections);
    #: set, agents sign in there (Authlib) and the console is on. Exclusive with the sign-on header.
    console_oidc_issuer: str = ""
    #: The console's client at that provider.
    console_oidc_client_id: str = ""
    console_oidc_client_secret: str = ""
    #: How long a console sign-in lasts, in minutes; then the agent signs in again.
    console_session_minutes: int = 480
    #: The console's own address when it is served apart from the public pages (https://console.example.com);
    #: "" = NEGOTIATOR_PUBLIC_URL. The provider sends agents back to <it>/console/auth.
    console_url: str = ""
    #: Agents (their sign-on ids, comma-separated) who act as supervisors in the console: they see the queue of
    #: plans waiting for approval and approve or reject them (the rights table's ``decide`` row, supervisor).
    console_supervisors: str = ""
    #: The time zone the console shows times in (an IANA name such as Asia/Shanghai); "" = the server's.
    console_timezone: str = ""
    #: The portal's public address for invitation links (https://portal.example.com); "" = this request's host.
    public_url: str = ""
    #: How long an invitation is valid by default, in hours (a request may ask for less or more, up to 30 days).
    invitation_hours: int = 72
    #: Who the borrower's pages say they are from, and how to reach them: shown on every portal page (a page is
    #: never a dead end). The defaults are development placeholders; set the lender's own in production.
    lender_name: str = "Example Lending"
    #: The number a borrower calls, as people dial it (digits, spaces, + ( ) -).
    lender_phone: str = "0800 000 0000"
    #: When that number answers, written so every page language reads it ("Mon–Fri 08:00–20:00").
    lender_hours: str = "Mon–Fri 09:00–18:00"
    #: The same hours in Simplified and Traditional Chinese, for pages in that language ("周一至周五 9:00–18:00");
    #: "" = ``lender_hours``.
    lender_hours_zh_cn: str = ""
    lender_hours_zh_tw: str = ""
    #: The lender's help page (https://...).
    lender_url: str = "https://www.example.com/help"
    #: How far from today, in days, a date a caller gives may be (quotes' and reads' as_of; the review's too).
    as_of_days: int = 400
    #: Quotes never accepted are deleted this many days after they expired (the service runs it itself).
    quote_retention_days: int = 30
    #: At most this many quotes never accepted are kept per account (the newest).
    quotes_per_account: int = 100
    #: How long, in hours, an Idempotency-Key's answer is kept and replayed; after it the key is free again.
    idempotency_hours: int = 24
    #: Strict-Transport-Security max-age in seconds on every answer (RFC 6797); 0 = not sent. Set it only when
    #: the service is reached over HTTPS alone (a browser then refuses plain HTTP to the host for that long).
    hsts_seconds: int = 0
    keys: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> Config:
        """Read ``NEGOTIATOR_*`` variables over the defaults, then ``overrides`` over those."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            if f.name == "keys":
                continue
            var = f"NEGOTIATOR_{f.name.upper()}"
            if var in environ:
                values[f.name] = _coerce(var, environ[var], f.default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).checked()

    def checked(self) -> Config:
        """This configuration with keys parsed; raises :class:`ConfigError` naming the bad variable."""
        if self.max_body_bytes < 1024 or self.max_body_bytes > 16 * 1024 * 1024:
            raise ConfigError("NEGOTIATOR_MAX_BODY_BYTES", "must be between 1024 and 16777216")
        if not 2 <= self.max_json_depth <= 64:
            raise ConfigError("NEGOTIATOR_MAX_JSON_DEPTH", "must be between 2 and 64")
        if self.portal_rate_limit.strip().lower() not in ("", "off") and not _RATE_RE.match(self.portal_rate_limit):
            raise ConfigError("NEGOTIATOR_PORTAL_RATE_LIMIT",
                              f"not a rate limit like '60/minute' or '60/minute;10/second': {self.portal_rate_limit!r}")
        storage = self.rate_limit_storage
        if storage and not (storage == "memory://" or re.match(r"^sqlite:///\S+$", storage)
                            or re.match(r"^(redis|rediss|unix)://\S+$", storage)):
            raise ConfigError("NEGOTIATOR_RATE_LIMIT_STORAGE",
                              "must be redis://host:port/db, rediss://..., sqlite:///path/file.db or memory://")
        if not 0 <= self.hsts_seconds <= 63072000:
            raise ConfigError("NEGOTIATOR_HSTS_SECONDS", "must be between 0 (off) and 63072000 (two years)")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError("NEGOTIATOR_LOG_LEVEL", "must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        for origin in self.origins:
            if origin != "*" and not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$", origin):
                raise ConfigError("NEGOTIATOR_CORS_ORIGINS",
                                  f"not an origin like https://portal.example.com: {origin!r}")
        if self.policy_dir and not Path(self.policy_dir).is_dir():
            raise ConfigError("NEGOTIATOR_POLICY_DIR", f"not a folder: {self.policy_dir}")
        if self.database_url.strip():
            from negotiator.store.db import StoreError, resolve_url
            try:
                resolve_url(self.database_url)
            except StoreError as exc:
                raise ConfigError("NEGOTIATOR_DATABASE_URL", str(exc).partition(": ")[2]) from None
        if not 1 <= self.as_of_days <= 3650:
            raise ConfigError("NEGOTIATOR_AS_OF_DAYS", "must be between 1 and 3650")
        if not 0 <= self.quote_retention_days <= 3650:
            raise ConfigError("NEGOTIATOR_QUOTE_RETENTION_DAYS", "must be between 0 and 3650")
        if not 1 <= self.quotes_per_account <= 100000:
            raise ConfigError("NEGOTIATOR_QUOTES_PER_ACCOUNT", "must be between 1 and 100000")
        if not 1 <= self.idempotency_hours <= 8760:
            raise ConfigError("NEGOTIATOR_IDEMPOTENCY_HOURS", "must be between 1 and 8760 (a year)")
        _check_web(self)
        keys = dict(_parse_keys("NEGOTIATOR_API_KEYS", self.api_keys.replace(",", "\n"), sep=":"))
        if self.api_keys_file:
            try:
                text = Path(self.api_keys_file).read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError("NEGOTIATOR_API_KEYS_FILE",
                                  f"cannot read {self.api_keys_file}: {exc.strerror}") from None
            for key, channel in _parse_keys("NEGOTIATOR_API_KEYS_FILE", text, sep=None):
                keys[key] = channel
        if keys and self.dev:
            raise ConfigError("NEGOTIATOR_DEV", "development mode is for running without keys; "
                                                "unset it or unset NEGOTIATOR_API_KEYS(_FILE)")
        if not keys:
            if not self.dev:
                raise ConfigError("NEGOTIATOR_API_KEYS", "no API keys configured; set channel:key pairs, "
                                                         "or NEGOTIATOR_DEV=1 for development mode")
            keys = dict(DEV_KEYS)
        object.__setattr__(self, "keys", keys)
        return self

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def proxies(self) -> tuple:
        """The trusted proxies as networks (``ipaddress``); ConfigError naming the variable when one is bad."""
        import ipaddress
        out = []
        for item in (x.strip() for x in self.trusted_proxies.split(",")):
            if not item:
                continue
            try:
                out.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ConfigError("NEGOTIATOR_TRUSTED_PROXIES", f"not an address or CIDR: {item[:64]!r}") from None
        return tuple(out)

    @property
    def rate_limit_enabled(self) -> bool:
        return self.portal_rate_limit.strip().lower() not in ("", "off")

    def lender_hours_in(self, lang: str) -> str:
        """The lender's opening hours for a page in ``lang``: its own setting, else ``lender_hours``.

        >>> cfg = Config(lender_hours="Mon–Fri 9am–6pm", lender_hours_zh_cn="周一至周五 9:00–18:00")
        >>> cfg.lender_hours_in("zh-CN"), cfg.lender_hours_in("zh-TW"), cfg.lender_hours_in("en")
        ('周一至周五 9:00–18:00', 'Mon–Fri 9am–6pm', 'Mon–Fri 9am–6pm')
        """
        own = {"zh-CN": self.lender_hours_zh_cn, "zh-TW": self.lender_hours_zh_tw}.get(lang, "")
        return own or self.lender_hours


def _check_web(cfg: Config) -> None:
    """The pages' settings (console, portal); see :mod:`negotiator.web`."""
    if cfg.secret_key and (len(cfg.secret_key) < 32 or not re.fullmatch(r"[\x21-\x7e]+", cfg.secret_key)):
        raise ConfigError("NEGOTIATOR_SECRET_KEY", "must be at least 32 printable characters, no spaces")
    if cfg.console_agent_header:
        if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", cfg.console_agent_header):
            raise ConfigError("NEGOTIATOR_CONSOLE_AGENT_HEADER", "must be a header name like X-Forwarded-User")
        if not cfg.secret_key and not cfg.dev:
            raise ConfigError("NEGOTIATOR_SECRET_KEY", "the console (NEGOTIATOR_CONSOLE_AGENT_HEADER) needs a "
                                                       "secret key for its forms")
        if not cfg.proxies:
            raise ConfigError("NEGOTIATOR_TRUSTED_PROXIES",
                              f"the sign-on header {cfg.console_agent_header} is honoured only from the sign-on "
                              "proxy: list its addresses (IPs or CIDRs, comma separated, e.g. 10.0.0.5/32); any "
                              "client can send the header")
    if cfg.secret_key and not cfg.public_url and not cfg.dev:
        raise ConfigError("NEGOTIATOR_PUBLIC_URL", "the portal (NEGOTIATOR_SECRET_KEY) makes invitation links: set "
                                                   "the portal's public address (https://portal.example.com); they "
                                                   "are not made from a request's Host header")
    if cfg.console_oidc_issuer:
        if cfg.console_agent_header:
            raise ConfigError("NEGOTIATOR_CONSOLE_OIDC_ISSUER", "the console signs agents in one way: OpenID "
                                                                "Connect or the sign-on header, not both")
        if not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?$", cfg.console_oidc_issuer):
            raise ConfigError("NEGOTIATOR_CONSOLE_OIDC_ISSUER", "not an issuer URL like https://login.example.com")
        if not cfg.console_oidc_client_id or not cfg.console_oidc_client_secret:
            raise ConfigError("NEGOTIATOR_CONSOLE_OIDC_CLIENT_ID", "the console's client id and secret "
                                                                   "(NEGOTIATOR_CONSOLE_OIDC_CLIENT_SECRET) are needed")
        if not cfg.secret_key and not cfg.dev:
            raise ConfigError("NEGOTIATOR_SECRET_KEY", "the console's sign-in needs a secret key for its session")
        if not (cfg.console_url or cfg.public_url):
            raise ConfigError("NEGOTIATOR_CONSOLE_URL", "the provider sends agents back to the console's address: "
                                                        "set it (or NEGOTIATOR_PUBLIC_URL)")
    if not 5 <= cfg.console_session_minutes <= 1440:
        raise ConfigError("NEGOTIATOR_CONSOLE_SESSION_MINUTES", "must be between 5 and 1440")
    if cfg.console_url and not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$", cfg.console_url):
        raise ConfigError("NEGOTIATOR_CONSOLE_URL", f"not an address like https://console.example.com: "
                                                    f"{cfg.console_url!r}")
    if cfg.public_url and not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?$", cfg.public_url):
        raise ConfigError("NEGOTIATOR_PUBLIC_URL",
                          f"not an address like https://portal.example.com: {cfg.public_url!r}")
    if cfg.console_timezone:
        import zoneinfo
        try:
            zoneinfo.ZoneInfo(cfg.console_timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError("NEGOTIATOR_CONSOLE_TIMEZONE", f"not a time zone name like Asia/Shanghai: "
                                                             f"{cfg.console_timezone[:64]!r}") from None
    for agent in cfg.console_supervisors.split(","):
        if agent.strip() and not re.fullmatch(r"[A-Za-z0-9._:@-]{1,64}", agent.strip()):
            raise ConfigError("NEGOTIATOR_CONSOLE_SUPERVISORS", f"not an agent id: {agent.strip()[:64]!r}")
    if not cfg.lender_name.strip() or len(cfg.lender_name) > 120:
        raise ConfigError("NEGOTIATOR_LENDER_NAME", "must be the lender's name, 1 to 120 characters")
    if not re.fullmatch(r"\+?[0-9][0-9 ()\-]{1,28}[0-9]", cfg.lender_phone):
        raise ConfigError("NEGOTIATOR_LENDER_PHONE", "must be a number as people dial it: digits, spaces, + ( ) -")
    if not cfg.lender_hours.strip() or len(cfg.lender_hours) > 120:
        raise ConfigError("NEGOTIATOR_LENDER_HOURS", "must say when the number answers, 1 to 120 characters")
    for var, hours in (("NEGOTIATOR_LENDER_HOURS_ZH_CN", cfg.lender_hours_zh_cn),
                       ("NEGOTIATOR_LENDER_HOURS_ZH_TW", cfg.lender_hours_zh_tw)):
        if hours and (not hours.strip() or len(hours) > 120):
            raise ConfigError(var, "must say when the number answers, 1 to 120 characters (unset: "
                                   "NEGOTIATOR_LENDER_HOURS)")
    if not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/%?=&#-]*)?$", cfg.lender_url):
        raise ConfigError("NEGOTIATOR_LENDER_URL", f"not an address like https://www.example.com/help: "
                                                   f"{cfg.lender_url[:80]!r}")
    if not 1 <= cfg.invitation_hours <= 720:
        raise ConfigError("NEGOTIATOR_INVITATION_HOURS", "must be between 1 and 720 (30 days)")


def _coerce(var: str, raw: str, default):
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value not in _TRUE | _FALSE:
            raise ConfigError(var, f"must be 1/0, true/false, yes/no or on/off, not {raw!r}")
        return value in _TRUE
    if isinstance(default, int):
        try:
            return int(raw.strip())
        except ValueError:
            raise ConfigError(var, f"must be a whole number, not {raw!r}") from None
    return raw.strip()


def _parse_keys(var: str, text: str, sep: str | None):
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(sep, 1) if sep else line.split(None, 1)
        where = f"entry {number}" if sep else f"line {number}"
        if len(parts) != 2 or parts[0].strip() not in CHANNELS:
            # Never echo the entry: it may hold a key.
            raise ConfigError(var, f"{where} is not 'channel{sep or ' '}key' with channel one of {', '.join(CHANNELS)}")
        channel, key = parts[0].strip(), parts[1].strip()
        if len(key) < MIN_KEY_LENGTH or not re.fullmatch(r"[\x21-\x7e]+", key):
            raise ConfigError(var, f"{where}: keys must be at least {MIN_KEY_LENGTH} printable characters, no spaces")
        if key in DEV_KEYS:
            raise ConfigError(var, f"{where}: the development keys cannot be used outside development mode")
        if key in seen:
            raise ConfigError(var, f"{where}: the same key is listed twice")
        seen.add(key)
        yield key, channel
