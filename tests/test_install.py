"""The wheel contributes pyNN.neurox to PyNN's package and no generic top-level names;
built and installed (not editable) in a fresh venv, it holds every module and data file
and its `neurox compare` runs a bundled model (the `slow` tests)."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest


def test_backend_importable_as_pynn_neurox():
    import pyNN.neurox as sim
    assert sim.Population.__module__ == "pyNN.neurox.populations"


def test_subpackages_live_under_pynn_neurox():
    assert importlib.util.find_spec("pyNN.neurox.validation") is not None
    assert importlib.util.find_spec("pyNN.neurox.hardware_models") is not None


def test_no_generic_top_level_names():
    for name in ("validation", "hardware_models", "pynn_neurox"):
        spec = importlib.util.find_spec(name)
        assert spec is None or "site-packages" not in (spec.origin or ""), name


# --- a real, non-editable install: the wheel in a fresh virtual environment -------------

# setup.cfg's package_dir: each source folder and where its files land in site-packages
SOURCES = {"pynn_neurox": "pyNN/neurox", "validation": "pyNN/neurox/validation",
           "hardware_models": "pyNN/neurox/hardware_models"}
ROOT = Path(__file__).resolve().parents[1]
BUILT_FROM = ["setup.cfg", "pyproject.toml", "README.md", *SOURCES]


def _run(command, **kwargs):
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from a copy of the checkout (the build writes build/ and
    *.egg-info into its source), installed with its dependencies into a fresh venv
    that has no pip of its own (this environment's pip installs into it)."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    for name in BUILT_FROM:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    pip = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", "--no-deps", "-q", "-w", tmp / "dist", source], env=env)
    (wheel,) = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], env=env)
    python = venv / "bin" / "python"
    _run([*pip, "--python", python, "install", "--no-compile", "-q", wheel], env=env)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     env=env, cwd=tmp).stdout.strip())
    return SimpleNamespace(tmp=tmp, source=source, venv=venv, python=python, site=site,
                           env=env)


@pytest.mark.slow
def test_installed_package_is_the_wheel_not_the_checkout(installed):
    done = _run([installed.python, "-c", "import pyNN, pyNN.neurox, pyNN.neurox.validation, "
                 "pyNN.neurox.hardware_models as h; "
                 "print(pyNN.neurox.__file__, pyNN.neurox.validation.__file__, h.__file__, "
                 "pyNN.__file__)"], env=installed.env, cwd=installed.tmp)
    for path in done.stdout.split():
        assert Path(path).is_relative_to(installed.site), path


@pytest.mark.slow
def test_installed_package_holds_every_source_file(installed):
    """Every module and data file of the three source folders is installed: a package
    missing from setup.cfg's `packages`, or data from `package_data`, fails here."""
    missing = []
    for folder, target in SOURCES.items():
        for path in (installed.source / folder).rglob("*"):
            if path.is_file():
                relative = path.relative_to(installed.source / folder)
                if not (installed.site / target / relative).is_file():
                    missing.append(f"{folder}/{relative}")
    assert not missing, "not installed (setup.cfg's packages or package_data): " + \
        ", ".join(missing)
    neurox = installed.site / "pyNN" / "neurox"
    assert {p.stem for p in (neurox / "validation" / "models").glob("*.py")} >= {
        "__init__", "feedforward", "vogels_abbott_cuba", "digits"}
    assert {p.stem for p in (neurox / "hardware_models").glob("*.json")} >= {
        "loihi", "neurocorex"}
    chips = {p.parent.name for p in (neurox / "hardware" / "chips").glob("*/__init__.py")}
    assert chips >= {"loihi", "neurocorex"}
    assert chips == {p.parent.name for p in
                     (installed.source / "pynn_neurox/hardware/chips").glob("*/__init__.py")}


@pytest.mark.slow
def test_wheel_installs_nothing_outside_pynn_neurox(installed):
    done = _run([installed.python, "-c", "from importlib.metadata import files; "
                 "print('\\n'.join(str(f) for f in files('pyNN-neurox')))"],
                env=installed.env, cwd=installed.tmp)
    for name in done.stdout.split():
        assert (name.startswith("pyNN/neurox/") or ".dist-info/" in name
                or name.endswith("bin/neurox")), name
    for name in ("validation", "hardware_models", "pynn_neurox"):
        assert not (installed.site / name).exists(), name


@pytest.mark.slow
def test_installed_neurox_compare_runs_a_bundled_model(installed):
    out = installed.tmp / "report"
    done = _run([installed.venv / "bin" / "neurox", "compare", "feedforward",
                 "--targets", "brian2,loihi", "--out", out], env=installed.env,
                cwd=installed.tmp, timeout=600)
    assert (out / "report.html").is_file()
    report = json.loads((out / "report.json").read_text())
    assert Path(report["script"]).is_relative_to(installed.site), report["script"]
    assert report["reference"] == "brian2"
    assert "error" not in report["targets"]["loihi"], report["targets"]["loihi"]
    assert report["targets"]["loihi"]["mapping"]["cores"]
    assert "loihi" in report["comparisons"], done.stdout
