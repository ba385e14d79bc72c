"""JupyterLab's backend on the project kernel: a Jupyter server on a free loopback port lists
the `toolkit` kernel, starts it for a notebook session (as 'Run All' in JupyterLab does), runs
the notebook's cells over the kernel websocket, gets what papermill gets with the default
parameters, and shuts down cleanly."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

JUPYTER = str(Path(sys.executable).parent / "jupyter")
KERNEL = "toolkit"
PROGRAM = [
    'n_posts = 3  # default parameter\nconfig_path = "../configs/sample.yaml"',
    "import json, sys\nfrom toolkit.report.brief import md\nfrom toolkit.core.provenance import key_id",
    'result = {"n": n_posts, "md": md("<b>$x_1^2</b>"), "key": key_id(b"k" * n_posts),\n'
    '          "venv": sys.prefix}\nprint(json.dumps(result, sort_keys=True))',
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def small_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": KERNEL,
        "display_name": "Python (toolkit)",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(code) for code in PROGRAM]
    nb.cells[0].metadata["tags"] = ["parameters"]
    return nb


class Server:
    """A `jupyter server` subprocess and its REST API (token-authenticated, loopback only)."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (root / "server.log").open("w")
        self.process = subprocess.Popen(
            [
                JUPYTER,
                "server",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                "--port-retries=0",
                f"--ServerApp.root_dir={root}",
                f"--IdentityProvider.token={self.token}",
                f"--MappingKernelManager.default_kernel_name={KERNEL}",
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "JUPYTER_RUNTIME_DIR": str(root / "runtime")},
        )
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=30) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("jupyter server exited; see server.log")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("jupyter server did not answer")

    def stop(self) -> int:
        if self.process.poll() is None:
            try:
                self.api("/api/shutdown", method="POST")
            except OSError:
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                self.process.wait(timeout=10)
        self.log.close()
        return self.process.returncode


def run_cells(server: Server, kernel_id: str, cells: list[str], timeout: float = 120) -> list[str]:
    """Execute code cells in order over the kernel websocket; return each cell's stdout.
    Fails on the first error, naming the cell."""
    import websocket

    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?token={server.token}",
        timeout=timeout,
        http_no_proxy=["127.0.0.1", "localhost"],
        suppress_origin=True,
    )
    session = uuid.uuid4().hex
    outputs = []
    try:
        for i, code in enumerate(cells):
            msg_id = uuid.uuid4().hex
            ws.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "msg_type": "execute_request",
                            "username": "test",
                            "session": session,
                            "date": dt.datetime.now(dt.UTC).isoformat(),
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "channel": "shell",
                        "buffers": [],
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": True,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                    }
                )
            )
            outputs.append(_collect(ws, msg_id, i))
    finally:
        ws.close()
    return outputs


def _collect(ws, msg_id: str, cell: int) -> str:
    stdout, replied, idle = [], False, False
    while not (replied and idle):
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream" and content["name"] == "stdout":
            stdout.append(content["text"])
        elif kind == "error":
            raise AssertionError(f"cell {cell}: {content['ename']}: {content['evalue']}")
        elif kind == "execute_reply":
            replied = True
            assert content["status"] == "ok", f"cell {cell}: {content}"
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
    return "".join(stdout)


@pytest.fixture
def server(tmp_path):
    (tmp_path / "notebooks").mkdir()
    server = Server(tmp_path)
    try:
        server.wait_ready()
        yield server
    finally:
        code = server.stop()
        assert code == 0, (tmp_path / "server.log").read_text()[-3000:]


def test_toolkit_kernel_runs_a_notebook_like_papermill(server, tmp_path):
    import papermill

    specs = server.api("/api/kernelspecs")
    assert KERNEL in specs["kernelspecs"] and specs["default"] == KERNEL

    path = tmp_path / "notebooks" / "small.ipynb"
    nbformat.write(small_notebook(), path)
    session = server.api(
        "/api/sessions",
        method="POST",
        body={
            "path": "notebooks/small.ipynb",
            "type": "notebook",
            "name": "small.ipynb",
            "kernel": {"name": KERNEL},
        },
    )
    kernel_id = session["kernel"]["id"]
    assert session["kernel"]["name"] == KERNEL
    nb = nbformat.read(path, as_version=4)
    in_lab = run_cells(server, kernel_id, [cell.source for cell in nb.cells])
    server.api(f"/api/sessions/{session['id']}", method="DELETE")

    papermill.execute_notebook(
        path,
        tmp_path / "papermill.ipynb",
        kernel_name=KERNEL,
        cwd=str(path.parent),
        progress_bar=False,
    )
    ran = nbformat.read(tmp_path / "papermill.ipynb", as_version=4)
    by_papermill = "".join(
        o.get("text", "") for o in ran.cells[-1].outputs if o.get("name") == "stdout"
    )

    result = json.loads(in_lab[-1])
    assert in_lab[-1] == by_papermill
    assert result["n"] == 3 and result["md"] == r"&lt;b&gt;\$x\_1^2&lt;/b&gt;"
    assert Path(result["venv"]) == Path(sys.prefix)  # the project's environment, not another Python
    assert server.api("/api/kernels") == []
