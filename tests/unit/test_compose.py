"""The Docker stack (docker-compose.yml, docker/Dockerfile, .env.example), checked statically.

There is no Docker engine on the build machine, so nothing here starts a container: the files are
parsed and held to the rules the stack depends on. Each rule is a function returning a list of
problems; `test_checks_catch_broken_stacks` feeds them broken copies to show that they can fail."""

from __future__ import annotations

import copy
import json
import posixpath
import re
import shlex
import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from etl.config import (
    AIRFLOW_CONNECTIONS,
    ENV_BOARD_DIR,
    ENV_LANDING_SETTLE_SECONDS,
    ENV_READER_PROCESSES,
    ENV_RETRIES,
    ENV_RETRY_DELAY_SECONDS,
    ENVIRONMENT_VARIABLES,
)
from etl.orchestration.celery_stack import setting_names
from etl.warehouse.db import normalize_url

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEV_COMPOSE_FILE = ROOT / "docker" / "compose.dev.yml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
DOCKERIGNORE = ROOT / "docker" / "Dockerfile.dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
PYPROJECT = ROOT / "pyproject.toml"

REQUIRED_SERVICES = {
    "postgres-airflow", "postgres-warehouse", "redis", "mailpit",
    "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
    "airflow-triggerer", "airflow-worker", "warehouse-init", "airflow-cli",
}
# Services that run once and exit (no health check; others may wait for them to complete).
ONE_SHOT = {"airflow-init", "warehouse-init", "airflow-cli"}
# What each long-running Airflow component must run (the image's entrypoint prepends `airflow`).
AIRFLOW_COMMANDS = {
    "airflow-apiserver": ["api-server"],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
    "airflow-worker": ["celery", "worker"],
    "flower": ["celery", "flower"],
}
WAREHOUSE_SERVICE = "postgres-warehouse"
METADATA_SERVICE = "postgres-airflow"
MIGRATION_SERVICE = "warehouse-init"
# The warehouse's group roles (revision 0017): each needs a login, created by warehouse-init.
WAREHOUSE_GROUPS = ("baocao_owner", "baocao_loader", "baocao_analyst")
# etl/config.py names the stack may leave unset: the DAGs' retry settings, the reader processes and
# the landing settle time and the boards' folder (under the data directory) have defaults.
OPTIONAL_ENVIRONMENT_VARIABLES: frozenset[str] = frozenset({
    ENV_RETRIES, ENV_RETRY_DELAY_SECONDS, ENV_READER_PROCESSES, ENV_LANDING_SETTLE_SECONDS, ENV_BOARD_DIR})
ALLOWED_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}

# ------------------------------------------------------------------ compose interpolation

_TOKEN = re.compile(
    r"\$\$"
    r"|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)
# A reference that stops compose when the variable is unset or empty: ${VAR:?message}.
_REQUIRED_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}")


def referenced_variables(text: str) -> set[str]:
    """Variables compose interpolates in `text` (`$$` is an escaped `$`, left to the container)."""
    return {m["name"] or m["bare"] for m in _TOKEN.finditer(text) if m.group(0) != "$$"}


def resolve(text: str, env: Mapping[str, str] | None = None) -> str:
    """Interpolate like compose. Required variables missing from `env` become `<NAME>`."""
    env = env or {}

    def substitute(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m["name"] or m["bare"]
        op, arg = m["op"] or "", m["arg"] or ""
        value = env.get(name)
        present = value is not None and (value != "" or not op.startswith(":"))
        if op.endswith("+"):
            return resolve(arg, env) if present else ""
        if present:
            return value
        if op.endswith("-"):
            return resolve(arg, env)
        if op.endswith("?"):
            return f"<{name}>"
        return ""

    return _TOKEN.sub(substitute, text)


def walk_strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, Mapping):
        return [s for key, value in node.items() for s in walk_strings(key) + walk_strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in walk_strings(item)]
    return []


# ------------------------------------------------------------------ loading

@cache
def _compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


def load_compose() -> dict[str, Any]:
    """A fresh copy each time, so tests may mutate it."""
    return yaml.safe_load(_compose_text())


@cache
def env_example() -> dict[str, str]:
    """NAME=value lines of .env.example, quotes removed."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line.strip())
        if match:
            name, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[name] = value
    return values


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [(parts[0].upper(), parts[1] if len(parts) > 1 else "") for parts in (s.split(None, 1) for s in logical)]


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def command_words(service: Mapping[str, Any]) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def common(compose: Mapping[str, Any]) -> Mapping[str, Any]:
    return compose["x-airflow-common"]


def airflow_services(compose: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The services that run the Airflow image (the x-airflow-common anchor's image)."""
    image = common(compose)["image"]
    return {name: svc for name, svc in compose["services"].items() if svc.get("image") == image}


def volume_mounts(service: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of each volume, interpolated with the defaults."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, Mapping):
            mounts.append((resolve(str(volume.get("source", ""))), str(volume["target"])))
            continue
        parts = resolve(volume).split(":")
        mounts.append((parts[0], parts[1]) if len(parts) > 1 else ("", parts[0]))
    return mounts


# ------------------------------------------------------------------ rules (each returns problems)

def image_problems(compose: Mapping[str, Any]) -> list[str]:
    problems = []
    for name, svc in compose["services"].items():
        image = resolve(str(svc.get("image", "")))
        if not image:
            problems.append(f"{name}: no image (a built image would be tagged latest)")
            continue
        if "@sha256:" in image:
            continue
        repository, _, tag = image.rpartition(":")
        if not repository or "/" in tag:
            problems.append(f"{name}: image {image!r} has no tag")
        elif tag == "latest":
            problems.append(f"{name}: image {image!r} uses latest")
    return problems


def healthcheck_problems(compose: Mapping[str, Any]) -> list[str]:
    problems = []
    for name, svc in compose["services"].items():
        if name in ONE_SHOT:
            continue
        check = svc.get("healthcheck") or {}
        test = check.get("test")
        if not test or check.get("disable") or test == ["NONE"]:
            problems.append(f"{name}: no health check")
    return problems


def depends_on_problems(compose: Mapping[str, Any]) -> list[str]:
    services = compose["services"]
    problems = []
    for name, svc in services.items():
        depends = svc.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {dep: {"condition": "service_started"} for dep in depends}
        for dep, spec in depends.items():
            condition = (spec or {}).get("condition", "service_started")
            if dep not in services:
                problems.append(f"{name} depends on unknown service {dep}")
                continue
            if condition not in ALLOWED_CONDITIONS:
                problems.append(f"{name} -> {dep}: unknown condition {condition}")
            if condition == "service_healthy" and not services[dep].get("healthcheck"):
                problems.append(f"{name} waits for {dep} to be healthy, but {dep} has no health check")
            if condition == "service_completed_successfully" and dep not in ONE_SHOT:
                problems.append(f"{name} waits for long-running {dep} to complete")
            if services[dep].get("profiles") and not svc.get("profiles"):
                problems.append(f"{name} (always started) depends on {dep}, which is only in a profile")
    return problems


def command_problems(compose: Mapping[str, Any]) -> list[str]:
    problems = []
    for name, expected in AIRFLOW_COMMANDS.items():
        svc = compose["services"].get(name)
        if svc is None:
            if name != "flower":
                problems.append(f"{name}: missing")
            continue
        words = command_words(svc)
        if words[: len(expected)] != expected:
            problems.append(f"{name}: runs {words}, expected {expected}")
        if name not in airflow_services(compose):
            problems.append(f"{name}: does not run the Airflow image")
    return problems


def volume_problems(compose: Mapping[str, Any]) -> list[str]:
    declared = set(compose.get("volumes") or {})
    used, problems = set(), []
    for name, svc in compose["services"].items():
        for source, _target in volume_mounts(svc):
            if not source or source.startswith((".", "/", "~")):
                continue  # anonymous volume or bind mount
            used.add(source)
            if source not in declared:
                problems.append(f"{name}: volume {source} is not declared")
    problems += [f"volume {unused} is declared but never used" for unused in sorted(declared - used)]
    return problems


def config_name_problems(compose: Mapping[str, Any]) -> list[str]:
    """The common environment names exactly what etl/config.py reads."""
    env = environment(common(compose))
    problems = [f"{var} (etl.config) is not set" for var in ENVIRONMENT_VARIABLES
                if var not in env and var not in OPTIONAL_ENVIRONMENT_VARIABLES]
    problems += [f"{var} is set but etl.config does not read it" for var in env
                 if (var.startswith("BAOCAO_") or var == "WAREHOUSE_URL") and var not in ENVIRONMENT_VARIABLES]
    expected_conns = {f"AIRFLOW_CONN_{conn_id.upper()}" for conn_id in AIRFLOW_CONNECTIONS}
    actual_conns = {var for var in env if var.startswith("AIRFLOW_CONN_")}
    problems += [f"connection {var} is missing" for var in sorted(expected_conns - actual_conns)]
    problems += [f"{var} is not a connection id of etl.config" for var in sorted(actual_conns - expected_conns)]
    for name, svc in airflow_services(compose).items():
        service_env = environment(svc)
        problems += [f"{name}: {var} differs from the common environment" for var, value in env.items()
                     if service_env.get(var) != value]
    return problems


def topology_setting_problems(compose: Mapping[str, Any]) -> list[str]:
    """The common environment sets exactly the names the tested local topology runs with
    (etl/orchestration/celery_stack.py stack_settings, tests/test_celery_topology.py)."""
    names, tested = set(environment(common(compose))), setting_names()
    return ([f"{var}: the tested topology sets it, the compose file does not" for var in sorted(tested - names)]
            + [f"{var}: set in the compose file, never tested in the topology" for var in sorted(names - tested)])


def _postgres_url_problems(compose: Mapping[str, Any], label: str, raw: str, service: str,
                           login: tuple[str, str] | None = None) -> list[str]:
    """The URL reaches `service`'s database as its POSTGRES_USER or, given, as `login` (a login name
    and the variable holding its password)."""
    parts = urlsplit(resolve(raw))
    svc = compose["services"].get(service)
    if svc is None:
        return [f"{label}: service {service} is missing"]
    svc_env = {k: resolve(v) for k, v in environment(svc).items()}
    problems = []
    if parts.hostname != service:
        problems.append(f"{label}: host {parts.hostname!r} is not the service {service}")
    if login is None:
        if parts.username != svc_env.get("POSTGRES_USER"):
            problems.append(f"{label}: user {parts.username!r} is not {service}'s POSTGRES_USER")
        if parts.password != svc_env.get("POSTGRES_PASSWORD"):
            problems.append(f"{label}: password is not {service}'s POSTGRES_PASSWORD variable")
    else:
        if parts.username != login[0]:
            problems.append(f"{label}: user {parts.username!r} is not the login {login[0]}")
        if parts.password != f"<{login[1]}>":
            problems.append(f"{label}: password is not the variable {login[1]}")
    if parts.path.lstrip("/") != svc_env.get("POSTGRES_DB"):
        problems.append(f"{label}: database {parts.path!r} is not {service}'s POSTGRES_DB")
    if parts.port not in (None, 5432):
        problems.append(f"{label}: port {parts.port} is not PostgreSQL's 5432 inside the network")
    return problems


_LOGIN_SPEC = re.compile(r"--login\s+([A-Za-z_][A-Za-z0-9_]*)=([a-z_]+):([A-Za-z_][A-Za-z0-9_]*)")


def warehouse_logins(compose: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """group -> (login, password variable) of the logins warehouse-init's role bootstrap creates."""
    script = " ".join(command_words(compose["services"].get(MIGRATION_SERVICE, {})))
    return {group: (login, variable) for login, group, variable in _LOGIN_SPEC.findall(script)}


def role_problems(compose: Mapping[str, Any]) -> list[str]:
    """Least privilege: the ETL connects as a login in baocao_loader, the migrations as one in
    baocao_owner, analysts have one in baocao_analyst; the superuser's password reaches
    warehouse-init's role bootstrap only."""
    logins = warehouse_logins(compose)
    problems = [f"{MIGRATION_SERVICE} creates no login in {group}" for group in WAREHOUSE_GROUPS if group not in logins]
    if problems:
        return problems
    init = compose["services"][MIGRATION_SERVICE]
    init_env = environment(init)
    for login, variable in logins.values():
        if resolve(init_env.get(variable, "")) != f"<{variable}>":
            problems.append(f"{MIGRATION_SERVICE}: the password of {login} ({variable}) is not in its environment")
    problems += _postgres_url_problems(compose, "WAREHOUSE_MIGRATOR_URL", init_env.get("WAREHOUSE_MIGRATOR_URL", ""),
                                       WAREHOUSE_SERVICE, logins["baocao_owner"])
    problems += _postgres_url_problems(compose, "WAREHOUSE_ADMIN_URL", init_env.get("WAREHOUSE_ADMIN_URL", ""),
                                       WAREHOUSE_SERVICE)
    script = resolve(" ".join(command_words(init)))
    if not re.search(r"schema roles --url \"\$\{?WAREHOUSE_ADMIN_URL\}?\"", script):
        problems.append(f"{MIGRATION_SERVICE}: the role bootstrap does not run as WAREHOUSE_ADMIN_URL (the superuser)")
    if not re.search(r"WAREHOUSE_URL=\"\$\{?WAREHOUSE_MIGRATOR_URL\}?\" baocao db upgrade\s*$", script):
        problems.append(f"{MIGRATION_SERVICE}: `baocao db upgrade` does not run as WAREHOUSE_MIGRATOR_URL (the owner)")
    superuser_password = environment(compose["services"][WAREHOUSE_SERVICE]).get("POSTGRES_PASSWORD", "")
    for name, svc in [("x-airflow-common", common(compose)), *compose["services"].items()]:
        if name in (WAREHOUSE_SERVICE, MIGRATION_SERVICE):
            continue
        leaked = [var for var, value in environment(svc).items() if superuser_password in value]
        problems += [f"{name}.{var}: the warehouse superuser's password" for var in leaked]
    return problems


def url_problems(compose: Mapping[str, Any]) -> list[str]:
    env = environment(common(compose))
    loader = warehouse_logins(compose).get("baocao_loader", ("<a login in baocao_loader>", "?"))
    problems = _postgres_url_problems(compose, "WAREHOUSE_URL", env.get("WAREHOUSE_URL", ""), WAREHOUSE_SERVICE,
                                      loader)
    problems += _postgres_url_problems(compose, "AIRFLOW_CONN_BAOCAO_WAREHOUSE",
                                       env.get("AIRFLOW_CONN_BAOCAO_WAREHOUSE", ""), WAREHOUSE_SERVICE, loader)
    problems += _postgres_url_problems(compose, "SQL_ALCHEMY_CONN",
                                       env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""), METADATA_SERVICE)
    backend = env.get("AIRFLOW__CELERY__RESULT_BACKEND", "")
    if not backend.startswith("db+postgresql"):
        problems.append(f"result backend {backend!r} is not db+postgresql")
    problems += _postgres_url_problems(compose, "RESULT_BACKEND", backend.removeprefix("db+"), METADATA_SERVICE)
    broker = urlsplit(resolve(env.get("AIRFLOW__CELERY__BROKER_URL", "")))
    if broker.scheme != "redis" or broker.hostname != "redis" or "redis" not in compose["services"]:
        problems.append("the Celery broker is not redis://...@redis")
    redis_words = [resolve(word) for word in command_words(compose["services"].get("redis", {}))]
    if "--requirepass" in redis_words and broker.password != redis_words[redis_words.index("--requirepass") + 1]:
        problems.append("the broker URL's password is not redis's --requirepass")
    return problems


_SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY$|_AUTH$")
_URL_PASSWORD = re.compile(r"://[^/\s:@]*:(?P<password>\$\{[^}]*\}|[^@\s/]*)@")


def _placeholder(password: str) -> bool:
    """A webhook URL on a reserved domain (RFC 2606 .invalid): a template's placeholder, never a secret."""
    return re.fullmatch(r"https?://[^/\s]+\.invalid(/\S*)?", password) is not None


def _literal_secrets(label: str, value: str, secret_name: bool) -> list[str]:
    if secret_name and not _REQUIRED_REFERENCE.fullmatch(value):
        return [f"{label}: {value!r} is not a ${{VAR:?...}} reference to .env"]
    problems = [f"{label}: URL password {m['password']!r} is a literal" for m in _URL_PASSWORD.finditer(value)
                if not _REQUIRED_REFERENCE.fullmatch(m["password"])]
    if value.lstrip().startswith("{"):
        try:
            conn = json.loads(value)
        except ValueError:
            return problems
        if isinstance(conn, Mapping) and conn.get("password") and not _placeholder(str(conn["password"])):
            problems.append(f"{label}: JSON connection with a literal password")
    return problems


def secret_problems(compose: Mapping[str, Any]) -> list[str]:
    """No password, key or token is written into the compose file: they all come from .env."""
    problems = []
    sources = {"x-airflow-common": common(compose), **compose["services"]}
    for name, svc in sources.items():
        for var, value in environment(svc).items():
            problems += _literal_secrets(f"{name}.{var}", value, bool(_SECRET_NAME.search(var)))
        words = command_words(svc)
        for i, word in enumerate(words):
            follows_flag = i > 0 and words[i - 1].startswith("--") and "pass" in words[i - 1]
            problems += _literal_secrets(f"{name} command", word, follows_flag)
    return problems


def env_reference_problems(compose_texts: list[str], documented: Mapping[str, str]) -> list[str]:
    """Compose interpolates the parsed values (not the comments); .env.example must list each one."""
    strings = [s for text in compose_texts for s in walk_strings(yaml.safe_load(text))]
    referenced = set().union(*(referenced_variables(s) for s in strings))
    problems = [f"${{{var}}} is not listed in .env.example" for var in sorted(referenced - set(documented))]
    problems += [f".env.example lists {var}, which the compose file never uses"
                 for var in sorted(set(documented) - referenced)]
    return problems


# ------------------------------------------------------------------ tests


def test_compose_parses_and_has_the_required_services():
    compose = load_compose()
    assert set(compose["services"]) >= REQUIRED_SERVICES, REQUIRED_SERVICES - set(compose["services"])
    assert {"airflow-cli", "flower"} == {n for n, s in compose["services"].items() if s.get("profiles")}


def test_every_image_is_pinned():
    assert image_problems(load_compose()) == []


def test_airflow_image_is_built_from_the_pinned_official_base():
    compose = load_compose()
    build = common(compose)["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    froms = [args.split() for instr, args in dockerfile_instructions(DOCKERFILE.read_text()) if instr == "FROM"]
    assert len(froms) == 1, froms
    base = next(word for word in froms[0] if not word.startswith("--"))
    match = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)-python(\d+\.\d+)", base)
    assert match, f"FROM {base}: not a pinned apache/airflow:<version>-python<x.y> tag"
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    pins = [req for req in project["optional-dependencies"]["airflow"] if req.startswith("apache-airflow==")]
    assert pins == [f"apache-airflow=={match[1]}"], "the image's Airflow differs from pyproject.toml's pin"
    assert f">={match[2]}" in project["requires-python"], "the image's Python is not the project's"
    assert len(airflow_services(compose)) >= len(AIRFLOW_COMMANDS) + 2  # components + the init services


def dockerfile_copies() -> dict[str, str]:
    """COPY source -> absolute target in the image (relative targets resolved against WORKDIR)."""
    workdir, copies = "/", {}
    for instr, args in dockerfile_instructions(DOCKERFILE.read_text()):
        if instr == "WORKDIR":
            workdir = args.strip()
        if instr == "COPY":
            *sources, target = [word for word in args.split() if not word.startswith("--")]
            for source in sources:
                name = source.rstrip("/")
                absolute = target if target.startswith("/") else f"{workdir.rstrip('/')}/{target}"
                if absolute.endswith("/") and not source.endswith("/"):
                    absolute += name  # COPY file dir/ -> dir/file
                copies[name] = posixpath.normpath(absolute)
    return copies


def test_dockerfile_builds_the_code_and_dags_into_the_image():
    copies = dockerfile_copies()
    for source in ("pyproject.toml", "README.md", "etl", "sql", "reference", "expectations", "dags"):
        assert source in copies, f"docker/Dockerfile does not COPY {source}"
        assert (ROOT / source).exists(), source
    assert copies["dags"] == environment(common(load_compose()))["AIRFLOW__CORE__DAGS_FOLDER"]
    # etl/paths.py reads sql/, reference/ and expectations/ next to the etl package: the image
    # keeps the checkout's layout, and installs the package editable from there.
    project = Path(copies["pyproject.toml"]).parent
    for source in ("etl", "sql", "reference", "expectations", "README.md"):
        assert Path(copies[source]) == project / source, (source, copies[source])
    user, installs = "root", []
    for instr, args in dockerfile_instructions(DOCKERFILE.read_text()):
        if instr == "USER":
            user = args.split(":")[0].strip()
        if instr == "RUN" and "pip install" in args:
            installs.append((user, args))
    assert installs, "no pip install"
    for user, args in installs:
        assert user == "airflow", "the official image wants packages installed as the airflow user"
        assert '-e ".[production]"' in args and "--no-cache-dir" in args, args
    ignored = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert not ignored & set(copies), f"the build context excludes what the image copies: {ignored & set(copies)}"


def test_executor_is_celery_with_redis_broker_and_postgres_backend():
    env = environment(common(load_compose()))
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"].lower() in ("true", "false")
    assert urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]).hostname == "airflow-apiserver"


def test_airflow_components_run_the_right_commands():
    assert command_problems(load_compose()) == []


def test_every_long_running_service_has_a_healthcheck():
    assert healthcheck_problems(load_compose()) == []


def test_health_checks_probe_each_component():
    services = load_compose()["services"]

    def probe(name: str) -> str:
        return " ".join(str(word) for word in services[name]["healthcheck"]["test"])

    assert "localhost:8080/api/v2/monitor/health" in probe("airflow-apiserver")
    assert "8080:8080" in [resolve(port) for port in services["airflow-apiserver"]["ports"]]
    assert "localhost:8974/health" in probe("airflow-scheduler")
    assert environment(services["airflow-scheduler"])["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"
    assert "--job-type DagProcessorJob" in probe("airflow-dag-processor")
    assert "--job-type TriggererJob" in probe("airflow-triggerer")
    assert "inspect ping" in probe("airflow-worker")
    assert "pg_isready" in probe("postgres-airflow") and "pg_isready" in probe("postgres-warehouse")
    assert "redis-cli ping" in probe("redis")


def test_depends_on_conditions_reference_existing_services():
    assert depends_on_problems(load_compose()) == []


def test_airflow_waits_for_its_init_and_workers_for_the_warehouse():
    compose = load_compose()
    for name in AIRFLOW_COMMANDS:
        depends = compose["services"][name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
        assert depends[METADATA_SERVICE]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    worker = compose["services"]["airflow-worker"]["depends_on"]
    assert worker["warehouse-init"]["condition"] == "service_completed_successfully"
    assert worker[WAREHOUSE_SERVICE]["condition"] == "service_healthy"
    init_script = " ".join(command_words(compose["services"]["airflow-init"]))
    assert "airflow db migrate" in init_script and "airflow users create" in init_script
    assert command_words(compose["services"]["warehouse-init"])[-1].rstrip().endswith("baocao db upgrade")


def test_environment_uses_the_configuration_names_of_the_code():
    assert config_name_problems(load_compose()) == []


def test_the_environment_is_the_one_the_topology_test_runs_with():
    assert topology_setting_problems(load_compose()) == []


def test_each_component_connects_to_the_warehouse_with_its_own_role():
    assert role_problems(load_compose()) == []
    assert set(warehouse_logins(load_compose())) == set(WAREHOUSE_GROUPS)


def test_connection_and_database_urls_point_at_the_right_services():
    compose = load_compose()
    assert url_problems(compose) == []
    url = resolve(environment(common(compose))["WAREHOUSE_URL"])
    assert normalize_url(url).startswith("postgresql+psycopg://")


def test_landing_and_data_directories_are_volumes_on_every_airflow_service():
    compose = load_compose()
    env = environment(common(compose))
    for name, svc in airflow_services(compose).items():
        targets = {target for _source, target in volume_mounts(svc)}
        for var in ("BAOCAO_LANDING_URL", "BAOCAO_DATA_DIR"):
            assert env[var] in targets, f"{name}: {var}={env[var]} is not on a volume"
        assert "/opt/airflow/logs" in targets, name


def test_volumes_are_declared_and_used():
    assert volume_problems(load_compose()) == []


def test_every_variable_is_listed_in_env_example():
    texts = [_compose_text(), DEV_COMPOSE_FILE.read_text()]
    assert env_reference_problems(texts, env_example()) == []


def test_env_example_documents_each_variable_and_holds_no_secret():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"[A-Za-z_][A-Za-z0-9_]*=", line):
            assert i > 0 and lines[i - 1].startswith("#"), f".env.example: {line.split('=')[0]} has no comment"
    for name, value in env_example().items():
        if _SECRET_NAME.search(name):
            assert value == "", f".env.example: {name} must be left empty"
        assert _literal_secrets(f".env.example {name}", value, secret_name=False) == []
        if name.endswith("_CONN"):
            assert json.loads(value)["conn_type"], name


def test_development_smtp_connection_reaches_mailpit_without_tls():
    compose = load_compose()
    assert environment(common(compose))["AIRFLOW_CONN_BAOCAO_SMTP"].startswith("${BAOCAO_SMTP_CONN:?")
    conn = json.loads(env_example()["BAOCAO_SMTP_CONN"])
    mailpit = compose["services"]["mailpit"]
    assert conn["conn_type"] == "smtp"
    assert conn["host"] == "mailpit"
    assert conn["port"] == 1025 and 1025 in mailpit["expose"]
    # JSON booleans: in the URI form every extra is a string and SmtpHook's bool("false") is True.
    assert conn["extra"]["disable_ssl"] is True and conn["extra"]["disable_tls"] is True
    assert conn["extra"]["from_email"]
    assert any(resolve(port).endswith(":8025") for port in mailpit["ports"])


def test_no_secret_literals_in_the_stack():
    assert secret_problems(load_compose()) == []


def test_dev_override_mounts_the_checkout_where_the_image_has_it():
    dev = yaml.safe_load(DEV_COMPOSE_FILE.read_text())
    compose = load_compose()
    copies = dockerfile_copies()
    image_paths = {folder: copies[folder] for folder in ("dags", "etl", "sql", "reference", "expectations")}
    assert dev["services"], "no services in the dev override"
    for name, svc in dev["services"].items():
        assert name in airflow_services(compose), f"dev override names {name}, not an Airflow service"
        mounts = dict(volume_mounts(svc))
        for folder, target in image_paths.items():
            assert mounts.get(f"./{folder}") == target, f"{name}: ./{folder} not mounted at {target}"
        assert all((ROOT / source).is_dir() for source in mounts), name


def _set_env(var: str, value: str | None) -> Callable[[dict[str, Any]], None]:
    def mutate(compose: dict[str, Any]) -> None:
        env = common(compose)["environment"]
        if value is None:
            del env[var]
        else:
            env[var] = value
    return mutate


MUTATIONS = {
    "latest image": (lambda c: c["services"]["redis"].update(image="redis:latest"), image_problems),
    "untagged image": (lambda c: c["services"]["mailpit"].update(image="axllent/mailpit"), image_problems),
    "no image": (lambda c: c["services"]["redis"].pop("image"), image_problems),
    "no health check": (lambda c: c["services"]["airflow-triggerer"].pop("healthcheck"), healthcheck_problems),
    "unknown dependency": (lambda c: c["services"]["airflow-worker"]["depends_on"].update(
        postgres={"condition": "service_healthy"}), depends_on_problems),
    "waits for a server to complete": (lambda c: c["services"]["airflow-worker"]["depends_on"].update(
        {"airflow-scheduler": {"condition": "service_completed_successfully"}}), depends_on_problems),
    "wrong worker command": (lambda c: c["services"]["airflow-worker"].update(command="worker"), command_problems),
    "webserver instead of api-server": (lambda c: c["services"]["airflow-apiserver"].update(command="webserver"),
                                        command_problems),
    "undeclared volume": (lambda c: c["volumes"].pop("baocao-landing"), volume_problems),
    "literal database password": (lambda c: c["services"][WAREHOUSE_SERVICE]["environment"].update(
        POSTGRES_PASSWORD="hunter2"), secret_problems),
    "password with a default": (_set_env("AIRFLOW__CORE__FERNET_KEY", "${AIRFLOW_FERNET_KEY:-changeme}"),
                                secret_problems),
    "literal password in a URL": (_set_env("WAREHOUSE_URL", "postgresql://baocao:hunter2@postgres-warehouse/baocao"),
                                  secret_problems),
    "literal password in a JSON connection": (_set_env(
        "AIRFLOW_CONN_BAOCAO_SMTP", '{"conn_type": "smtp", "host": "mailpit", "password": "pw"}'), secret_problems),
    "literal webhook URL in a JSON connection": (_set_env(
        "AIRFLOW_CONN_BAOCAO_WEBHOOK", '{"conn_type": "slackwebhook", "password": "https://hooks.slack.com/T/B/x"}'),
        secret_problems),
    "misspelt etl variable": (_set_env("BAOCAO_LANDING_DIR", "/opt/baocao/landing"), config_name_problems),
    "missing etl variable": (_set_env("BAOCAO_ENGINEERS_EMAIL", None), config_name_problems),
    "missing connection": (_set_env("AIRFLOW_CONN_BAOCAO_WEBHOOK", None), config_name_problems),
    "a setting the topology test does not run with": (
        _set_env("AIRFLOW__CELERY__WORKER_AUTOSCALE", "8,2"), topology_setting_problems),
    "a setting the topology test needs is missing": (
        _set_env("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", None), topology_setting_problems),
    "service overrides the environment": (lambda c: c["services"]["airflow-scheduler"].update(
        environment={"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"}), config_name_problems),
    "warehouse URL to another host": (_set_env(
        "WAREHOUSE_URL", "postgresql+psycopg://baocao:${WAREHOUSE_DB_PASSWORD:?x}@warehouse:5432/baocao"),
        url_problems),
    "ETL as the warehouse superuser": (_set_env(
        "WAREHOUSE_URL", "postgresql+psycopg://baocao:${WAREHOUSE_DB_PASSWORD:?x}@postgres-warehouse:5432/baocao"),
        url_problems),
    "Airflow connection as the owner": (_set_env(
        "AIRFLOW_CONN_BAOCAO_WAREHOUSE",
        "postgres://baocao_migrator:${WAREHOUSE_MIGRATOR_PASSWORD:?x}@postgres-warehouse:5432/baocao"), url_problems),
    "superuser password on the workers": (_set_env(
        "BAOCAO_ADMIN", "postgresql://baocao:${WAREHOUSE_DB_PASSWORD:?set it in .env}@postgres-warehouse/baocao"),
        role_problems),
    "migrations as the superuser": (lambda c: c["services"][MIGRATION_SERVICE]["environment"].update(
        WAREHOUSE_MIGRATOR_URL="postgresql+psycopg://baocao:${WAREHOUSE_DB_PASSWORD:?x}@postgres-warehouse:5432/baocao"),
        role_problems),
    "no analyst login": (lambda c: c["services"][MIGRATION_SERVICE].update(command=[
        "bash", "-c", c["services"][MIGRATION_SERVICE]["command"][2].replace("baocao_analyst", "baocao_loader")]),
        role_problems),
    "warehouse URL to the metadata DB": (_set_env(
        "AIRFLOW_CONN_BAOCAO_WAREHOUSE", "postgres://airflow:${AIRFLOW_DB_PASSWORD:?x}@postgres-airflow/airflow"),
        url_problems),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_checks_catch_broken_stacks(mutation: str):
    mutate, check = MUTATIONS[mutation]
    compose = copy.deepcopy(load_compose())
    assert check(compose) == [], "the unbroken stack must pass"
    mutate(compose)
    assert check(compose), f"{check.__name__} missed: {mutation}"


def test_env_reference_check_catches_undocumented_and_stale_variables():
    documented = dict(env_example())
    text = _compose_text() + "\nx-extra: ${SOMETHING_NEW:?set it}\n"
    assert "${SOMETHING_NEW} is not listed in .env.example" in env_reference_problems([text], documented)
    documented["STALE_SETTING"] = ""
    assert ".env.example lists STALE_SETTING, which the compose file never uses" in env_reference_problems(
        [text], documented)
