"""Agent processes that end right after their last model call still deliver it (atexit). Each runs in a
child process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from .fake_ingest import FakeIngest
from .launched import Api

PRELUDE = """
import os, sys
import tollgate
client = tollgate.Tollgate(
    os.environ["TG_KEY"], os.environ["TG_URL"], customer=os.environ["TG_CUSTOMER"], retry_base=0.01
)
CALL = dict(provider="openai", model="gpt-4o-mini", usage={"input_tokens": 12, "output_tokens": 4})
"""


def run_agent(tmp_path: Path, url: str, key: str, customer: str, body: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "agent.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    env = {"PATH": "/usr/bin:/bin", "TG_URL": url, "TG_KEY": key, "TG_CUSTOMER": customer}
    return subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)


def test_a_script_whose_last_line_tracks_a_call_delivers_it_to_the_api(tmp_path: Path, api: Api, customer: str) -> None:
    done = run_agent(
        tmp_path,
        api.url,
        api.ingest_key,
        customer,
        'print(client.track(**CALL, transaction_id="last-call-" + os.environ["TG_CUSTOMER"]))',
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert [e["transaction_id"] for e in api.events(customer)] == [f"last-call-{customer}"]


def test_sys_exit_and_an_uncaught_exception_still_deliver(tmp_path: Path, ingest: FakeIngest) -> None:
    done = run_agent(tmp_path, ingest.url, "k", "acme", 'client.track(**CALL, transaction_id="exit-call")\nsys.exit(3)')
    assert done.returncode == 3
    crashed = run_agent(
        tmp_path,
        ingest.url,
        "k",
        "acme",
        'client.track(**CALL, transaction_id="crash-call")\nraise RuntimeError("agent bug")',
    )
    assert crashed.returncode == 1 and "agent bug" in crashed.stderr
    assert list(ingest.stored) == ["exit-call", "crash-call"]


def test_exit_waits_through_retries_when_the_api_answers_503_first(tmp_path: Path, ingest: FakeIngest) -> None:
    ingest.script += [(503, {"retry-after": "0"}, None), (503, {}, None)]
    done = run_agent(tmp_path, ingest.url, "k", "acme", 'client.track(**CALL, transaction_id="retried-call")')
    assert done.returncode == 0
    assert ingest.sent_ids() == ["retried-call"] * 3 and list(ingest.stored) == ["retried-call"]


def test_a_batch_in_flight_at_exit_is_waited_for_and_delivered_once(tmp_path: Path, ingest: FakeIngest) -> None:
    ingest.delay = 0.5
    done = run_agent(
        tmp_path, ingest.url, "k", "acme",
        """
        client.track(**CALL, transaction_id="in-flight-call")
        client.flush(timeout=0.05)  # sending has started; the process ends before the API answers
        client.track(**CALL, transaction_id="queued-call")
        """,
    )  # fmt: skip
    assert done.returncode == 0
    assert sorted(ingest.stored) == ["in-flight-call", "queued-call"]
    assert sorted(ingest.sent_ids()) == ["in-flight-call", "queued-call"]  # nothing sent twice


def test_exit_gives_up_at_its_timeout_when_the_api_is_down(tmp_path: Path) -> None:
    done = run_agent(
        tmp_path, "http://127.0.0.1:9", "k", "acme",
        """
        import time
        started = time.monotonic()
        client._on_drop = lambda events, reason: print("dropped", reason, "after", round(time.monotonic() - started, 1))
        client._exit_timeout = 0.5
        client.track(**CALL)
        """,
    )  # fmt: skip
    assert done.returncode == 0
    (line,) = done.stdout.splitlines()
    reason, seconds = line.split()[1], float(line.split()[-1])
    assert reason == "delivery_failed" and seconds < 5
