"""The pure parts of ``make load`` and ``make faults``: reading Locust's figures, keeping the
report's other database, and the run's own database name. (The runs themselves need a
server and minutes; maintainers run them.)"""

from bench.load import steady_rps, write_section
from bench.serving import derived_database_url

HISTORY_HEADER = "Timestamp,User Count,Type,Name,Requests/s,Total Request Count\n"


def _history(tmp_path, rows):
    path = tmp_path / "capacity_stats_history.csv"
    path.write_text(
        HISTORY_HEADER
        + "".join(f"{at},{users},,Aggregated,0,{requests}\n" for at, users, requests in rows)
    )
    return path


def test_capacity_is_the_steady_rate_after_the_sign_ins(tmp_path):
    # Ten seconds of slow sign-ins (1 request a second), then 10 requests a second; the last
    # row, with users already stopping, is left out.
    rows = [(100, 0, 0)]
    rows += [(100 + s, 4, s) for s in range(1, 11)]
    rows += [(110 + s, 4, 10 + 10 * s) for s in range(1, 11)]
    rows += [(121, 2, 115)]
    assert steady_rps(_history(tmp_path, rows)) == 10.0


def test_a_new_section_keeps_the_other_databases(tmp_path):
    report = tmp_path / "load.md"
    write_section(report, "sqlite", "first SQLite run")
    write_section(report, "postgresql", "PostgreSQL run")
    write_section(report, "sqlite", "second SQLite run")
    text = report.read_text()
    assert text.startswith("# Load")
    assert "second SQLite run" in text and "first SQLite run" not in text
    assert "PostgreSQL run" in text
    assert text.count("## SQLite") == 1 and text.count("## PostgreSQL") == 1


def test_a_run_uses_a_database_of_its_own():
    assert (
        derived_database_url("postgres://postgres@127.0.0.1:5432/bridgework", "load")
        == "postgres://postgres@127.0.0.1:5432/bw_load"
    )
    assert (
        derived_database_url("postgres://u:p@db:5432/bw_ops_faults", "faults")
        == "postgres://u:p@db:5432/bw_ops_faults"
    )
