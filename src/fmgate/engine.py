"""The policy engine: a real OPA server, local by default, reached through opa-python-client.

fmgate starts `opa run --server` on 127.0.0.1 at a free port with token
authentication, loads the repository's policies, pushes the organisation's
settings and the memo index as data, and stops the server on every exit path.
A remote OPA (fmgate.yaml `opa.url` or FMGATE_OPA_URL) is used instead when
configured.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
from opa_client.opa import OpaClient

from .errors import EngineError, InputError

OPA_VERSION = "1.22.2"
DECISION_PACKAGE = "fmgate/decision"
DECISION_RULE = "decision"
# data.fmgate.decision.decisions: the decision of every entry of input.batch, in order
BATCH_RULE = "decisions"
START_TIMEOUT_S = 30.0
QUERY_TIMEOUT_S = 60.0


def find_opa() -> str:
    """The opa binary: $FMGATE_OPA_BIN, the tools folder of fmgate's own checkout, then PATH.

    Never the decision repository's: a checkout under review could carry a binary of its own.
    """
    candidates = [os.environ.get("FMGATE_OPA_BIN")]
    # an editable install's own checkout, where `make setup` put the tools
    candidates.append(str(Path(__file__).resolve().parents[2] / ".tools" / "bin" / "opa"))
    candidates.append(shutil.which("opa"))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise EngineError(
        "the opa binary was not found",
        fix="run 'make setup' (it installs OPA with go install), or put opa "
        f"v{OPA_VERSION} on PATH, or set FMGATE_OPA_BIN",
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: ask Linux to stop OPA if fmgate itself dies (no orphans)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    # Ctrl-C goes to fmgate, which stops OPA itself in order.
    os.setpgrp()


def policy_files(policies_dir: Path) -> list[Path]:
    """The Rego files OPA serves: tests and hidden folders are not part of the policy."""
    return sorted(
        p
        for p in policies_dir.rglob("*.rego")
        if not p.name.endswith("_test.rego")
        and not any(part.startswith(".") for part in p.relative_to(policies_dir).parts)
    )


def _authz_policy(token: str) -> str:
    digest = hashlib.sha256(token.encode()).hexdigest()
    # Only the hash of the token is written to disk.
    return (
        "package system.authz\n\n"
        "default allow := false\n\n"
        f'allow if crypto.sha256(input.identity) == "{digest}"\n\n'
        'allow if input.path == ["health"]\n'
    )


class Engine:
    """A connection to an OPA server holding fmgate's policies and data."""

    def __init__(
        self,
        client: OpaClient,
        base_url: str,
        token: str | None,
        process: subprocess.Popen[bytes] | None = None,
        workdir: tempfile.TemporaryDirectory[str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.token = token
        self.process = process
        self._workdir = workdir
        self._log_path = log_path
        # requests sessions are not meant to be shared across threads: one client per thread
        self._local = threading.local()
        self._clients: list[OpaClient] = [client]
        self._clients_lock = threading.Lock()

    def _thread_client(self) -> OpaClient:
        if threading.current_thread() is threading.main_thread():
            return self.client
        client = getattr(self._local, "client", None)
        if client is None:
            base = self.client
            client = OpaClient(
                host=base.host,
                port=base.port,
                ssl=base.ssl,
                cert=base.cert,
                token=self.token,
                timeout=base.timeout,
                retries=base.retries,
            )
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    # -- lifecycle ---------------------------------------------------------
    @classmethod
    def start_local(cls, policies_dir: Path, *, opa_bin: str | None = None, wait: bool = True) -> Engine:
        """Start a local server; with wait=False, return at once and call wait_ready() before use."""
        if not policies_dir.is_dir():
            raise InputError(
                "policies folder not found", path=str(policies_dir), fix="run fmgate inside a decision repository"
            )
        binary = opa_bin or find_opa()
        policies_dir = policies_dir.resolve()  # the server runs in a folder of its own
        token = os.urandom(32).hex()
        workdir = tempfile.TemporaryDirectory(prefix="fmgate-opa-")
        authz_dir = Path(workdir.name) / "authz"
        authz_dir.mkdir(mode=0o700)
        (authz_dir / "authz.rego").write_text(_authz_policy(token), encoding="utf-8")
        log_path = Path(workdir.name) / "opa.log"
        port = _free_port()
        command = [
            binary,
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{port}",
            "--authentication=token",
            "--authorization=basic",
            "--disable-telemetry",
            "--log-level",
            "error",
            # OPA's decision log: one line per query in opa.log, carrying the decision_id the response
            # carries too, so a decision record and the server's audit trail point at each other
            "--set",
            "decision_logs.console=true",
            "--ignore",
            ".*",
            "--ignore",
            "*_test.rego",
            str(policies_dir),
            str(authz_dir),
        ]
        log = open(log_path, "wb")
        try:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
                env=_server_environment(),
                cwd=workdir.name,
            )
        except OSError as exc:
            log.close()
            workdir.cleanup()
            raise EngineError(
                f"OPA could not be started: {exc.strerror}", path=binary, fix="run 'fmgate doctor'"
            ) from None
        finally:
            if not log.closed:
                log.close()
        client = OpaClient(host="127.0.0.1", port=port, token=token, timeout=QUERY_TIMEOUT_S, retries=0)
        engine = cls(client, f"http://127.0.0.1:{port}", token, process, workdir, log_path)
        return engine.wait_ready() if wait else engine

    def wait_ready(self) -> Engine:
        """Block until the server answers /health; stop it and raise if it never does."""
        try:
            self._wait_ready()
        except BaseException:
            self.close()
            raise
        return self

    @classmethod
    def connect_remote(cls, url: str, token: str | None) -> Engine:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise InputError(
                f"OPA url {url!r} is not an http(s) URL",
                path="fmgate.yaml",
                field="opa.url",
                fix="use e.g. https://opa.example.internal:8181",
            )
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        client = OpaClient(
            host=parsed.hostname,
            port=port,
            ssl=parsed.scheme == "https",
            token=token,
            timeout=QUERY_TIMEOUT_S,
            retries=1,
        )
        engine = cls(client, f"{parsed.scheme}://{parsed.hostname}:{port}", token)
        engine._wait_ready(timeout=10.0)
        return engine

    def _log_tail(self) -> str:
        if self._log_path and self._log_path.exists():
            return self._log_path.read_text(encoding="utf-8", errors="replace")[-2000:].strip()
        return ""

    def _wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EngineError(
                    f"OPA exited during start-up with code {self.process.returncode}: {self._log_tail()}",
                    fix="run 'opa check --strict policies' and 'fmgate doctor'",
                )
            try:
                response = self.client._session.get(f"{self.base_url}/health", timeout=2)
                if response.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.01)  # OPA is usually up within a few hundred ms; a short poll wastes little
        raise EngineError(
            f"OPA at {self.base_url} did not become healthy within {timeout:.0f}s",
            fix="check that the server is running and reachable; run 'fmgate doctor'",
        )

    def close(self) -> None:
        for client in self._clients:
            try:
                client.close_connection()
            except Exception:  # closing must never mask the real error
                pass
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- data and queries ---------------------------------------------------
    def _failure(self, what: str, exc: BaseException) -> EngineError:
        code = self.process.poll() if self.process is not None else None
        detail = f"OPA exited with code {code}" if code is not None else str(exc)
        return EngineError(
            f"{what} failed: {detail}", fix="nothing was approved; re-run, and run 'fmgate doctor' if it persists"
        )

    def put_data(self, path: str, value: Any) -> None:
        try:
            self.client.update_or_create_data(value, path)
        except Exception as exc:
            raise self._failure(f"loading data.{path.replace('/', '.')} into OPA", exc) from None

    def query(self, input_document: dict[str, Any], package: str = DECISION_PACKAGE, rule: str = DECISION_RULE) -> Any:
        """Evaluate one rule; an undefined result is an engine failure, never a pass."""
        try:
            response = self._thread_client().query_rule(input_document, package, rule)
        except Exception as exc:
            raise self._failure(f"evaluating data.{package.replace('/', '.')}.{rule}", exc) from None
        self._local.decision_id = response.get("decision_id")
        if "result" not in response:
            raise EngineError(
                f"data.{package.replace('/', '.')}.{rule} is undefined for this input",
                fix="the policies did not produce a decision; run 'opa test policies'",
            )
        return response["result"]

    @property
    def last_decision_id(self) -> str | None:
        """The decision_id OPA gave this thread's latest query (None when the server logs no decisions)."""
        value = getattr(self._local, "decision_id", None)
        return value if isinstance(value, str) else None

    def decision_log(self, decision_ids: set[str], timeout: float = 2.0) -> dict[str, dict[str, Any]]:
        """The local server's decision-log entries (from opa.log) of these decision ids, by id."""
        import json

        found: dict[str, dict[str, Any]] = {}
        if self._log_path is None or not decision_ids:
            return found
        deadline = time.monotonic() + timeout
        while True:
            with open(self._log_path, "rb") as handle:
                for line in handle:
                    if b'"decision_id"' not in line:
                        continue
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(entry, dict) and entry.get("decision_id") in decision_ids:
                        found[entry["decision_id"]] = entry
            if len(found) == len(decision_ids) or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    def query_batch(self, inputs: list[dict[str, Any]]) -> list[Any] | None:
        """The decisions of many inputs in one query, in order.

        None means the server answered but could not decide this batch as one (a policy without
        the batch rule, or an entry whose evaluation failed): decide those inputs one by one, so
        that any error names its memo. A server that does not answer is an engine failure.
        """
        try:
            response = self._thread_client().query_rule({"batch": inputs}, DECISION_PACKAGE, BATCH_RULE)
            self._local.decision_id = response.get("decision_id")
        except requests.HTTPError:
            return None
        except Exception as exc:
            raise self._failure(f"evaluating data.{DECISION_PACKAGE.replace('/', '.')}.{BATCH_RULE}", exc) from None
        result = response.get("result")
        if not isinstance(result, list) or len(result) != len(inputs):
            return None
        return result

    def remote_policy_drift(self, policies_dir: Path) -> list[str]:
        """Policy files whose text on the server differs from the repository's."""
        try:
            response = self.client._session.get(f"{self.client.root_url}/policies", timeout=10)
            response.raise_for_status()
            served = {item.get("raw", "") for item in response.json().get("result", [])}
        except Exception as exc:
            raise self._failure("listing the server's policies", exc) from None
        return [
            p.relative_to(policies_dir).as_posix()
            for p in policy_files(policies_dir)
            if p.read_text(encoding="utf-8") not in served
        ]


# Evaluation allocates heavily while the live heap stays small (policies plus the memo index), so
# a lazier garbage collector buys throughput for little memory. A GOGC the user set is kept.
SERVER_GOGC = "400"


#: What the local server inherits of fmgate's environment: enough for the Go runtime, no secrets
#: (a policy can read its environment through opa.runtime()).
SERVER_ENVIRONMENT = ("PATH", "HOME", "TMPDIR", "GOGC", "GOMAXPROCS", "GOMEMLIMIT", "TZ")


def _server_environment() -> dict[str, str]:
    env = {name: os.environ[name] for name in SERVER_ENVIRONMENT if name in os.environ}
    env.setdefault("GOGC", SERVER_GOGC)
    return env


def open_engine(
    repo_root: Path,
    config: Any,
    *,
    policies_dir: Path | None = None,
    warn: Any = None,
    wait: bool = True,
    local: bool = False,
) -> Engine:
    """Start the local server, or connect to the configured remote one.

    wait=False only affects a local server: it is still starting when this returns, and the
    caller calls wait_ready() once it has something else done meanwhile. local=True ignores any
    remote server the settings name (settings from a branch under review could name their own,
    and a token variable to send it).
    """
    url = None if local else config.opa_url()
    policies_dir = policies_dir or repo_root / "policies"
    if url:
        engine = Engine.connect_remote(url, config.opa_token())
        drift = engine.remote_policy_drift(policies_dir)
        if drift and warn is not None:
            warn(f"the OPA server at {url} serves policies that differ from this repository's: " + ", ".join(drift))
    else:
        engine = Engine.start_local(policies_dir, wait=wait)
    return engine


#: Builtins that reach beyond the evaluation: the network and the server's environment.
UNTRUSTED_BUILTINS = frozenset({"http.send", "net.lookup_ip_addr", "opa.runtime"})


def check_untrusted_policies(policies_dir: Path) -> None:
    """Refuse policies (from a branch under review) that use a builtin reaching beyond the evaluation.

    ``opa check`` compiles them against this OPA's capabilities less
    :data:`UNTRUSTED_BUILTINS`, so such policies never reach a server.
    """
    import json

    binary = find_opa()
    with tempfile.TemporaryDirectory(prefix="fmgate-capabilities-") as folder:
        try:
            current = subprocess.run(
                [binary, "capabilities", "--current"],
                capture_output=True,
                text=True,
                timeout=60,
                env=_server_environment(),
                cwd=folder,
            )
            capabilities = json.loads(current.stdout)
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            raise EngineError(f"opa capabilities failed: {exc}", fix="run 'fmgate doctor'") from None
        capabilities["builtins"] = [
            b for b in capabilities.get("builtins", []) if b.get("name") not in UNTRUSTED_BUILTINS
        ]
        path = Path(folder) / "capabilities.json"
        path.write_text(json.dumps(capabilities), encoding="utf-8")
        try:
            checked = subprocess.run(
                [
                    binary,
                    "check",
                    "--capabilities",
                    str(path),
                    "--ignore",
                    ".*",
                    "--ignore",
                    "*_test.rego",
                    str(policies_dir),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                env=_server_environment(),
                cwd=folder,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"opa check failed: {exc}", fix="run 'fmgate doctor'") from None
    if checked.returncode != 0:
        problem = (checked.stderr or checked.stdout).strip().splitlines()
        raise InputError(
            "the policies use a builtin that is not allowed for untrusted rules (network or "
            f"environment access: {', '.join(sorted(UNTRUSTED_BUILTINS))}) or do not compile: "
            + " | ".join(problem[:3]),
            path=str(policies_dir),
            fix="remove the call; policies decide from their input and data only",
        )


def opa_version(binary: str) -> str | None:
    try:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return None
