"""The one place where Cunfa's configuration lives.

Every process (the API, the action server, the CLI, the supervisor) reads the same
``Settings`` from ``CUNFA_*`` environment variables (and an optional ``.env`` file), so the
CLI and the running service can never disagree about where the data directory, the
database or the Rasa server are. pydantic v1 is used because Rasa 3.6 pins pydantic < 1.10.10.
"""

from __future__ import annotations

import functools
import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseSettings, Field, validator

#: The checkout this package was imported from (editable install); default paths hang off it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


class Settings(BaseSettings):
    """Typed settings; each field is read from ``CUNFA_<FIELD NAME IN CAPITALS>``."""

    env: Literal["development", "test", "production"] = "development"
    host: str = Field("127.0.0.1", description="Interface the API listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port of the public API.")
    data_dir: Path = Field(
        PROJECT_ROOT / ".data",
        description="Database, knowledge indexes and trained models live here (git-ignored by default).",
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL of the case store; empty means a SQLite file in data_dir."
    )
    laws_dir: Path = Field(_SHARED_DATA / "laws", description="Markdown statutes to ingest.")
    faq_file: Path = Field(_SHARED_DATA / "lecoqa" / "train.json", description="Legal FAQ (LeCoQA JSON).")
    guides_dir: Path = Field(
        PROJECT_ROOT / "data" / "guides", description="Matter guides (办事指南), one reviewed YAML file per matter."
    )
    village_topics_file: Path = Field(
        PROJECT_ROOT / "data" / "bank" / "villages" / "topics.jsonl",
        description="Questions residents ask about the topics village rules share (knowledge/bank.py).",
    )
    bank_dir: Path = Field(
        PROJECT_ROOT / "data" / "bank" / "laws",
        description="The villagers' question bank for the statutes (knowledge/bank.py), one JSONL file per law.",
    )
    encoder: str = Field(
        "",
        description="sentence-transformers model name or path for dense retrieval; empty = the encoder "
        "Cunfa trains itself from the shared data; 'none' = BM25 only.",
    )

    rasa_port: int = Field(5005, ge=1, le=65535)
    action_port: int = Field(5055, ge=1, le=65535)
    rasa_url: str = Field(
        "",
        description="Base URL of the Rasa server, or several separated by commas (the gateway spreads turns over "
        "them); empty = 127.0.0.1:rasa_port (+1, +2… with replicas).",
    )
    action_url: str = Field(
        "",
        description="Base URL of the action server, or several separated by commas (Rasa server i uses the i-th); "
        "empty = 127.0.0.1:action_port (+1, +2… with replicas).",
    )
    replicas: int = Field(
        1,
        ge=1,
        le=8,
        description="Rasa servers and action servers `cunfa run` starts on this machine, on consecutive ports. "
        "More than one needs a shared lock store (CUNFA_LOCK_STORE_URL) and, outside tests, PostgreSQL.",
    )
    rasa_token: str = Field(
        "", description="Token for Rasa's HTTP API; empty means the supervisor makes a fresh one per start."
    )
    admin_token: str = Field("", description="Bearer token for admin endpoints (village rules); empty disables them.")
    secret_key: str = Field(
        "",
        description="Signs staff access tokens; empty = a random key created once in <data_dir>/secret_key "
        "(development and single-machine use). Must be set, and not 'changethis', in production.",
    )
    data_keys: str = Field(
        "",
        description="Fernet keys that encrypt residents' personal data at rest, comma-separated, the newest first; "
        "empty = one key created once in <data_dir>/data_keys (development and single-machine use). "
        "Must be set in production; rotate with `cunfa keys rotate` (docs/privacy.md).",
    )
    notify_webhook_url: str = Field(
        "",
        description="Case notifications (new, assigned, overdue, emergency) are POSTed here as JSON; empty = they "
        "wait in the outbox until one is configured. Channels per village, township and role (WeCom, DingTalk, "
        "WeChat template messages, signed webhooks) are set with `cunfa notify add` (docs/notifications.md).",
    )
    notify_webhook_secret: str = Field(
        "",
        description="When set, notifications to CUNFA_NOTIFY_WEBHOOK_URL carry X-Cunfa-Signature "
        "(HMAC-SHA256 of the body with this secret) and X-Cunfa-Timestamp; empty = unsigned, as before.",
    )
    notify_wechat_template_id: str = Field(
        "",
        description="Template (模板消息) the official account sends staff notifications with, for channels of kind "
        "wechat_template; uses CUNFA_WECHAT_APP_ID and CUNFA_WECHAT_APP_SECRET.",
    )
    notify_wechat_template_fields: str = Field(
        "first,keyword1,keyword2,keyword3,remark",
        description="The template's five data fields, in this order: title, case number, matter (type and risk), "
        "first-contact deadline, note (village and summary); e.g. 'thing1,character_string2,thing3,time4,thing5'.",
    )
    notify_console_url: str = Field(
        "", description="Staff console address put in notifications as a link (e.g. https://cunfa.example.org/console)."
    )
    lock_store_url: str = Field(
        "",
        description="redis://host:port/db for Rasa's lock store, needed when several Rasa servers share the "
        "tracker store; empty = in-memory locks (one Rasa server).",
    )
    retention_conversation_days: int = Field(
        30, ge=1, le=3650, description="How long a conversation that filed no case is kept (named in the notice)."
    )
    retention_closed_case_days: int = Field(
        1095, ge=30, le=36500, description="How long a closed case keeps its personal data (named in the notice)."
    )
    emergency_contacts: str = Field(
        "",
        description="Local emergency contacts named in every emergency reply after 110/120, "
        "e.g. '镇派出所 0371-12345678；村治保主任 13800000000'.",
    )
    rasa_timeout_s: float = Field(
        15.0, gt=0, description="How long the gateway waits for one Rasa turn before answering on its own."
    )
    wechat_token: str = Field(
        "", description="Token set in the WeChat official account console; empty disables /wechat."
    )
    wechat_app_id: str = Field(
        "", description="AppID of the official account (needed for safe mode and the customer-service API)."
    )
    wechat_app_secret: str = Field(
        "", description="AppSecret, for the access token of the customer-service message API."
    )
    wechat_encoding_aes_key: str = Field(
        "", description="EncodingAESKey (43 characters); when set, /wechat runs in safe (AES) mode."
    )
    wechat_reply_budget_s: float = Field(
        4.0, gt=0, lt=5, description="How long /wechat waits for the answer before a holding reply (WeChat allows 5 s)."
    )
    wechat_max_clock_skew_s: int = Field(
        300, gt=0, description="A callback whose timestamp is further than this from now is a replay: 403."
    )
    kiosk_village_id: str = Field("", description="Village the /kiosk page serves; empty = no village rules cited.")
    kiosk_idle_reset_s: int = Field(120, ge=10, description="The kiosk clears the conversation after this idle time.")
    max_message_chars: int = Field(
        1000, ge=50, description="Longer resident messages are cut to this length (the reply says so)."
    )
    max_body_bytes: int = Field(256_000, ge=1024, description="Requests with a larger body are refused with 413.")
    rate_limit_per_ip: int = Field(120, ge=1, description="Public endpoint requests allowed per IP per minute.")
    rate_limit_per_user: int = Field(30, ge=1, description="Chat turns allowed per resident (user_id) per minute.")
    log_level: str = "INFO"

    class Config:
        env_prefix = "CUNFA_"
        env_file = ".env"

    @validator("data_dir", "laws_dir", "faq_file", "guides_dir", "bank_dir", "village_topics_file", pre=False)
    def _absolute(cls, value: Path) -> Path:  # pydantic validator signature
        # Child processes run with other working directories; relative paths would drift.
        return value.expanduser().resolve()

    @validator("secret_key")
    def _real_secret(cls, value: str, values: dict) -> str:
        if values.get("env") == "production" and (not value or value == "changethis" or len(value) < 32):
            raise ValueError("CUNFA_SECRET_KEY must be set to a random string of at least 32 characters in production")
        return value

    @validator("data_keys")
    def _real_data_keys(cls, value: str, values: dict) -> str:
        if values.get("env") == "production" and not value.strip():
            raise ValueError("CUNFA_DATA_KEYS must be set in production (cunfa keys new prints a fresh key)")
        return value

    @validator("wechat_encoding_aes_key")
    def _aes_key(cls, value: str, values: dict) -> str:
        # Caught at start-up, not as a 503 on the first message from a resident.
        if value and len(value) != 43:
            raise ValueError("CUNFA_WECHAT_ENCODING_AES_KEY must be the 43-character EncodingAESKey from the console")
        if value and not values.get("wechat_app_id"):
            raise ValueError("safe mode (CUNFA_WECHAT_ENCODING_AES_KEY) needs CUNFA_WECHAT_APP_ID as well")
        return value

    @validator("rasa_url", "action_url")
    def _strip_slash(cls, value: str) -> str:
        return ",".join(part.strip().rstrip("/") for part in value.split(",") if part.strip())

    @validator("lock_store_url", always=True)
    def _shared_locks(cls, value: str, values: dict) -> str:
        # Without a shared lock, two Rasa servers could run turns of one conversation at once
        # and each save a tracker that misses the other's events.
        if values.get("replicas", 1) > 1 and not value:
            raise ValueError("CUNFA_REPLICAS > 1 needs CUNFA_LOCK_STORE_URL=redis://… so the Rasa servers share locks")
        return value

    @property
    def database(self) -> str:
        """The effective case-store URL."""
        return self.database_url or f"sqlite:///{self.data_dir / 'cunfa.db'}"

    @property
    def rasa_base_urls(self) -> list[str]:
        """Every Rasa server the gateway may send a turn to."""
        if self.rasa_url:
            return self.rasa_url.split(",")
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.replicas)]

    @property
    def action_base_urls(self) -> list[str]:
        """Every action server; Rasa server i calls the i-th (wrapping round when there are fewer)."""
        if self.action_url:
            return self.action_url.split(",")
        return [f"http://127.0.0.1:{self.action_port + i}" for i in range(self.replicas)]

    @property
    def action_base_url(self) -> str:
        return self.action_base_urls[0]

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def villages_dir(self) -> Path:
        return self.data_dir / "villages"

    @property
    def encoders_dir(self) -> Path:
        return self.data_dir / "encoders"

    def child_environment(self) -> dict[str, str]:
        """The ``CUNFA_*`` variables that make a child process see exactly these settings."""
        env = {}
        for name, value in self.dict().items():
            env[f"CUNFA_{name.upper()}"] = str(value)
        return env

    def with_token(self) -> Settings:
        """A copy that carries a Rasa token, minting one if none was configured."""
        if self.rasa_token:
            return self
        return self.copy(update={"rasa_token": secrets.token_urlsafe(24)})


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process, read once; tests call ``get_settings.cache_clear()``."""
    return Settings()
