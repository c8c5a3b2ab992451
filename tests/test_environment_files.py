"""pyproject.toml, requirements/lock.txt, environment.yml and binder/ agree with each other.

No conda solver is reachable from the test machines, so this is a static check (see TESTING.md): environment.yml
lists the same packages as pyproject (runtime dependencies + the ``notebooks`` extra) with its ranges, the lock pins
every requirement inside pyproject's ranges for Python 3.10, 3.11 and 3.12, and Binder installs, with pip, exactly
the lock's pins for Python 3.11 (binder/requirements.txt, binder/runtime.txt), what ``make setup`` installs. Files
are compared with files; the one test that reads installed versions compares the project's ``.venv`` (which
``make setup`` installed from the lock) with the lock.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]

# Build and install tooling the environment files may add; not dependencies of lbtools.
TOOLING = {"python", "pip", "setuptools"}
# conda-forge names that differ from the PyPI ones
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(name: str) -> str:
    """PEP 503 normalisation: huggingface_hub == huggingface-hub == HuggingFace.Hub."""
    name = re.sub(r"[-_.]+", "-", name).lower()
    return CONDA_TO_PYPI.get(name, name)


def split_spec(spec: str) -> tuple[str, str]:
    """``"pandas>=2.2"`` → ``("pandas", ">=2.2")``; ``"jupyterlab=4.6.6"`` → ``("jupyterlab", "=4.6.6")``."""
    spec = spec.split("#", 1)[0].strip()
    m = _NAME.match(spec)
    assert m, f"not a package spec: {spec!r}"
    name = m.group(1)
    rest = spec[m.end():].split("[", 1)[0] if spec[m.end():].startswith("[") else spec[m.end():]
    return normalise(name), rest.strip()


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def pyproject_specs() -> dict[str, str]:
    """Runtime dependencies and the notebooks extra: {normalised name: version constraint}."""
    project = pyproject()["project"]
    specs = {}
    for dep in project["dependencies"] + project["optional-dependencies"]["notebooks"]:
        dep = dep.split(";", 1)[0]  # environment markers
        name, constraint = split_spec(re.sub(r"\[[^\]]*\]", "", dep))
        specs[name] = constraint
    return specs


def conda_env(path: Path) -> tuple[dict[str, str], list[str], dict]:
    """({normalised name: constraint} of the conda dependencies, the pip section, the parsed file)."""
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(env, dict), f"{path}: not a mapping"
    conda, pip = {}, []
    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"{path}: unexpected section {dep!r}"
            pip.extend(dep["pip"] or [])
            continue
        name, constraint = split_spec(str(dep))
        assert name not in conda, f"{path}: {name} listed twice"
        conda[name] = constraint
    return conda, pip, env


ENV = REPO / "environment.yml"
BINDER = REPO / "binder"
LOCK = REPO / "requirements" / "lock.txt"
# PEP 508 marker values of Binder's machine (and of this one): Linux x86_64, CPython.
BINDER_MARKERS = {"python_version": "3.11", "sys_platform": "linux", "platform_system": "Linux",
                  "platform_machine": "x86_64", "os_name": "posix", "implementation_name": "cpython",
                  "platform_python_implementation": "CPython"}


def _script(name: str):
    """A module of scripts/ (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def lock_pins(path: Path, environment: dict) -> dict[str, str]:
    return _script("lock").lock_pins(path, environment)


def _version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", v)[:3])


def _satisfies(version: str, constraint: str) -> bool:
    """Does ``version`` meet a PEP 440 constraint like ``>=2.4,<3`` (numeric releases only)?"""
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(constraint).contains(version, prereleases=False)


# ---------------------------------------------------------------------------------------------------------------------


def test_environment_yml_parses_and_names_the_environment():
    _, _, env = conda_env(ENV)
    assert env.get("name") == "lbtools", ENV
    assert env.get("channels") == ["conda-forge"], f"{ENV}: conda-forge only, so the ranges resolve the same way"


def test_environment_yml_lists_the_packages_of_pyproject():
    wanted = set(pyproject_specs())
    conda, _, _ = conda_env(ENV)
    listed = set(conda) - TOOLING
    assert listed == wanted, (
        f"environment.yml and pyproject.toml differ: missing {sorted(wanted - listed)}, extra {sorted(listed - wanted)}"
    )


def test_voila_is_in_the_notebooks_extra_and_environment_yml():
    assert "voila" in pyproject_specs()
    assert "voila" in conda_env(ENV)[0]


def test_environment_yml_follows_pyproject_constraints():
    """environment.yml repeats pyproject's lower/upper bounds (conda spells them the same way)."""
    conda, pip, _ = conda_env(ENV)
    assert conda["python"] in ("=3.11", "==3.11", ">=3.10"), conda["python"]
    for name, constraint in pyproject_specs().items():
        assert conda[name].replace(" ", "") == constraint.replace(" ", ""), (name, conda[name], constraint)
    assert pip == ["-e ."], f"environment.yml installs lbtools itself from the repository with pip: {pip}"


def test_environment_yml_is_up_to_date():
    """environment.yml is written by scripts/sync_binder_env.py (`make lock`) from pyproject.toml."""
    sync = _script("sync_binder_env")
    assert ENV.read_text(encoding="utf-8") == sync.render_env(), "run `make lock` (or scripts/sync_binder_env.py)"


# -- Binder: pip, the lock ---------------------------------------------------------------------------------------


def pip_requirements(path: Path, _seen=None) -> tuple[list[Path], list[str]]:
    """The files pip reads for ``pip install -r path`` (following ``-r``/``--requirement``, each relative to the file
    naming it, as pip does) and every requirement line that is not such a reference."""
    _seen = [] if _seen is None else _seen
    path = path.resolve()
    assert path not in _seen, f"{path} is included twice"
    _seen.append(path)
    other = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"(?:-r|--requirement)[ =]?\s*(\S+)", line)
        if m:
            pip_requirements(path.parent / m.group(1), _seen)
        else:
            other.append(line)
    return _seen, other


def test_binder_is_pip_on_python_311_with_no_conda_file():
    """repo2docker reads only binder/ when it exists, and prefers environment.yml (conda) over requirements.txt:
    binder/ holds requirements.txt and runtime.txt, no environment.yml (nor Pipfile, setup.py)."""
    assert (BINDER / "requirements.txt").is_file()
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    for other in ("environment.yml", "Pipfile", "Pipfile.lock", "setup.py", "Project.toml", "REQUIRE", "install.R"):
        assert not (BINDER / other).exists(), f"binder/{other} would change how repo2docker builds"


def test_binder_installs_exactly_what_make_setup_installs():
    """`pip install -r binder/requirements.txt` (repo2docker, Python 3.11 on Linux) installs the lock and nothing
    else; binder/postBuild then installs lbtools as `make setup` does (editable, no dependencies, no build
    isolation). So Binder's packages are the pins `make setup` installs on Python 3.11."""
    files, others = pip_requirements(BINDER / "requirements.txt")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    lock_path = re.search(r"^LOCK := (\S+)$", makefile, re.M).group(1)
    assert files[1:] == [(REPO / lock_path).resolve()], f"binder/requirements.txt must name only {lock_path}: {files}"
    assert others == [], f"binder/requirements.txt installs more than the lock: {others}"
    for patch in ("3.11.0", "3.11.7", "3.11.99"):
        env = {**BINDER_MARKERS, "python_full_version": patch}
        binder = {}
        for f in files[1:]:
            binder.update(lock_pins(f, env))
        assert binder == lock_pins(REPO / lock_path, env), patch
    setup = makefile[makefile.index("$(STAMP):"):makefile.index("touch $(STAMP)")]
    post = [c.strip() for c in (BINDER / "postBuild").read_text(encoding="utf-8").splitlines()
            if "pip install" in c and not c.lstrip().startswith("#")]
    assert post == ["python -m pip install --no-deps --no-build-isolation --editable ."], post
    assert "$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable ." in setup
    # --no-build-isolation needs the build backend pyproject asks for, in the lock
    pins = lock_pins(LOCK, {**BINDER_MARKERS, "python_full_version": "3.11.7"})
    for req in pyproject()["build-system"]["requires"]:
        name, constraint = split_spec(req)
        assert name in pins and _satisfies(pins[name], constraint), (name, pins.get(name), constraint)


# -- the lock ----------------------------------------------------------------------------------------------------


def all_pyproject_requirements() -> dict[str, str]:
    """Runtime dependencies and every extra (the development environment): {normalised name: constraint}."""
    project = pyproject()["project"]
    deps = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        deps.extend(extra)
    deps.extend(pyproject()["build-system"]["requires"])  # locked for --no-build-isolation
    return {split_spec(re.sub(r"\[[^\]]*\]", "", d.split(";", 1)[0]))[0]:
            split_spec(re.sub(r"\[[^\]]*\]", "", d.split(";", 1)[0]))[1] for d in deps}


@pytest.mark.parametrize("python", ["3.10.13", "3.11.7", "3.12.1"])
def test_lock_pins_every_requirement_in_range_for_each_python(python):
    """One pin per package for each supported Python (markers where versions differ), every pyproject requirement
    among them and inside its range: `pip install -r requirements/lock.txt` has nothing left to choose."""
    env = {**BINDER_MARKERS, "python_version": python.rsplit(".", 1)[0], "python_full_version": python}
    pins = lock_pins(LOCK, env)  # raises on two pins of one name for one environment
    for name, constraint in all_pyproject_requirements().items():
        assert name in pins, f"requirements/lock.txt has no pin of {name} for Python {python}: run `make lock`"
        assert _satisfies(pins[name], constraint), f"lock pins {name}=={pins[name]}, pyproject asks {constraint!r}"


def test_lock_is_compiled_by_make_lock_from_pyproject():
    text = LOCK.read_text(encoding="utf-8")
    assert text.startswith("# This file was autogenerated by uv via the following command:\n#    make lock\n"), text[:200]
    assert "# via lbtools (pyproject.toml)" in text
    build_in = [line for line in (REPO / "requirements" / "build.in").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert build_in == pyproject()["build-system"]["requires"]


@pytest.mark.skipif(Path(sys.prefix).resolve() != (REPO / ".venv").resolve(),
                    reason="compares the project's .venv (made by `make setup`) with the lock; this is another Python")
def test_the_venv_holds_exactly_the_lock():
    """`pip freeze` of .venv, less lbtools itself and pip, is the lock's pins for this Python: the one place
    installed versions are compared with anything, since `make setup` installed them from the lock."""
    differ = _script("lock").differences()
    assert not differ, f"{sys.prefix} vs requirements/lock.txt (locked, installed): {differ}; run `make clean setup`"


# -- JupyterLab starts quiet -------------------------------------------------------------------------------------


def test_jupyterlab_news_prompt_is_off_by_a_shipped_override():
    """binder/overrides.json turns off the news prompt (the key and value of the installed JupyterLab's schema);
    that this environment's JupyterLab reads it is the next test."""
    import json

    overrides = json.loads((REPO / "binder" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_jupyterlab_of_this_environment_reads_the_override(tmp_path):
    """JupyterLab's own settings code, with an empty user settings folder, gives the news setting 'Never'."""
    pytest.importorskip("jupyterlab")
    from jupyterlab.labapp import LabApp
    from jupyterlab_server.settings_utils import get_settings

    app = LabApp()
    if not (Path(app.app_settings_dir) / "overrides.json").is_file():
        pytest.skip(f"no overrides.json in {app.app_settings_dir}: not an environment `make setup` made")
    result, _ = get_settings(app.app_settings_dir, app.schemas_dir, str(tmp_path),
                             "@jupyterlab/apputils-extension:notification")
    fetch_news = result["schema"]["properties"]["fetchNews"]
    assert {"const": "false", "title": "Never"} in fetch_news["oneOf"]
    assert fetch_news["default"] == "false"


def test_binder_installs_lbtools_without_downloading():
    """postBuild installs the package from the repo: no dependencies, no build isolation (nothing fetched);
    there is no start script, so nothing runs (or downloads) when the container starts."""
    post = BINDER / "postBuild"
    assert post.is_file() and post.stat().st_mode & 0o111, "binder/postBuild must exist and be executable"
    text = post.read_text(encoding="utf-8")
    commands = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    installs = [c for c in commands if "pip install" in c]
    assert len(installs) == 1, installs
    for flag in ("--no-deps", "--no-build-isolation", "--editable ."):
        assert flag in installs[0], f"postBuild pip install lacks {flag}: {installs[0]}"
    assert not re.search(r"\b(curl|wget|hf_hub_download|snapshot_download|huggingface-cli|hf download)\b", text)
    assert not (BINDER / "start").exists(), "binder/start would run at every container start"
    # the data the notebooks read offline ships inside the package
    package_data = pyproject()["tool"]["setuptools"]["package-data"]["lbtools"]
    assert any(p.startswith("data/") for p in package_data), package_data


def test_readme_has_the_binder_badges():
    """One badge opens 01_rankings in JupyterLab on Binder, one opens the dashboard notebook in Voila."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"https://mybinder\.org/v2/[^\s)\"']+", readme)
    assert any("urlpath=lab/tree/notebooks/01_rankings.ipynb" in u for u in links), links
    assert any("urlpath=voila/render/notebooks/dashboard.ipynb" in u for u in links), links
    assert (REPO / "notebooks" / "01_rankings.ipynb").is_file()
