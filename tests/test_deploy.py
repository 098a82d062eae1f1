"""compose.yaml and deploy/nginx, checked without Docker: our image and official ones only, real
commands with real options, one published port, an internal backend network, and nginx passing
Server-Sent Events unbuffered. Where a Docker engine with Compose answers, ``docker compose config``
must accept the file too.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
NGINX_DIR = ROOT / "deploy" / "nginx"
OURS = {name for name, service in SERVICES.items() if service["image"] == "nnviz"}
API = ("api-1", "api-2")
# Official images: no registry or namespace in the name, and the program each one runs.
OFFICIAL = {"postgres": "postgres", "nginx": "nginx"}
# Our image's programs, as installed here by the same wheel the image installs.
PROGRAMS = {"python": Path(sys.executable), "dask": Path(sys.executable).parent / "dask"}


def nginx_directives(path: Path) -> list[list[str]]:
    """Each directive of an nginx configuration as its words (comments dropped)."""
    text = re.sub(r"#[^\n]*", "", path.read_text())
    return [statement.split() for statement in re.split(r"[;{}]", text) if statement.strip()]


def directive(path: Path, name: str) -> list[list[str]]:
    return [words[1:] for words in nginx_directives(path) if words[0] == name]


def test_the_topology_names_only_our_image_and_official_ones():
    assert set(SERVICES) == {"postgres", "migrate", "dask-scheduler", "dask-worker", *API, "nginx"}
    assert {"migrate", "dask-scheduler", "dask-worker", *API} == OURS
    for name in OURS:
        assert SERVICES[name]["build"] == ".", name  # built from this tree's Dockerfile
    for name in set(SERVICES) - OURS:
        image = SERVICES[name]["image"]
        repository, _, tag = image.partition(":")
        assert repository in OFFICIAL and "build" not in SERVICES[name], name
        assert re.fullmatch(r"\d+(\.\d+)*", tag), f"{name}: pin the official image's version, not {image!r}"
    assert re.fullmatch(r"1[5-9]", SERVICES["postgres"]["image"].partition(":")[2])
    assert SERVICES["dask-worker"]["deploy"]["replicas"] == 2


def test_official_images_run_their_own_program():
    assert "command" not in SERVICES["postgres"]  # the image's entrypoint: initdb on first start, then postgres
    assert SERVICES["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    command = SERVICES["nginx"]["command"]
    assert command[0] == OFFICIAL["nginx"]
    # The configuration it is told to read is in the folder mounted (read-only) from this tree.
    config = Path(command[command.index("-c") + 1])
    source, target, mode = SERVICES["nginx"]["volumes"][0].split(":")
    assert mode == "ro" and config.parent == Path(target) and (ROOT / source / config.name).is_file()
    assert (ROOT / source).resolve() == NGINX_DIR


# api-2 runs api-1's command (test_api_servers_share_database_scheduler_and_key)
@pytest.mark.parametrize("name", sorted(OURS - {"api-2"}))
def test_our_commands_exist_with_every_option_they_use(name):
    program, *arguments = SERVICES[name]["command"]
    executable = PROGRAMS[program]
    assert executable.is_file(), f"{name}: {executable} is not installed"
    # --help after the command's own arguments: each program shows the help of the very subcommand
    # the service runs, and would refuse an option it does not have.
    result = subprocess.run([str(executable), *arguments, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for option in (argument for argument in arguments if argument.startswith("--")):
        shown = re.search(rf"(?<![\w-]){option}(?![\w-])", result.stdout)
        assert shown, f"{name}: {program} {arguments[0]} has no {option}"


def test_dask_commands_come_from_a_dependency_of_nnviz():
    # The image installs the wheel's dependencies, so `dask scheduler` and `dask worker` are there
    # exactly when nnviz depends on distributed, which provides them.
    commands = {entry.name: entry.dist.name for entry in importlib.metadata.entry_points(group="dask_cli")}
    assert commands["scheduler"] == commands["worker"] == "distributed"
    console = {entry.name: entry.dist.name for entry in importlib.metadata.entry_points(group="console_scripts")}
    assert console["dask"] == "dask"
    required = {re.split(r"[\s\[<>=;]", requirement, maxsplit=1)[0].lower()
                for requirement in importlib.metadata.requires("nnviz") or [] if "extra ==" not in requirement}
    assert {"dask", "distributed"} <= required


def test_only_nginx_publishes_a_port_and_the_backend_is_internal():
    published = {name: service["ports"] for name, service in SERVICES.items() if "ports" in service}
    assert published == {"nginx": ["8080:8080"]}
    assert directive(NGINX_DIR / "nginx.conf", "listen") == [["8080"]]
    assert COMPOSE["networks"]["backend"]["internal"] is True
    networks = {name: set(service["networks"]) for name, service in SERVICES.items()}
    assert networks.pop("nginx") == {"frontend"}
    assert all(networks.pop(name) == {"backend", "frontend"} for name in API)
    assert all(attached == {"backend"} for attached in networks.values()), networks  # database, Dask, migrate
    assert not any("expose" in service for service in SERVICES.values())


def test_postgres_keeps_its_data_in_a_named_volume():
    volume, target = SERVICES["postgres"]["volumes"][0].split(":")
    assert volume in COMPOSE["volumes"] and target == "/var/lib/postgresql/data"


def test_api_servers_share_database_scheduler_and_key():
    first, second = (SERVICES[name] for name in API)
    assert first == second
    environment = first["environment"]
    postgres = SERVICES["postgres"]["environment"]
    url = re.fullmatch(r"postgresql://(\w+):(.+)@postgres:5432/(\w+)", environment["NNVIZ_DATABASE_URL"])
    assert url and url.groups() == (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"])
    assert SERVICES["migrate"]["environment"]["NNVIZ_DATABASE_URL"] == environment["NNVIZ_DATABASE_URL"]
    scheduler = SERVICES["dask-scheduler"]["command"]
    address = f"tcp://dask-scheduler:{scheduler[scheduler.index('--port') + 1]}"
    assert environment["NNVIZ_DASK_SCHEDULER"] == address and SERVICES["dask-worker"]["command"][2] == address
    assert environment["NNVIZ_SECRET_KEY"] == "${NNVIZ_SECRET_KEY:-}"  # empty: one key, made and kept in the database


def test_every_service_starts_after_what_it_needs_is_healthy():
    conditions = {name: {target: rule["condition"] for target, rule in service.get("depends_on", {}).items()}
                  for name, service in SERVICES.items()}
    assert conditions["migrate"] == {"postgres": "service_healthy"}
    assert conditions["api-1"] == {"migrate": "service_completed_successfully", "dask-scheduler": "service_healthy"}
    assert conditions["nginx"] == {"api-1": "service_healthy", "api-2": "service_healthy"}
    for name, targets in conditions.items():
        for target, condition in targets.items():
            # The image's own HEALTHCHECK asks the API; anything else of our image must bring its own.
            healthy = "test" in SERVICES[target].get("healthcheck", {}) or target in API
            assert condition != "service_healthy" or healthy, f"{name} waits for {target}, which has no health check"
    for name in OURS - {"migrate", *API}:
        assert SERVICES[name]["healthcheck"]["test"][0] == "CMD", name


def test_nginx_streams_events_unbuffered_to_both_servers():
    proxy = NGINX_DIR / "proxy.conf"
    assert directive(proxy, "proxy_buffering") == [["off"]]
    assert directive(proxy, "proxy_cache") == [["off"]]
    assert directive(proxy, "proxy_http_version") == [["1.1"]]
    assert directive(proxy, "proxy_read_timeout") == [["1h"]]  # far beyond the event stream's 15 s pings
    headers = {words[0]: words[1] for words in directive(proxy, "proxy_set_header")}
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for" and headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$http_host"
    assert directive(proxy, "client_max_body_size") == [[str(Settings.model_fields["max_body_bytes"].default)]]
    servers = [words[0] for words in directive(NGINX_DIR / "nginx.conf", "server") if words]
    assert servers == [f"{name}:{SERVICES[name]['command'][-1]}" for name in API]
    assert directive(NGINX_DIR / "nginx.conf", "include") == [["proxy.conf"]]


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run does)")
    # The API servers' names resolve only inside compose's network: loopback stands in for them.
    for path in NGINX_DIR.iterdir():
        (tmp_path / path.name).write_text(re.sub(r"api-\d+:", "127.0.0.1:", path.read_text()))
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e",
                             str(tmp_path / "error.log"), "-g", f"pid {tmp_path / 'nginx.pid'};"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def compose_command() -> list[str] | None:
    """`docker compose` (the plugin), else `docker-compose`, where a Docker engine answers."""
    if shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return None
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_docker_compose_accepts_the_file():
    command = compose_command()
    if command is None:
        pytest.skip("no Docker engine with Compose answers here")
    result = subprocess.run([*command, "--file", str(ROOT / "compose.yaml"), "config", "--quiet"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
