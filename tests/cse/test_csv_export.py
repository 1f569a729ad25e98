import io

from cse.csv_export import SafeWriter, safe_cell


def test_cells_a_spreadsheet_would_run_are_made_text():
    for value in ("=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(value) == "'" + value


def test_ordinary_values_are_untouched():
    for value in ("Testchild", "C-000001", 12, None, "2012-01-01"):
        assert safe_cell(value) == value


def test_the_writer_neutralises_every_row():
    out = io.StringIO()
    SafeWriter(out).writerow(['=HYPERLINK("http://x")', "Sampleton"])
    assert out.getvalue().startswith("\"'=HYPERLINK(")
