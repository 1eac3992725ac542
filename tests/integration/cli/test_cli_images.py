"""``listing-studio check`` and ``fix`` as separate processes: exit codes 0/5/2, one line per image, the --json
shape of cli-contract.md, URLs fetched like downloads, and a fixed copy that passes ``check``."""

import http.server
import threading

import pytest

from support.cli import run_cli
from support.images import make

JSON_KEYS = {"source", "platform", "slot", "verdict", "findings"}


@pytest.fixture
def images(tmp_path):
    files = {"good.jpg": make((2000, 2000)), "small.png": make((400, 400), fmt="PNG"),
             "transparent.png": make((2000, 2000), bg=(0, 0, 0, 0), fmt="PNG", mode="RGBA"),
             "zoom.jpg": make((1200, 1200))}
    folder = tmp_path / "images"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def image_server():
    """A loopback image host: /good.jpg is an image, anything else 404."""
    body = make((2000, 2000))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/good.jpg":
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_passes_a_good_image_and_prints_one_line(images):
    r = run_cli("check", str(images / "good.jpg"))
    assert r.code == 0, r.err
    (line,) = r.out.splitlines()
    assert line.split("\t")[:2] == ["pass", str(images / "good.jpg")]


def test_check_json_shape_and_default_slots(images):
    r = run_cli("check", str(images / "good.jpg"), str(images / "zoom.jpg"), str(images / "small.png"), "--json")
    assert r.code == 5, r.err  # the 400 px image fails
    data = r.json
    assert set(data) == {"images"}
    assert [set(i) for i in data["images"]] == [JSON_KEYS] * 3
    assert [i["slot"] for i in data["images"]] == ["MAIN", "PT01", "PT02"]
    assert [i["verdict"] for i in data["images"]] == ["pass", "pass", "fail"]
    for image in data["images"]:
        assert image["platform"] == "amazon"
        for f in image["findings"]:
            assert set(f) == {"rule", "severity", "message"} and f["severity"] in ("fail", "warning", "info")
    zoom = {f["rule"]: f for f in data["images"][1]["findings"]}
    assert zoom["amazon.min_size"]["severity"] == "info" and "best zoom" in zoom["amazon.min_size"]["message"]
    first = {f["rule"]: f["severity"] for f in data["images"][0]["findings"]}
    assert first == {"amazon.set.count": "info"}  # 3 images: Amazon recommends at least 6


def test_check_warnings_exit_0_and_slot_and_platform_options(images):
    transparent = str(images / "transparent.png")
    main = run_cli("check", transparent, "--json")
    assert main.code == 5 and main.json["images"][0]["verdict"] == "fail"  # MAIN must be on white
    secondary = run_cli("check", transparent, "--slot", "pt03")
    assert secondary.code == 0 and secondary.out.startswith("pass\t")
    tiktok = run_cli("check", str(images / "zoom.jpg"), "--platform", "tiktok", "--json")
    assert tiktok.code == 0 and tiktok.json["images"][0]["slot"] == "gallery"
    warn = run_cli("check", str(images / "good.jpg"), "--platform", "shopify")  # below Shopify's 2048 px
    assert warn.code == 0 and warn.out.startswith("warn\t")


@pytest.mark.parametrize("args,code", [(["--platform", "ebay"], "INVALID_PLATFORM"), (["--slot", "PT12"], "INVALID_SLOT"),
                                       (["missing.jpg"], "FILE_NOT_FOUND"),
                                       (["http://example.com/a.jpg"], "INVALID_URL")])
def test_check_invalid_input_exits_2(images, args, code):
    r = run_cli("check", str(images / "good.jpg"), *args, "--json")
    assert r.code == 2 and f"error: {code}:" in r.err and r.json["images"] == []
    assert "Traceback" not in r.err


def test_check_fetches_urls_like_downloads(image_server, images):
    r = run_cli("check", f"{image_server}/good.jpg", f"{image_server}/gone.jpg", "--json")
    assert r.code == 5, r.err
    good, gone = r.json["images"]
    assert good["source"] == f"{image_server}/good.jpg" and good["verdict"] == "pass"
    assert gone["verdict"] == "fail" and "URL_EXPIRED" in gone["findings"][0]["message"]


def test_fix_round_trip_passes_check(images):
    out = images / "fixed.jpg"
    r = run_cli("fix", str(images / "transparent.png"), "--platform", "amazon", "--slot", "MAIN", "--out", str(out),
                "--json")
    assert r.code == 0, r.err
    assert r.json["out"] == str(out.resolve()) and r.json["verdict"] == "pass"
    assert "transparency flattened onto pure white" in r.json["repaired"]
    assert "repaired: transparency flattened" in r.err
    check = run_cli("check", str(out), "--json")
    assert check.code == 0 and check.json["images"][0]["findings"] == []


def test_fix_never_overwrites_out(images):
    out = images / "taken.jpg"
    out.write_bytes(b"keep me")
    r = run_cli("fix", str(images / "transparent.png"), "--platform", "amazon", "--slot", "MAIN", "--out", str(out))
    assert r.code == 2 and "OUTPUT_EXISTS" in r.err and out.read_bytes() == b"keep me"
    assert sorted(p.name for p in images.iterdir()) == ["good.jpg", "small.png", "taken.jpg", "transparent.png",
                                                        "zoom.jpg"]  # no temporary file left


def test_fix_names_what_it_cannot_repair(images):
    out = images / "small-fixed.jpg"
    r = run_cli("fix", str(images / "small.png"), "--platform", "amazon", "--slot", "PT01", "--out", str(out))
    assert r.code == 5 and "cannot repair: fail: longest side 400 px" in r.err and "no copy written" in r.err
    assert not out.exists()  # never enlarged, nothing else to repair
    bad = run_cli("fix", str(images / "good.jpg"), "--platform", "amazon", "--slot", "MAIN", "--out",
                  str(images / "x.bmp"))
    assert bad.code == 2 and "INVALID_OUTPUT" in bad.err
