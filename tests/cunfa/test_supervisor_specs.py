"""What `cunfa run` starts: one action server and one Rasa server per replica, then the API."""

from __future__ import annotations

from pathlib import Path

from cunfa.settings import Settings
from cunfa.supervisor import child_specs


def _port(argv: list[str]) -> int:
    return int(argv[argv.index("--port") + 1])


def test_two_replicas_pair_each_rasa_with_its_own_action_server(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, replicas=2, lock_store_url="redis://127.0.0.1:6379/3", rasa_token="t")
    children = {c.name: c for c in child_specs(settings, tmp_path / "bot.tar.gz")}
    assert set(children) == {"actions", "rasa", "actions-2", "rasa-2", "api"}
    assert (_port(children["rasa"].argv), _port(children["rasa-2"].argv)) == (5005, 5006)
    assert (_port(children["actions"].argv), _port(children["actions-2"].argv)) == (5055, 5056)
    assert children["rasa"].env["CUNFA_ACTION_URL"] == "http://127.0.0.1:5055"
    assert children["rasa-2"].env["CUNFA_ACTION_URL"] == "http://127.0.0.1:5056"
    endpoints = Path(children["rasa-2"].argv[children["rasa-2"].argv.index("--endpoints") + 1])
    text = endpoints.read_text()
    assert "type: rasa_components.lock_store.AtomicRedisLockStore" in text and "db: 3" in text


def test_one_replica_is_the_plain_trio(tmp_path: Path) -> None:
    names = [c.name for c in child_specs(Settings(data_dir=tmp_path, rasa_token="t"), tmp_path / "bot.tar.gz")]
    assert names == ["actions", "rasa", "api"]


THREAD_POOLS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_INTRA_OP_PARALLELISM_THREADS",
    "TF_INTER_OP_PARALLELISM_THREADS",
)


def test_each_service_gets_one_thread_per_pool_unless_told_otherwise(tmp_path: Path, monkeypatch) -> None:
    for name in THREAD_POOLS:
        monkeypatch.delenv(name, raising=False)
    children = child_specs(Settings(data_dir=tmp_path, rasa_token="t"), tmp_path / "bot.tar.gz")
    assert all(c.env[name] == "1" for c in children for name in THREAD_POOLS)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    children = child_specs(Settings(data_dir=tmp_path, rasa_token="t"), tmp_path / "bot.tar.gz")
    assert all(c.env["OMP_NUM_THREADS"] == "4" for c in children)


def test_rasa_accepts_a_token_that_starts_with_a_dash(tmp_path: Path) -> None:
    """token_urlsafe() starts with "-" once in 64 draws; passed as two arguments, Rasa's argparse
    took it for an option, refused to start, and every restart did the same."""
    from rasa.__main__ import create_argument_parser

    settings = Settings(data_dir=tmp_path, rasa_token="-Abc_123")
    rasa = next(c for c in child_specs(settings, tmp_path / "bot.tar.gz") if c.name == "rasa")
    args = create_argument_parser().parse_args(rasa.argv[1:])
    assert args.auth_token == "-Abc_123"
