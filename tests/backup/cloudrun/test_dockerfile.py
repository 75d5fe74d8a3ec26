"""job/Dockerfile and .dockerignore, read the way Docker reads them (instructions per stage,
ignore patterns with last-match-wins), since no Docker engine is needed to check these promises:
pinned base images, a multi-stage build, no dev dependencies, a non-root user."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "job" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEV_TOOLS = {"pytest", "mypy", "ruff", "hypothesis"}


@dataclass
class Instruction:
    keyword: str
    arguments: str


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def logical_lines(text: str) -> list[str]:
    """Join backslash continuations; drop comments and blank lines (as the parser does)."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1].rstrip() + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return lines


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, each with its instructions."""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical_lines(text):
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[0])
            name = words[2].lower() if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, name))
        elif not stages:
            assert keyword == "ARG", f"only ARG may come before the first FROM, not {keyword}"
            key, _, default = rest.partition("=")
            args[key] = default
        else:
            stages[-1].instructions.append(Instruction(keyword, rest))
    return args, stages


def run_words(instruction: Instruction) -> list[str]:
    """The shell words of a RUN, without its --mount/--network flags."""
    words = shlex.split(instruction.arguments)
    while words and words[0].startswith("--"):
        words.pop(0)
    return words


def is_pinned(image: str) -> bool:
    """A digest, or a tag naming an exact release (`3.12.8-slim-bookworm`, not `3.12` or
    `latest`)."""
    if "@sha256:" in image:
        return True
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return "$" not in image and re.match(r"^v?\d+\.\d+\.\d+", tag) is not None


def ignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex over slash-separated relative paths."""
    parts = []
    for token in re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/")):
        if token == "**/":
            parts.append(r"(?:.*/)?")
        elif token == "**":
            parts.append(r".*")
        elif token == "*":
            parts.append(r"[^/]*")
        elif token == "?":
            parts.append(r"[^/]")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts) + "$")


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, ignore_regex(line.removeprefix("!").strip())))
    return rules


def is_ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: a path is matched by a pattern that matches it or one of its parents;
    the last matching pattern decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for negated, regex in rules:
        if any(regex.match(candidate) for candidate in candidates):
            ignored = not negated
    return ignored


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile(DOCKERFILE.read_text())[1]


@pytest.fixture(scope="module")
def rules() -> list[tuple[bool, re.Pattern[str]]]:
    return ignore_rules(DOCKERIGNORE.read_text())


def test_multi_stage_with_pinned_base_images(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    names = set()
    for stage in stages:
        assert stage.image in names or is_pinned(stage.image), f"{stage.image} is not pinned"
        if stage.name:
            names.add(stage.name)
    assert "slim" in stages[-1].image


def test_final_stage_runs_as_a_non_root_user(stages: list[Stage]) -> None:
    users = stages[-1].all("USER")
    assert users, "the final stage sets no USER, so the job would run as root"
    user = users[-1].arguments.split(":")[0].strip()
    assert user not in {"root", "0", ""}
    last_user = max(i for i, ins in enumerate(stages[-1].instructions) if ins.keyword == "USER")
    assert all(ins.keyword != "RUN" for ins in stages[-1].instructions[last_user:])


def test_no_dev_dependencies_anywhere(stages: list[Stage]) -> None:
    """No extra of the package and no package of any extra (dev, function) gets installed."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    names = {
        re.split(r"[<>=!~\[ ;]", spec)[0].lower() for specs in extras.values() for spec in specs
    }
    forbidden = (names - {"lookervault"}) | DEV_TOOLS
    for stage in stages:
        for run in stage.all("RUN"):
            words = run_words(run)
            assert not any("[" in word for word in words), f"an extra is installed: {run}"
            installed = {re.split(r"[<>=!~\[]", word)[0].lower() for word in words}
            assert not installed & forbidden, f"a dev or extra dependency is installed: {run}"


def test_final_stage_installs_the_package_and_copies_nothing_from_the_context(
    stages: list[Stage],
) -> None:
    final = stages[-1]
    installs = [run_words(r) for r in final.all("RUN") if "pip" in run_words(r)]
    assert any(w[:2] == ["pip", "install"] and "lookervault" in w for w in installs)
    assert all("--no-index" in w for w in installs), "the final stage installs only built wheels"
    for copy in final.all("COPY") + final.all("ADD"):
        assert "--from=" in copy.arguments, f"final stage copies from the build context: {copy}"


def pip_commands(stage: Stage) -> list[list[str]]:
    """Each `pip ...` of the stage's RUNs, split at `&&`."""
    commands: list[list[str]] = [[]]
    for run in stage.all("RUN"):
        for word in [*run_words(run), "&&"]:
            if word == "&&":
                commands.append([])
            else:
                commands[-1].append(word)
    return [command for command in commands if command[:1] == ["pip"]]


def test_dependencies_come_only_from_the_locks_checked_against_their_hashes(
    stages: list[Stage],
) -> None:
    """Every pip that reads a requirement file takes wheels whose hashes the lock lists, and
    the package itself brings no dependency of its own (issue 25)."""
    by_lock = {}
    for stage in stages:
        for command in pip_commands(stage):
            if "--requirement" in command:
                lock = command[command.index("--requirement") + 1]
                by_lock.setdefault(Path(lock).name, []).append(command[1])
                assert "--require-hashes" in command and "--only-binary=:all:" in command, command
            elif command[1] in {"install", "wheel", "download"}:
                assert "--no-deps" in command, f"resolves dependencies afresh: {command}"
    assert by_lock == {"build.txt": ["install"], "job.txt": ["download", "install"]}


def test_entrypoint_runs_the_job_module(stages: list[Stage]) -> None:
    [entrypoint] = stages[-1].all("ENTRYPOINT")
    assert json.loads(entrypoint.arguments) == ["python", "-m", "lookervault.backup.job"]


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "tests/conftest.py",
        "tests",
        "src/lookervault/__pycache__/x.pyc",
        "looker.db",
        "src/lookervault.egg-info/PKG-INFO",
        "infra/main.tf",
    ],
)
def test_dockerignore_keeps_out(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> None:
    assert is_ignored(path, rules)


def test_dockerignore_names_the_must_haves_explicitly() -> None:
    explicit = {line.strip().strip("/") for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".venv", ".git", "tests"} <= explicit


def test_dockerignore_lets_in_what_the_builder_copies(
    stages: list[Stage], rules: list[tuple[bool, re.Pattern[str]]]
) -> None:
    sources = [
        word
        for stage in stages
        for copy in stage.all("COPY")
        if "--from=" not in copy.arguments
        for word in copy.arguments.split()[:-1]
    ]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not is_ignored(source.rstrip("/"), rules), source
    assert not is_ignored("src/lookervault/backup/cloudrun.py", rules)


def test_the_parser_sees_through_continuations_and_stages() -> None:
    args, parsed = parse_dockerfile(
        "ARG BASE=python:3.12.8-slim\nFROM ${BASE} AS b\nRUN a \\\n  b\nFROM b\nUSER 0\n"
    )
    assert args == {"BASE": "python:3.12.8-slim"}
    assert [(s.image, s.name) for s in parsed] == [("python:3.12.8-slim", "b"), ("b", None)]
    assert parsed[0].instructions == [Instruction("RUN", "a b")]
    assert not is_pinned("python") and not is_pinned("python:latest")
    assert not is_pinned("python:3.12-slim") and not is_pinned("localhost:5000/python")
    assert is_pinned("gcr.io/x/python:3.12.8") and is_pinned("python@sha256:" + "0" * 64)


def test_base_image_is_an_argument_defaulting_to_the_pinned_official_image() -> None:
    """CI, which reaches no registry, builds on a local base; everyone else gets the official."""
    args, stages = parse_dockerfile(DOCKERFILE.read_text())
    default = args["PYTHON_IMAGE"]
    assert default.startswith("python:") and is_pinned(default) and "slim" in default
    names = {stage.name for stage in stages if stage.name}
    text_froms = [
        line.split()[1] for line in logical_lines(DOCKERFILE.read_text()) if line.startswith("FROM")
    ]
    assert all(image == "${PYTHON_IMAGE}" or image in names for image in text_froms)
