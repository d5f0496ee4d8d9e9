"""`neurox compare NAME`: a bundled model by name as well as a script by path."""

import json
from pathlib import Path

import pytest

from pyNN.neurox.validation import cli, models

MODELS = Path(models.__file__).parent


def test_bundled_models_are_the_scripts_of_the_models_package():
    assert sorted(cli.bundled_models()) == sorted(
        p.stem for p in MODELS.glob("*.py") if not p.name.startswith("_"))
    assert {"feedforward", "vogels_abbott_cuba", "digits"} <= set(cli.bundled_models())


@pytest.mark.parametrize("name", ["feedforward", "feedforward.py"])
def test_a_name_resolves_to_the_bundled_script(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with cli.resolve_model(name) as script:
        assert Path(script).samefile(MODELS / "feedforward.py")


def test_a_file_of_that_name_takes_precedence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("feedforward").write_text("")
    with cli.resolve_model("feedforward") as script:
        assert Path(script).resolve() == (tmp_path / "feedforward").resolve()
    with cli.resolve_model(str(MODELS / "digits.py")) as script:
        assert Path(script) == MODELS / "digits.py"


def test_an_unknown_name_lists_the_bundled_models(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        cli.main(["compare", "no_such_model", "--targets", "loihi", "--out", str(tmp_path)])
    message = str(exited.value.code)
    assert message.startswith("neurox compare: no script no_such_model")
    assert "bundled models are: digits, feedforward, nir_feedforward, vogels_abbott_cuba" in message
    assert not (tmp_path / "report.json").exists()


def test_compare_runs_a_bundled_model_by_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cli.main(["compare", "feedforward", "--targets", "loihi", "--out", "out"])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert Path(report["script"]).samefile(MODELS / "feedforward.py")
    assert "error" not in report["targets"]["loihi"]
    assert "[1/1] loihi: done" in capsys.readouterr().out
