"""docker-compose.yml, the Dockerfile and the README's Docker section agree with each other and
with the original project: the services and commands the README promises are the ones compose
runs, the original project's `.env` still works, and no secret can end up in the image.

No Docker engine runs on CI machines: CI also validates the files with `docker-compose config`
and hadolint (`make docker-lint`), and test_container_startup.py runs the web command itself.
"""

import re
from pathlib import Path

import pytest
import yaml

from tests.support.processes import ROOT, python, settings_free_env

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
README = (ROOT / "README.md").read_text()
SEED_ENV = ROOT / "tests" / "data" / "seed.env"


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as compose's `env_file` reads the original project's (unquoted) file."""
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value
    return pairs


def readme_services_table() -> dict[str, dict[str, str]]:
    marker = README.index("<!-- compose-services:")
    lines = README[marker:].splitlines()[1:]
    rows = {}
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        service, image, command, after = (cell.strip() for cell in line.strip("|").split("|"))
        rows[service.strip("`")] = {"image": image, "command": command, "after": after}
    return rows


def readme_shell_lines() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]


def test_the_seeds_three_services_and_the_shared_cache():
    assert {"db", "web", "bot", "redis"} <= set(SERVICES)
    # Anything more is for a profile only: a plain `docker compose up` runs the seed's stack.
    extra = set(SERVICES) - {"db", "web", "bot", "redis"}
    assert all(SERVICES[name].get("profiles") for name in extra), extra


def test_the_scale_profile_balances_bot_replicas_with_the_official_nginx():
    lb = SERVICES["lb"]
    assert lb["profiles"] == ["scale"]
    assert re.fullmatch(r"nginx:\d+(\.\d+)*-alpine", lb["image"]), "pin the major version"
    source, target, mode = lb["volumes"][0].split(":")
    assert (ROOT / source).is_file(), source
    assert (target, mode) == ("/etc/nginx/conf.d/default.conf", "ro")
    config = (ROOT / source).read_text()
    # Every replica, found per request (scaling), on the port the bot listens on by default.
    assert "resolver 127.0.0.11" in config
    assert "http://bot:8443" in config
    assert "non_idempotent" in config  # a failed delivery may go to the next replica
    assert "ports" not in SERVICES["bot"], "replicas are reached through lb, never directly"
    assert "docker compose --profile scale up -d --scale bot=3" in README


def test_web_and_bot_share_the_redis_cache_once_it_answers():
    redis = SERVICES["redis"]
    assert re.fullmatch(r"redis:\d+(\.\d+)*-alpine", redis["image"]), "pin the major version"
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "ports" not in redis, "the cache is for the containers only"
    for name in ("web", "bot"):
        service = SERVICES[name]
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0", name


def test_database_keeps_its_data_in_the_pgdata_volume_and_has_a_healthcheck():
    db = SERVICES["db"]
    assert db["image"] == "postgres:16-alpine"
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert "pgdata" in COMPOSE["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_web_and_bot_run_one_image_built_from_the_dockerfile():
    web, bot = SERVICES["web"], SERVICES["bot"]
    assert web["build"] == bot["build"] == "."
    assert web["image"] == bot["image"]
    assert (ROOT / "Dockerfile").is_file()


def test_every_service_restarts_and_the_seeds_read_the_env_file():
    for name, service in SERVICES.items():
        assert service["restart"] == "unless-stopped", name
        # The cache and the balancer need none of the secrets in .env.
        assert service.get("env_file") == (None if name in {"redis", "lb"} else ".env"), name


def test_readme_table_describes_what_compose_runs():
    table = readme_services_table()
    assert set(table) == set(SERVICES)
    for name, row in table.items():
        service = SERVICES[name]
        assert f"`{service['image']}`" == row["image"], name
        if "command" in service:
            documented = re.match(r"`([^`]+)`", row["command"])
            assert documented, f"{name}: the README gives no command"
            assert documented.group(1) == " ".join(service["command"]), name
        else:
            assert "the image's own" in row["command"], name
        waits_for = set(re.findall(r"`(\w+)` healthy", row["after"]))
        depends_on = service.get("depends_on", {})
        assert waits_for == set(depends_on), name
        assert all(dep["condition"] == "service_healthy" for dep in depends_on.values()), name


def test_bot_starts_only_after_web_has_migrated():
    assert SERVICES["bot"]["depends_on"]["web"]["condition"] == "service_healthy"
    # web turns healthy when gunicorn answers, and gunicorn starts after migrate succeeded.
    script = (ROOT / SERVICES["web"]["command"][0]).read_text().splitlines()
    steps = [line for line in script if line and not line.startswith("#")]
    assert "set -eu" in steps
    migrate = next(i for i, s in enumerate(steps) if "manage.py migrate" in s)
    collect = next(i for i, s in enumerate(steps) if "manage.py collectstatic" in s)
    gunicorn = next(i for i, s in enumerate(steps) if s.startswith("exec gunicorn"))
    assert migrate < collect < gunicorn


def test_readme_has_the_seeds_commands():
    lines = readme_shell_lines()
    for command in [
        "docker compose build",
        "docker compose up -d",
        "docker compose exec web python manage.py createsuperuser",
        "docker compose exec web pytest",
        "docker compose logs -f web",
        "docker compose logs -f bot",
        "docker compose logs -f db",
        "docker compose stop",
        "docker compose start",
        "docker compose down",
        "docker compose down -v",
    ]:
        assert command in lines, command


def test_readme_commands_name_existing_services():
    mentioned = set()
    for line in readme_shell_lines():
        if not line.startswith("docker compose "):
            continue
        subcommand, *args = [w for w in line.split()[2:] if not w.startswith("-")]
        if subcommand == "exec":
            mentioned.add(args[0])  # the rest runs inside that container
        elif subcommand in {"logs", "restart", "stop", "start", "up"}:
            mentioned.update(args)
    assert mentioned == set(SERVICES)


def test_env_example_starts_with_the_seeds_env_unchanged():
    seed = parse_env_file(SEED_ENV)
    example = parse_env_file(ROOT / ".env.example")
    assert {key: example.get(key) for key in seed} == seed
    assert "TELEGRAM_BOT_TOKEN" in example


def test_the_seeds_env_configures_postgresql_on_the_db_service():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], d['USER'], s.DEBUG)"
    )
    output = python(settings_free_env(**parse_env_file(SEED_ENV)), code)
    assert output.split() == [
        "django.db.backends.postgresql",
        "db",
        "5432",
        "calendar_db",
        "calendar_user",
        "True",
    ]


def test_image_runs_as_an_unprivileged_user():
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert users, "the image would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dependencies_are_installed_before_the_code_is_copied():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    deps = lines.index("COPY pyproject.toml ./")
    install = next(i for i, line in enumerate(lines) if "pip install" in line)
    code = lines.index("COPY . .")
    assert deps < install < code


@pytest.mark.parametrize("secret", [".env", "bot_secrets.py"])
def test_secrets_stay_out_of_the_build_context(secret):
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert secret in ignored or f"**/{secret}" in ignored
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert not re.search(r"^(ENV|ARG)\s+\S*(SECRET|TOKEN|PASSWORD)", dockerfile, re.MULTILINE)
