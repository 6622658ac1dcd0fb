"""Write the raw extracts of tests/curate_fixtures/source/ (committed; run again only to change them).

Every row is a sample of one kind of input, good or bad; tests/test_curate.py states what becomes of
each.  The rows use the bodies, datasets, rules and items of tests/tiny_fixture.py, so the extracts
can be curated on top of the tiny data set.  `python tests/curate_fixtures/make_fixtures.py`
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import polars as pl
import xlsxwriter

SOURCE = Path(__file__).resolve().parent / "source"

# agencies.csv: UTF-8 with a BOM, ';' separator, Vietnamese booleans.
AGENCIES = [
    "agency_id;name_vi;name_en;level;parent_agency_id;province_code;is_pilot",
    "C1;Ban Tổ chức Trung ương;Central Organisation Commission;central;;;true",
    "C2;Văn phòng Trung ương;Central Office;central;;;false",
    "P1C;Tỉnh ủy P1;P1 Committee;provincial;;P1;có",
    "P1X;Đảng ủy xã P1X;Commune P1X;commune;P1C;P1;không",
    "P2C;Tỉnh ủy P2;P2 Committee;provincial;;P2;0",
    "P2X;Đảng ủy xã P2X;Commune P2X;commune;P2C;P2;no",
    "P1Y;Đảng ủy xã P1Y (cũ);Commune P1Y (old);commune;P1C;P1;false",  # superseded by the next row
    # the winner; its Vietnamese name is typed with combining marks (NFD) and must come out NFC
    "P1Y;" + unicodedata.normalize("NFD", "Đảng ủy xã P1Y") + ";Commune P1Y;commune;P1C;P1;FALSE",
    "Q1;Huyện ủy Q1;District Q1;district;P1C;P1;false",  # enum: level
    "Q1A;Xã Q1A;Commune Q1A;commune;Q1;P1;false",  # fk: its parent Q1 is quarantined
    "C3;Cơ quan C3;Agency C3;central;;P1;false",  # rule central_has_no_province
    "P1Z;Xã P1Z;Commune P1Z;commune;P1C;P9;false",  # fk: province P9 does not exist
]

# exchanges_daily/a.csv: UTF-16 with a BOM, ';' separator, dd/mm/yyyy dates, decimal commas.
EXCHANGES_A = [
    "exchange_date;provider_agency_id;consumer_agency_id;dataset_id;channel;calls;calls_ok;records;p95_latency_ms",
    "10/03/2026;C1;P1C;D1;api;100;99;1.000;120,5",  # 1: valid; records 1.000 = 1000 (Vietnamese thousands)
    "10/03/2026;C1;P2C;D1;api;40;40;400;98,25",  # 2: valid, superseded by b.csv row 1
    "11/03/2026;P1X;P1C;D2;file;20;20;200;",  # 3: valid, no latency on a file channel
    "09/03/2026;P2C;P2X;D4;api;10;10;100;90",  # 4: valid; the key of tiny E7 (already curated in append)
    "11/03/2026;ZZZ;P1C;D1;api;5;5;50;100",  # 5: fk provider_agency_id
    "11/03/2026;C1;P1C;D99;api;5;5;50;100",  # 6: fk dataset_id
    "11/03/2026;C2;C1;D3;manual;10;12;0;",  # 7: rule calls_ok_le_calls
    "11/03/2026;C1;P2X;D1;api;abc;0;0;100",  # 8: type calls
    "11/03/2026;C1;P1X;;api;5;5;5;100",  # 9: missing dataset_id
    "11/03/2026;C1;P1X;D1;fax;5;5;5;",  # 10: enum channel
    "12/03/2026;C1;P1C;D1;api;70;70;700;110",  # 11: valid, superseded by row 12
    "12/03/2026;C1;P1C;D1;api;75;74;750;111,5",  # 12: valid, wins over row 11
    "12/03/2026;P2C;P1C;D4;file;30;30;300;85",  # 13: rule latency_only_for_api
    "31/02/2026;C1;P1C;D1;api;1;1;1;1",  # 14: type exchange_date (no 31 February)
    "12/03/2026;C1;C1;D1;api;1;1;1;1",  # 15: rule consumer_not_provider
    ";;;;;;;;",  # a blank line: not a row
]

# exchanges_daily/b.csv: UTF-8 without a BOM, ',' separator, ISO dates, decimal points.
EXCHANGES_B = [
    "exchange_date,provider_agency_id,consumer_agency_id,dataset_id,channel,calls,calls_ok,records,p95_latency_ms",
    "2026-03-10,C1,P2C,D1,api,45,44,450,101.5",  # 1: valid, wins over a.csv row 2 (later file)
    "2026-03-13,P2C,P1C,D4,api,8,8,80,70",  # 2: valid
]

# dossiers_daily.csv: UTF-8, ',' separator, ISO dates, quoted decimal-comma numbers.
DOSSIERS = [
    "dossier_date,agency_id,procedure_code,procedure_name_vi,procedure_name_en,dossiers,dossiers_reusing,"
    "fields_total,fields_prefilled",
    "2026-03-10,P1C,TRANSFER,Thủ tục TRANSFER,Procedure TRANSFER,12,10,1.234,1000",  # 1: valid, 1.234 = 1234
    "2026-03-11,P1X,ADMIT,Thủ tục ADMIT,Procedure ADMIT,5,6,50,40",  # 2: rule reusing_le_dossiers
    "2026-03-11,P2C,ADMIT,Thủ tục ADMIT,Procedure ADMIT,-3,,10,5",  # 3: range dossiers + missing dossiers_reusing
    '2026-03-12,P2X,TRANSFER,Thủ tục TRANSFER,Procedure TRANSFER,"7,0",7,70,70',  # 4: valid, 7,0 = 7
    '2026-03-12,P2X,TRANSFER,Thủ tục TRANSFER,Procedure TRANSFER,"7,5",7,70,70',  # 5: type dossiers (not whole)
    "2026-03-12,NOPE,TRANSFER,Thủ tục TRANSFER,Procedure TRANSFER,1,1,1,1",  # 6: fk agency_id
]

# quality_checks.xlsx: a notes sheet first, the data in the sheet named after the table.
CHECKS = [
    (dt.date(2026, 3, 12), "D1", "R1", 100, 97),  # 1: valid (a date cell)
    ("12/03/2026", "D2", "R3", 200, 180),  # 2: valid (a dd/mm/yyyy text cell)
    (dt.date(2026, 3, 12), "D1", "R9", 10, 5),  # 3: fk rule_id
    (dt.date(2026, 3, 12), "D4", "R2", 10, 11),  # 4: rule passed_le_checked
    ("2026-13-45", "D4", "R3", 10, 10),  # 5: type check_date
    (dt.date(2026, 3, 12), "D5", "R1", 0, 0),  # 6: range records_checked (must be > 0)
]

# roadmap_updates.parquet: typed dates, pct_complete as text with a decimal comma.
UPDATES = [
    (dt.date(2026, 3, 9), "RM1a", "55,5", "in_progress", None, "Đang triển khai"),  # 1: valid, 55.5 %
    (dt.date(2026, 3, 10), "RM2", "10", "in_progress", None, None),  # 2: rule week_start_is_monday
    (dt.date(2026, 3, 9), "RM5", "150", "done", dt.date(2026, 3, 9), None),  # 3: range pct_complete
    (dt.date(2026, 3, 9), "RM6", "20", "in_progress", dt.date(2026, 3, 9), None),  # 4: rule completed_only_when_done
]


def main() -> None:
    SOURCE.mkdir(parents=True, exist_ok=True)
    (SOURCE / "agencies.csv").write_bytes(b"\xef\xbb\xbf" + ("\n".join(AGENCIES) + "\n").encode("utf-8"))
    folder = SOURCE / "exchanges_daily"
    folder.mkdir(exist_ok=True)
    (folder / "a.csv").write_bytes(("\r\n".join(EXCHANGES_A) + "\r\n").encode("utf-16"))
    (folder / "b.csv").write_bytes(("\n".join(EXCHANGES_B) + "\n").encode("utf-8"))
    (SOURCE / "dossiers_daily.csv").write_bytes(("\n".join(DOSSIERS) + "\n").encode("utf-8"))

    wb = xlsxwriter.Workbook(str(SOURCE / "quality_checks.xlsx"))
    wb.set_properties({"created": dt.datetime(2026, 3, 13)})
    wb.add_worksheet("Ghi chú").write(0, 0, "Dữ liệu ở trang quality_checks")
    ws = wb.add_worksheet("quality_checks")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["check_date", "dataset_id", "rule_id", "records_checked", "records_passed"])
    for i, row in enumerate(CHECKS, start=1):
        if isinstance(row[0], dt.date):
            ws.write_datetime(i, 0, dt.datetime.combine(row[0], dt.time()), date_fmt)
        else:
            ws.write_string(i, 0, row[0])
        ws.write_row(i, 1, row[1:])
    wb.close()

    pl.DataFrame(
        UPDATES,
        schema={
            "week_start": pl.Date,
            "item_id": pl.String,
            "pct_complete": pl.String,
            "status": pl.String,
            "completed_on": pl.Date,
            "note_vi": pl.String,
        },
        orient="row",
    ).write_parquet(SOURCE / "roadmap_updates.parquet")
    (SOURCE / "README.md").write_text(
        "Raw extracts for tests/test_curate.py; not a contract table.\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
