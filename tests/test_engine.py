"""The OPA server lifecycle, on the real binary."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from fmgate.engine import Engine, check_untrusted_policies, find_opa
from fmgate.errors import EXIT_ENGINE, EngineError, InputError


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_query_evaluates_policy_and_data(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        engine.put_data("fmgate/config", {"decision_owners": ["dana.kim"]})
        assert engine.query({"x": 1}) == {"allowed": True, "owners": ["dana.kim"]}
        assert engine.query({"x": 2})["allowed"] is False


def test_each_decision_is_in_opas_decision_log_under_its_id(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        engine.put_data("fmgate/config", {"decision_owners": ["dana.kim"]})
        engine.query({"x": 1})
        first = engine.last_decision_id
        engine.query({"x": 2})
        second = engine.last_decision_id
        assert first and second and first != second
        log = engine.decision_log({first, second})
        assert log[first]["input"] == {"x": 1} and log[first]["result"]["allowed"] is True
        assert log[second]["result"]["allowed"] is False
        assert log[first]["path"] == "fmgate/decision/decision"


def test_server_listens_on_loopback_and_requires_the_token(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        assert engine.base_url.startswith("http://127.0.0.1:")
        url = f"{engine.base_url}/v1/data/fmgate/decision/decision"
        assert requests.post(url, json={"input": {"x": 1}}, timeout=5).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert requests.post(url, json={"input": {"x": 1}}, headers=wrong, timeout=5).status_code == 401
        right = {"Authorization": f"Bearer {engine.token}"}
        assert requests.post(url, json={"input": {"x": 1}}, headers=right, timeout=5).status_code == 200


def test_close_stops_the_server(tiny_policies: Path, opa_bin: str) -> None:
    engine = Engine.start_local(tiny_policies, opa_bin=opa_bin)
    pid = engine.process.pid
    engine.close()
    assert _wait_gone(pid)
    with pytest.raises(requests.RequestException):
        requests.get(f"{engine.base_url}/health", timeout=2)


def test_test_files_are_not_served(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        ids = engine.client.get_policies_list()
        assert not any(i.endswith("_test.rego") for i in ids)


def test_undefined_decision_is_an_engine_failure(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        with pytest.raises(EngineError) as caught:
            engine.query({})
    assert caught.value.exit_code == EXIT_ENGINE
    assert "undefined" in str(caught.value)


def test_crash_mid_run_fails_closed(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        engine.process.kill()
        engine.process.wait()
        with pytest.raises(EngineError) as caught:
            engine.query({"x": 1})
    assert "exited" in str(caught.value)


def test_hung_server_times_out(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        engine.client.timeout = 0.5
        os.kill(engine.process.pid, signal.SIGSTOP)
        try:
            with pytest.raises(EngineError):
                engine.query({"x": 1})
        finally:
            os.kill(engine.process.pid, signal.SIGCONT)


def test_broken_policy_fails_start_with_opa_message(tmp_path: Path, opa_bin: str) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "broken.rego").write_text("package broken\n\nallow if {\n")
    with pytest.raises(EngineError) as caught:
        Engine.start_local(policies, opa_bin=opa_bin)
    assert "exited during start-up" in str(caught.value)
    assert "broken.rego" in str(caught.value)


def test_missing_binary_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FMGATE_OPA_BIN", str(tmp_path / "nope"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("fmgate.engine.__file__", str(tmp_path / "a" / "b" / "engine.py"))
    with pytest.raises(EngineError) as caught:
        find_opa()
    assert "make setup" in str(caught.value)


def test_an_opa_binary_inside_the_decision_repository_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout under review that carries .tools/bin/opa (say, one that approves everything) is ignored."""
    planted = tmp_path / ".tools" / "bin" / "opa"
    planted.parent.mkdir(parents=True)
    planted.write_text("#!/bin/sh\necho planted\n")
    planted.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FMGATE_OPA_BIN", raising=False)
    assert Path(find_opa()).resolve() != planted.resolve()


_HOLDER = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    from fmgate.engine import Engine
    with Engine.start_local(Path(sys.argv[1]), opa_bin=sys.argv[2]) as engine:
        print(engine.process.pid, flush=True)
        time.sleep(60)
    """)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_no_orphan_server_whatever_ends_fmgate(tiny_policies: Path, opa_bin: str, how: int) -> None:
    script = (
        "import signal\n"
        "signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))\n" + _HOLDER
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(tiny_policies), opa_bin],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        opa_pid = int(holder.stdout.readline())
        assert _alive(opa_pid)
        holder.send_signal(how)
        holder.wait(timeout=15)
        assert _wait_gone(opa_pid), "OPA outlived fmgate"
    finally:
        if holder.poll() is None:
            holder.kill()


def test_remote_server_is_used_and_drift_reported(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as served:
        remote = Engine.connect_remote(served.base_url, served.token)
        try:
            remote.put_data("fmgate/config", {"decision_owners": []})
            assert remote.query({"x": 1})["allowed"] is True
            assert remote.remote_policy_drift(tiny_policies) == []
            rule = tiny_policies / "decision" / "decision.rego"
            rule.write_text(rule.read_text() + "\nextra := 1\n")
            assert remote.remote_policy_drift(tiny_policies) == ["decision/decision.rego"]
        finally:
            remote.close()
        assert served.process.poll() is None  # closing a remote connection stops nothing


def test_remote_without_token_is_refused(tiny_policies: Path, opa_bin: str) -> None:
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as served:
        remote = Engine.connect_remote(served.base_url, None)
        try:
            with pytest.raises(EngineError):
                remote.query({"x": 1})
        finally:
            remote.close()


def _environment(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as handle:
        pairs = [item.split(b"=", 1) for item in handle.read().split(b"\0") if b"=" in item]
    return {k.decode(): v.decode() for k, v in pairs}


def test_server_gets_a_lazier_collector_unless_the_user_chose_one(
    tiny_policies: Path, opa_bin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        assert _environment(engine.process.pid)["GOGC"] == "400"
    monkeypatch.setenv("GOGC", "150")
    with Engine.start_local(tiny_policies, opa_bin=opa_bin) as engine:
        assert _environment(engine.process.pid)["GOGC"] == "150"


def test_a_server_started_without_waiting_is_usable_once_ready(tiny_policies: Path, opa_bin: str) -> None:
    engine = Engine.start_local(tiny_policies, opa_bin=opa_bin, wait=False)
    with engine.wait_ready():
        engine.put_data("fmgate/config", {"decision_owners": ["dana.kim"]})
        assert engine.query({"x": 1})["allowed"] is True
    assert _wait_gone(engine.process.pid)


def test_the_local_server_does_not_see_fmgate_s_secrets(
    tmp_path: Path, opa_bin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = tmp_path / "policies"
    (policies / "decision").mkdir(parents=True)
    (policies / "decision" / "decision.rego").write_text(
        'package fmgate.decision\n\ndecision := {"env": object.keys(opa.runtime().env)}\n'
    )
    monkeypatch.setenv("FMGATE_TEST_SECRET", "hunter2")
    with Engine.start_local(policies, opa_bin=opa_bin) as engine:
        seen = engine.query({})["env"]
    assert "FMGATE_TEST_SECRET" not in seen and "GOGC" in seen


@pytest.mark.parametrize(
    "call",
    [
        'http.send({"method": "get", "url": "http://127.0.0.1:9/"})',
        "opa.runtime().env",
        'net.lookup_ip_addr("example.com")',
    ],
)
def test_untrusted_policies_that_reach_out_are_refused(tmp_path: Path, call: str) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "leak.rego").write_text(f'package fmgate.decision\n\ndecision := {{"x": {call}}}\n')
    with pytest.raises(InputError) as info:
        check_untrusted_policies(policies)
    assert "not allowed for untrusted rules" in str(info.value)
    (policies / "leak.rego").write_text('package fmgate.decision\n\ndecision := {"x": input.x}\n')
    check_untrusted_policies(policies)  # plain rules pass


def test_a_relative_policies_folder_is_found_whatever_the_server_s_folder(
    tiny_policies: Path, opa_bin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tiny_policies.parent)
    with Engine.start_local(Path("policies"), opa_bin=opa_bin) as engine:
        engine.put_data("fmgate/config", {"decision_owners": ["dana.kim"]})
        assert engine.query({"x": 1})["allowed"] is True
