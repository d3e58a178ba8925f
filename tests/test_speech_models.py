"""Model download against a real HTTP server on 127.0.0.1 serving zips built here."""
import hashlib
import http.server
import io
import threading
import zipfile

import pytest

from ivr.errors import IvrError
from ivr.speech import get_recognizer, models


def model_zip(name="vosk-model-test", members=("am/final.mdl", "conf/model.conf", "graph/HCLG.fst")):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member in members:
            zf.writestr(f"{name}/{member}" if name else member, f"content of {member}")
    return buffer.getvalue()


@pytest.fixture
def server():
    """Serves `files` (path -> bytes); `/short/...` hangs up half way through;
    `/stall/...` sends half, then nothing until the test ends."""
    files: dict[str, bytes] = {}
    done = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            short, stall = self.path.startswith("/short/"), self.path.startswith("/stall/")
            body = files.get(self.path.replace("/short", "", 1).replace("/stall", "", 1))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2] if short or stall else body)
            self.wfile.flush()
            if stall:
                done.wait(60)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield files, f"http://127.0.0.1:{httpd.server_port}"
    done.set()
    httpd.shutdown()
    httpd.server_close()


def manifest_for(data, url, name="vosk-model-test"):
    return {name: {"language": "xx", "url": url, "size": len(data),
                   "sha256": hashlib.sha256(data).hexdigest()}}


def config_in(tmp_path):
    return {"speech": {"models_dir": str(tmp_path / "models")}}


def leftovers(tmp_path):
    return sorted(p.name for p in (tmp_path / "models").iterdir())


def test_download_verifies_and_installs(server, tmp_path):
    files, base = server
    data = model_zip()
    files["/m.zip"] = data
    manifest, config = manifest_for(data, base + "/m.zip"), config_in(tmp_path)
    seen = []
    path = models.download("vosk-model-test", config, manifest=manifest,
                           report=lambda done, total: seen.append((done, total)))
    assert (path / "am/final.mdl").read_text() == "content of am/final.mdl"
    assert seen[-1] == (len(data), len(data))                     # progress reached the end
    assert leftovers(tmp_path) == ["vosk-model-test"]             # no temp files left
    assert models.installed_path("vosk-model-test", config, manifest) == path
    assert models.verify("vosk-model-test", config, manifest) == []
    (path / "conf/model.conf").unlink()
    assert models.verify("vosk-model-test", config, manifest) == ["missing conf/model.conf"]


def test_checksum_mismatch_installs_nothing(server, tmp_path):
    files, base = server
    data = model_zip()
    files["/m.zip"] = data
    manifest = manifest_for(data, base + "/m.zip")
    manifest["vosk-model-test"]["sha256"] = "0" * 64
    with pytest.raises(IvrError) as err:
        models.download("vosk-model-test", config_in(tmp_path), manifest=manifest)
    assert err.value.code == "checksum-mismatch"
    assert leftovers(tmp_path) == []


def test_interrupted_download_installs_nothing(server, tmp_path):
    files, base = server
    data = model_zip()
    files["/m.zip"] = data
    manifest = manifest_for(data, base + "/short/m.zip")  # connection ends half way
    with pytest.raises(IvrError):
        models.download("vosk-model-test", config_in(tmp_path), manifest=manifest)
    assert leftovers(tmp_path) == []


def test_offline_is_a_clear_error(tmp_path):
    import socket
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    manifest = manifest_for(b"x", f"http://127.0.0.1:{port}/m.zip")
    with pytest.raises(IvrError) as err:
        models.download("vosk-model-test", config_in(tmp_path), manifest=manifest)
    assert err.value.code == "download-failed" and "--from" in err.value.fix
    assert leftovers(tmp_path) == []


def test_install_from_a_local_zip_and_reject_non_models(tmp_path):
    good = tmp_path / "good.zip"
    good.write_bytes(model_zip(name=""))      # a bare model without the top folder
    manifest = manifest_for(good.read_bytes(), "http://unused")
    path = models.download("vosk-model-test", config_in(tmp_path), source=good, manifest=manifest)
    assert (path / "conf/model.conf").exists()
    wrong = tmp_path / "wrong.zip"
    wrong.write_bytes(model_zip(members=("README",)))
    with pytest.raises(IvrError) as err:
        models.download("vosk-model-test", config_in(tmp_path), source=wrong,
                        manifest=manifest_for(wrong.read_bytes(), "http://unused"))
    assert "not a vosk model" in err.value.problem
    assert leftovers(tmp_path) == ["vosk-model-test"]   # the earlier good install is untouched


def test_zip_with_unsafe_paths_is_refused(tmp_path):
    evil = tmp_path / "evil.zip"
    evil.write_bytes(model_zip(members=("am/final.mdl", "conf/model.conf", "../../escape.txt")))
    with pytest.raises(IvrError) as err:
        models.download("vosk-model-test", config_in(tmp_path), source=evil,
                        manifest=manifest_for(evil.read_bytes(), "http://unused"))
    assert err.value.code == "archive-unsafe"
    assert not (tmp_path / "escape.txt").exists()


def test_the_real_manifest():
    manifest = models.load_manifest()
    for name in ("vosk-model-small-en-us-0.15", "vosk-model-small-cn-0.22"):
        entry = manifest[name]
        assert entry["url"].startswith("https://alphacephei.com/vosk/models/")
        assert len(entry["sha256"]) == 64 and entry["size"] > 10_000_000
    assert models.model_for("zh-CN") == "vosk-model-small-cn-0.22"


def test_missing_model_names_the_download_command(tmp_path):
    with pytest.raises(IvrError) as err:
        get_recognizer("vosk", "en", config_in(tmp_path))
    assert "ivr models download vosk-model-small-en-us-0.15" in err.value.fix
    with pytest.raises(IvrError) as err:
        get_recognizer("auto", "zh-CN", config_in(tmp_path))
    assert "ivr models download vosk-model-small-cn-0.22" in err.value.fix


def test_a_wrong_url_says_so_not_check_the_network(server, tmp_path):
    files, base = server
    manifest = manifest_for(b"x", base + "/no-such.zip")
    with pytest.raises(IvrError) as err:
        models.download("vosk-model-test", config_in(tmp_path), manifest=manifest)
    assert "answered 404" in err.value.problem and "manifest" in err.value.fix
    assert leftovers(tmp_path) == []


def test_a_killed_download_leaves_nothing(server, tmp_path):
    """SIGTERM (kill, a CI timeout) mid-download removes the partial file."""
    import json
    import signal
    import subprocess
    import sys
    import time
    files, base = server
    data = model_zip() + bytes(1_000_000)     # half of it is past any write buffer
    files["/m.zip"] = data
    manifest = manifest_for(data, base + "/stall/m.zip")
    script = ("import json, sys\nfrom ivr.speech import models\n"
              "models.download('vosk-model-test', json.loads(sys.argv[1]), manifest=json.loads(sys.argv[2]))\n")
    child = subprocess.Popen([sys.executable, "-c", script, json.dumps(config_in(tmp_path)), json.dumps(manifest)],
                             stderr=subprocess.PIPE, text=True)
    folder = tmp_path / "models"
    deadline = time.monotonic() + 60     # a real child process starting: wait for its partial file
    while not (folder.is_dir() and any(p.stat().st_size for p in folder.iterdir())):
        assert child.poll() is None and time.monotonic() < deadline, child.stderr.read() if child.poll() else "slow"
        time.sleep(0.05)
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=30)
    assert child.returncode != 0 and leftovers(tmp_path) == []
