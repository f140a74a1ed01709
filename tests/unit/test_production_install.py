"""The production install (pyproject's `production` extra, its constraints file, docker/Dockerfile),
checked statically: the stack the compose file runs (CeleryExecutor, FAB logins) must be what the
image installs, pinned to versions that start together.

celery 5.7.0 removed `celery.backends.database.retry`, which the celery provider imports: with it
the scheduler and the workers stop at start on an ImportError. The constraints keep celery (and
kombu, released with it) below 5.7. `make constraints` regenerates the file; nothing here installs."""

from __future__ import annotations

import itertools
import posixpath
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.unit.test_compose import dockerfile_instructions

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
MAKEFILE = ROOT / "Makefile"
DOCKERFILE = ROOT / "docker" / "Dockerfile"

# What the compose file's CeleryExecutor and FAB auth manager need, beyond the `airflow` extra.
PRODUCTION_PROVIDERS = ("apache-airflow-providers-celery", "apache-airflow-providers-fab")
# The first releases that break the celery provider (celery) or came with that release (kombu).
CELERY_CAPS = {"celery": Version("5.7"), "kombu": Version("5.7")}


def constraints_path() -> str:
    """The constraints file, relative to the repo root: the Makefile's CONSTRAINTS, the one source."""
    match = re.search(r"^CONSTRAINTS\s*:?=\s*(\S+)\s*$", MAKEFILE.read_text(), re.MULTILINE)
    assert match, "the Makefile sets no CONSTRAINTS"
    return match[1]


def extras() -> dict[str, list[Requirement]]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    return {name: [Requirement(r) for r in reqs] for name, reqs in project["optional-dependencies"].items()}


def pins(text: str) -> dict[str, Version]:
    """name -> version of a constraints file; every line is a comment or an exact `name==version`."""
    found: dict[str, Version] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==" and not req.url, f"line {number}: not a pin: {line}"
        name = canonicalize_name(req.name)
        assert name not in found, f"line {number}: {name} pinned twice"
        found[name] = Version(spec[0].version)
    return found


def production_requirement_names() -> set[str]:
    """Every distribution the production extra names, the `airflow` extra it includes expanded."""
    all_extras, project = extras(), tomllib.loads(PYPROJECT.read_text())["project"]
    names, to_visit, seen = set(), ["production"], set()
    while to_visit:
        extra = to_visit.pop()
        seen.add(extra)
        for req in all_extras[extra]:
            if canonicalize_name(req.name) == canonicalize_name(project["name"]):
                to_visit += [e for e in req.extras if e not in seen]
            else:
                names.add(canonicalize_name(req.name))
    return names | {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}


# ------------------------------------------------------------------ rules (each returns problems)

def extra_problems(all_extras: dict[str, list[Requirement]]) -> list[str]:
    production = all_extras.get("production")
    if production is None:
        return ["pyproject.toml has no `production` extra"]
    names = {canonicalize_name(r.name): r for r in production}
    problems = [f"the production extra lacks {p}" for p in PRODUCTION_PROVIDERS if p not in names]
    if not any(canonicalize_name(r.name) == "baocao" and "airflow" in r.extras for r in production):
        problems.append("the production extra does not include baocao[airflow]")
    celery = names.get("celery")
    if celery is None or celery.specifier.contains("5.7.0"):
        problems.append("the production extra does not keep celery below 5.7")
    return problems


def constraints_problems(text: str, airflow_pin: str) -> list[str]:
    pinned = pins(text)
    problems = [f"{name} is not pinned" for name in sorted(production_requirement_names()) if name not in pinned]
    for name, cap in CELERY_CAPS.items():
        if name not in pinned:
            problems.append(f"{name} is not pinned")
        elif pinned[name] >= cap:
            problems.append(f"{name}=={pinned[name]}: must be below {cap}")
    if str(pinned.get("apache-airflow")) != airflow_pin:
        problems.append(f"apache-airflow=={pinned.get('apache-airflow')}, pyproject pins {airflow_pin}")
    if "baocao" in pinned:
        problems.append("the constraints pin baocao itself")
    header = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))
    if "make constraints" not in header:
        problems.append("the header does not say how to regenerate the file (make constraints)")
    return problems


def dockerfile_problems(text: str, constraints: str) -> list[str]:
    """The image installs the production extra with the constraints file it copied in."""
    workdir, copied, installs = "/", {}, []
    for instr, args in dockerfile_instructions(text):
        if instr == "WORKDIR":
            workdir = args.strip()
        elif instr == "COPY":
            *sources, target = [w for w in args.split() if not w.startswith("--")]
            for source in sources:
                absolute = posixpath.join(workdir, target)
                if target.endswith("/"):
                    absolute = posixpath.join(absolute, posixpath.basename(source))
                copied[posixpath.normpath(absolute)] = source
        elif instr == "RUN" and "pip install" in args:
            installs.append((workdir, args))
    if not installs:
        return ["no pip install"]
    problems = []
    for cwd, args in installs:
        words = shlex.split(args)
        if ".[production]" not in words:
            problems.append(f"does not install .[production]: {args}")
        given = [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("--constraint", "-c")]
        given += [w.split("=", 1)[1] for w in words if w.startswith("--constraint=")]
        if not given:
            problems.append(f"installs without --constraint: {args}")
        for path in given:
            if copied.get(posixpath.normpath(posixpath.join(cwd, path))) != constraints:
                problems.append(f"--constraint {path} is not the COPY of {constraints}")
    return problems


# ------------------------------------------------------------------ the real files

def airflow_pin() -> str:
    versions = [str(r.specifier).removeprefix("==") for r in extras()["airflow"] if r.name == "apache-airflow"]
    assert len(versions) == 1, versions
    return versions[0]


def test_production_extra_names_the_celery_and_fab_providers():
    assert extra_problems(extras()) == []


def test_constraints_pin_the_stack_with_celery_below_5_7():
    path = ROOT / constraints_path()
    assert path.is_file(), path
    assert constraints_problems(path.read_text(), airflow_pin()) == []


def test_dockerfile_installs_the_production_extra_with_the_constraints():
    assert dockerfile_problems(DOCKERFILE.read_text(), constraints_path()) == []


def test_make_constraints_writes_the_file_the_image_uses():
    text = MAKEFILE.read_text()
    target = re.search(r"^constraints:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert target, "no `make constraints` target"
    assert "$(CONSTRAINTS)" in target[1], target[1]


# ------------------------------------------------------------------ the rules can fail

GOOD_DOCKERFILE = """FROM apache/airflow:3.3.2-python3.11
WORKDIR /opt/baocao
COPY pyproject.toml README.md ./
COPY docker/constraints-3.11.txt docker/
RUN pip install --no-cache-dir -e ".[production]" \\
    --constraint docker/constraints-3.11.txt
"""


@pytest.mark.parametrize(("broken", "expected"), [
    (GOOD_DOCKERFILE.replace(".[production]", ".[airflow]"), "does not install .[production]"),
    (GOOD_DOCKERFILE.replace("    --constraint docker/constraints-3.11.txt\n", "    \n"), "without --constraint"),
    (GOOD_DOCKERFILE.replace("COPY docker/constraints-3.11.txt docker/\n", ""), "is not the COPY"),
    (GOOD_DOCKERFILE.replace("--constraint docker/", "--constraint /tmp/"), "is not the COPY"),
])
def test_dockerfile_rule_catches(broken, expected):
    assert dockerfile_problems(GOOD_DOCKERFILE, "docker/constraints-3.11.txt") == []
    assert any(expected in p for p in dockerfile_problems(broken, "docker/constraints-3.11.txt"))


def test_constraints_rule_catches_celery_5_7_and_missing_pins():
    good = (ROOT / constraints_path()).read_text()
    assert any("celery==5.7.0" in p for p in constraints_problems(
        re.sub(r"(?m)^celery==.*$", "celery==5.7.0", good), airflow_pin()))
    assert any("kombu==5.7.0" in p for p in constraints_problems(
        re.sub(r"(?m)^kombu==.*$", "kombu==5.7.0", good), airflow_pin()))
    assert any("apache-airflow-providers-fab is not pinned" in p for p in constraints_problems(
        re.sub(r"(?m)^apache-airflow-providers-fab==.*\n", "", good), airflow_pin()))


def test_extra_rule_catches_a_missing_provider_or_cap():
    good = extras()
    without_fab = {**good, "production": [r for r in good["production"] if "fab" not in r.name]}
    assert extra_problems(without_fab) == ["the production extra lacks apache-airflow-providers-fab"]
    uncapped = {**good, "production": [Requirement("celery") if r.name.startswith("celery") else r
                                       for r in good["production"]]}
    assert extra_problems(uncapped) == ["the production extra does not keep celery below 5.7"]
