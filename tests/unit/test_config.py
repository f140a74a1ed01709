"""Every setting etl.config names (ENV_* variables, CONN_* Airflow connection ids) is in the
README's settings table, and nothing else reads a baocao setting from the environment."""

from __future__ import annotations

import re
from pathlib import Path

from etl import config
from etl.paths import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
# Where settings may be read: etl/config.py alone (tests/conftest.py sets them for the tests).
CODE_DIRS = ("etl", "dags", "bench")
# A read: os.environ.get(...), os.getenv(...), os.environ[...] not assigned to (setting a
# variable for Airflow or a child process is not reading a setting).
_ENV_READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=[^=])")


def setting_names() -> dict[str, str]:
    """ENV_x / CONN_x constant -> its value, from etl.config."""
    return {name: value for name, value in vars(config).items()
            if re.fullmatch(r"(ENV|CONN)_[A-Z0-9_]+", name) and isinstance(value, str)}


def documented_names(readme: str) -> set[str]:
    """The words of the rows of the Markdown tables (prose does not count)."""
    return {word for line in readme.splitlines() if line.lstrip().startswith("|")
            for word in re.findall(r"[A-Za-z0-9_]+", line)}


def test_every_setting_is_in_a_readme_table() -> None:
    documented = documented_names(README.read_text(encoding="utf-8"))
    missing = sorted(value for value in setting_names().values() if value not in documented)
    assert not missing, f"not in a README table: {missing}"


def test_the_lists_hold_every_name() -> None:
    names = setting_names()
    listed = {*config.ENVIRONMENT_VARIABLES, *config.DEVELOPMENT_VARIABLES, *config.AIRFLOW_CONNECTIONS}
    assert listed == set(names.values())
    assert len(listed) == len(names)
    assert config.connection_env_var(config.CONN_SMTP) == "AIRFLOW_CONN_BAOCAO_SMTP"


def test_the_table_check_sees_a_missing_name() -> None:
    table = "| variable | what |\n| --- | --- |\n| `WAREHOUSE_URL` | the warehouse |\n"
    assert "WAREHOUSE_URL" in documented_names(table)
    assert "WAREHOUSE" not in documented_names(table)
    assert "BAOCAO_DATA_DIR" not in documented_names(table + "prose naming `BAOCAO_DATA_DIR`\n")


def test_no_other_module_reads_settings_from_the_environment() -> None:
    readers = []
    for folder in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if path == Path(config.__file__) or not _ENV_READ.search(text := path.read_text(encoding="utf-8")):
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                # Airflow's own variables (AIRFLOW_HOME, AIRFLOW__...) are Airflow's business.
                if _ENV_READ.search(line) and "AIRFLOW__" not in line and "AIRFLOW_HOME" not in line:
                    readers.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert not readers, "settings read outside etl.config:\n" + "\n".join(readers)
