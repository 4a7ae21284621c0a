"""The `gatehouse` command: config check messages and exit codes, and client-config output."""
import subprocess

import yaml

from gatehouse_fixture import CLI


def gatehouse(*args):
    return subprocess.run(["node", str(CLI), *args], capture_output=True, text=True, timeout=60)


def test_config_check_accepts_a_valid_file(tmp_path):
    f = tmp_path / "ok.yaml"
    f.write_text("listen: 127.0.0.1:9000\ncluster:\n  worker_memory: 4 G\n")
    r = gatehouse("config", "check", str(f))
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout


def test_config_check_names_every_offending_key(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        "backend:\n  type: local\n  heartbeat_perod: 3\n  heartbeat_period: fast\n"
        "options:\n  - {type: int, field: cores, min: 4, max: 2}\n"
    )
    r = gatehouse("config", "check", str(f))
    assert r.returncode == 2
    assert "backend.heartbeat_perod: unknown key" in r.stderr
    assert "backend.heartbeat_period" in r.stderr and '"fast"' in r.stderr


def test_config_check_reports_option_definition_problems(tmp_path):
    f = tmp_path / "bad-options.yaml"
    f.write_text("options:\n  - {type: select, field: profile, default: huge, options: [small, large]}\n")
    r = gatehouse("config", "check", str(f))
    assert r.returncode == 2
    assert "options:" in r.stderr and "huge" in r.stderr


def test_config_check_reports_yaml_syntax_and_missing_files(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("listen: [unclosed\n")
    r = gatehouse("config", "check", str(f))
    assert r.returncode == 2 and "YAML" in r.stderr
    r = gatehouse("config", "check", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_client_config_points_a_bare_gateway_at_the_listen_address(tmp_path):
    f = tmp_path / "gw.yaml"
    f.write_text("listen: 0.0.0.0:8123\nprefix: /gw\n")
    r = gatehouse("client-config", "-c", str(f))
    assert r.returncode == 0, r.stderr
    gateway = yaml.safe_load(r.stdout)["gateway"]
    assert gateway["address"] == "http://127.0.0.1:8123/gw"
    assert gateway["proxy-address"] == "gateway://127.0.0.1:8123"
    assert gateway["public-address"] == "http://127.0.0.1:8123/gw"
    assert gateway["auth"]["type"] == "basic"


def test_unknown_command_fails():
    r = gatehouse("frobnicate")
    assert r.returncode != 0


def test_per_user_passwords_from_hash_password(gatehouse):
    import urllib.error
    import urllib.request
    from base64 import b64encode

    r = subprocess.run(["node", str(CLI), "hash-password"], input="open sesame\n",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    hashed = r.stdout.strip()
    assert hashed.startswith("scrypt:") and "open sesame" not in hashed
    g = gatehouse(config={"auth": {"type": "basic", "users": {"alice": hashed}}})

    def status(user, password):
        creds = b64encode(f"{user}:{password}".encode()).decode()
        req = urllib.request.Request(g.url + "/api/v1/clusters/", headers={"Authorization": f"Basic {creds}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status
        except urllib.error.HTTPError as e:
            return e.code

    assert status("alice", "open sesame") == 200
    assert status("alice", "wrong") == 401
    assert status("bob", "open sesame") == 401
