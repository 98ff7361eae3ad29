import json

import pytest

from maskaae.cli import main
from maskaae.report import aggregate, panels, read_results, write_report
from maskaae.sweep import SweepSpec, run_sweep

from conftest import TINY_FAST as TINY

PNG = b"\x89PNG\r\n\x1a\n"

HEADER = ("run,status,model.latent_dim,model.mask,seed,data.latent_dim,model,latent_dim,active_dims,fd,precision,"
          "recall,nac,recon,wasserstein,steps,seconds,eval_samples,nac_samples,preset,error")


def _row(n, m, mask, seed, m_a, fd, precision, nac, status="done", error=""):
    model = "maskaae" if mask else "wae-gan"
    name = f"n{n}_m{m}_{model}_s{seed}"
    if status != "done":
        return f"{name},{status},{m},{json.dumps(mask)},{seed},{n},{model},{m},,,,,,,,,,,,synthetic,{error}"
    return (f"{name},done,{m},{json.dumps(mask)},{seed},{n},{model},{m},{m_a},{fd},{precision},0.5,{nac},0.1,0.01,"
            f"100,1.5,32,16,synthetic,")


# A hand-made results.csv: the medians below are worked out by hand.
HANDMADE = [HEADER,
            # n = 2, m = 4: MaskAAE m_A 2, 3, 7 -> 3; NAC 0.1, 0.5, 0.2 -> 0.2; FD 10, 30, 20 -> 20 [10, 30]
            _row(2, 4, True, 0, 2, 10, 0.9, 0.1), _row(2, 4, True, 1, 3, 30, 0.5, 0.5),
            _row(2, 4, True, 2, 7, 20, 0.7, 0.2),
            # WAE-GAN: two finished seeds, NAC 0.3, 0.1 -> 0.2, FD 40, 50 -> 45; the failed seed is left out
            _row(2, 4, False, 0, 4, 40, 0.6, 0.3), _row(2, 4, False, 1, 4, 50, 0.4, 0.1),
            _row(2, 4, False, 2, None, None, None, None, status="failed", error="RuntimeError: boom"),
            # m = 8: MaskAAE m_A 2, 2, 3 -> 2, NAC 0.05, 0.15, 0.25 -> 0.15; WAE-GAN NAC 0.4, 0.2, 0.6 -> 0.4
            _row(2, 8, True, 0, 2, 11, 0.8, 0.05), _row(2, 8, True, 1, 2, 12, 0.8, 0.15),
            _row(2, 8, True, 2, 3, 13, 0.8, 0.25),
            _row(2, 8, False, 0, 8, 21, 0.6, 0.4), _row(2, 8, False, 1, 8, 22, 0.6, 0.2),
            _row(2, 8, False, 2, 8, 23, 0.6, 0.6),
            # n = 3: one seed each, and a run not finished yet
            _row(3, 4, True, 0, 3, 5, 0.95, 0.2), _row(3, 4, False, 0, 4, 6, 0.9, 0.3),
            _row(3, 4, True, 1, None, None, None, None, status="pending")]


@pytest.fixture
def handmade(tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "results.csv").write_text("\n".join(HANDMADE) + "\n")
    return sweep


def test_aggregation_over_seeds(handmade):
    columns, rows = read_results(handmade / "results.csv")
    n2, n3 = panels(columns, rows)
    assert (n2.n, n3.n, n2.ms(), n3.ms()) == (2, 3, [4, 8], [4])
    fd = aggregate(n2, "fd")
    assert fd[("maskaae", 4)] == {"median": 20.0, "min": 10.0, "max": 30.0, "count": 3}
    assert fd[("wae-gan", 4)] == {"median": 45.0, "min": 40.0, "max": 50.0, "count": 2}
    assert aggregate(n2, "active_dims")[("maskaae", 8)]["median"] == 2.0
    assert aggregate(n2, "precision")[("maskaae", 4)] == {"median": 0.7, "min": 0.5, "max": 0.9, "count": 3}
    assert aggregate(n3, "nac")[("maskaae", 4)]["count"] == 1


def test_report_tables_from_handmade_results(handmade):
    path = write_report(handmade)
    text = path.read_text()
    assert path == handmade / "report" / "report.md"
    # Table 2: m | m_A WAE-GAN | m_A MaskAAE | NAC WAE-GAN | NAC MaskAAE, medians over seeds
    assert "| 4 | 4 | 3 | 0.2 | 0.2 |" in text
    assert "| 8 | 8 | 2 | 0.4 | 0.15 |" in text
    assert "| 4 | 4 | 3 | 0.3 | 0.2 |" in text  # n = 3
    # values behind Fig. 4: median [min, max]; failed runs counted but not aggregated
    assert "| 4 | WAE-GAN | 2 of 3 | 45 [40, 50] | 0.5 [0.4, 0.6] |" in text
    assert "| 4 | MaskAAE | 3 | 20 [10, 30] | 0.7 [0.5, 0.9] |" in text
    assert "| 4 | MaskAAE | 1 of 2 | 5 | 0.95 |" in text
    assert "seeds: 3 (0, 1, 2)" in text and "training steps: 100" in text
    assert "32 for FD and precision/recall, 16 for NAC" in text
    assert "15 in the grid, 13 finished, 1 failed, 1 not finished" in text
    assert "training time of the finished runs: 0.01 h (2 s per run) in total" in text  # 13 x 1.5 s
    assert "RuntimeError: boom" in text and "description not recorded" in text
    assert "## n = 2" in text and "## n = 3" in text
    for name in ["fig4_n2.png", "fig4_n3.png"]:  # one figure per data.latent_dim
        assert f"]({name})" in text
        assert (handmade / "report" / name).read_bytes().startswith(PNG)
    assert "fig5" not in text and "fig8" not in text  # no run folders: no trajectories or curves


def test_report_on_a_tiny_sweep(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    spec = SweepSpec.from_args(["model.mask=true,false"], "synthetic", None, TINY)
    run_sweep(spec, sweep, jobs=2, log=None)
    runs = {p: p.stat().st_mtime_ns for p in (sweep / "runs").rglob("*")}

    assert main(["report", str(sweep)]) == 0
    assert f"report: {sweep / 'report' / 'report.md'}" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in (sweep / "runs").rglob("*")} == runs  # nothing retrained or rewritten
    text = (sweep / "report" / "report.md").read_text()
    for name in ["fig4_n2.png", "fig5_masks_n2.png", "fig8_curves_n2.png"]:
        assert f"]({name})" in text
        assert (sweep / "report" / name).read_bytes().startswith(PNG)
    assert "**CPU preset** `synthetic`" in text and "CPU preset: synthetic n=8" in text  # config.json's description
    assert "training steps: 4" in text and "32 for FD and precision/recall, 32 for NAC" in text
    assert "seeds: 1 (0)" in text
    mask = json.loads((sweep / "runs" / "mask=true" / "summary.json").read_text())
    wae = json.loads((sweep / "runs" / "mask=false" / "summary.json").read_text())
    assert f"| 4 | 4 | {mask['active_dims']} | {wae['nac']:.4g} | {mask['nac']:.4g} |" in text


def test_report_errors(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "results.csv does not exist" in capsys.readouterr().err
    (tmp_path / "empty" / "results.csv").write_text(HEADER + "\n" + HANDMADE[6] + "\n")
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "no finished run yet" in capsys.readouterr().err


def test_image_data_sweeps_are_not_labelled_with_a_synthetic_n(tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    rows = [_row("", m, True, 0, m_a, 30.0, 0.9, 0.03).replace(",synthetic,", ",mnist,")
            for m, m_a in [(16, 7), (32, 11)]]
    (sweep / "results.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    (panel,) = panels(*read_results(sweep / "results.csv"))
    assert (panel.title, panel.slug, panel.ms()) == ("image data", "images", [16, 32])
    write_report(sweep)
    report = (sweep / "report" / "report.md").read_text()
    assert "## image data" in report and "n = " not in report
    assert (sweep / "report" / "fig4_images.png").read_bytes().startswith(PNG)


def test_report_removes_figures_of_an_earlier_report(handmade):
    write_report(handmade)
    assert (handmade / "report" / "fig4_n3.png").is_file()
    (handmade / "report" / "notes.txt").write_text("mine")
    (handmade / "results.csv").write_text("\n".join(HANDMADE[:13]) + "\n")  # the n = 3 rows are gone
    text = write_report(handmade).read_text()
    assert "## n = 3" not in text
    assert sorted(p.name for p in (handmade / "report").iterdir()) == ["fig4_n2.png", "notes.txt", "report.md"]


def test_one_report_from_a_sweep_and_its_extension(tmp_path, capsys):
    first, extension = tmp_path / "m4", tmp_path / "m6"
    run_sweep(SweepSpec.from_args(["model.latent_dim=4", "model.mask=true,false"], "synthetic", None, TINY),
              first, jobs=1, log=None)
    run_sweep(SweepSpec.from_args(["model.latent_dim=6", "model.mask=true,false"], "synthetic", None, TINY),
              extension, jobs=1, log=None)
    out = tmp_path / "both"
    assert main(["report", str(first), str(extension), "--out", str(out)]) == 0
    text = (out / "report.md").read_text()
    assert "# Sweep report: m4 + m6" in text and "4 in the grid, 4 finished" in text
    (panel,) = panels(*read_results(first / "results.csv"))
    assert panel.ms() == [4]
    for m in (4, 6):
        mask = json.loads((tmp_path / f"m{m}" / "runs" / f"latent_dim={m}__mask=true" / "summary.json").read_text())
        assert f"| {m} | {m} | {mask['active_dims']} |" in text
    assert (out / "fig5_masks_n2.png").read_bytes().startswith(PNG)
    assert not (first / "report").exists()

    # the same point twice, or sweeps that differ in more than grid values, make no report
    assert main(["report", str(first), str(first), "--out", str(out)]) == 2
    assert "is in both" in capsys.readouterr().err
    other = tmp_path / "other"
    run_sweep(SweepSpec.from_args(["model.latent_dim=8"], "synthetic", None, TINY + ["loss.lambda2=1"]),
              other, jobs=1, log=None)
    assert main(["report", str(first), str(other)]) == 2
    err = capsys.readouterr().err
    assert "are different sweeps" in err and "--set is" in err and "grid keys are" in err


def test_damaged_results_row_is_named(tmp_path):
    from maskaae.report import ReportError, read_results

    path = tmp_path / "results.csv"
    path.write_text("run,status,fd\na,done,1.5\nb,done\n")
    with pytest.raises(ReportError, match="line 3"):
        read_results(path)
    path.write_text("run,status,fd\na,done,1.5,extra\n")
    with pytest.raises(ReportError, match="line 2"):
        read_results(path)
