"""A small valid election package for tests, written file by file into a folder.

Files are literal text so a test can say exactly which line it breaks: header = line 1,
the first data row = line 2. Some cells use Arabic-Indic digits and the Arabic decimal
separator on purpose, as a spreadsheet typed on an Arabic keyboard would.

Mutation helpers (`set_cell`, `replace_in`, `append_line`, ...) build broken variants
from this base without copying whole packages around.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ELECTION_YAML = """\
version: 1
election:
  code: iq-cor-2010-dhi-qar
  name_en: "Council of Representatives election 2010 - Dhi Qar"
  name_ar: "انتخابات مجلس النواب 2010 - ذي قار"
  governorate: {code: DQ, name_en: Dhi Qar, name_ar: ذي قار}
  timezone: Asia/Baghdad
  special_vote_date: 2010-03-04
  general_vote_date: 2010-03-07
  polls_open: "07:00"
  polls_close: 17:00
  seats: 18
ballot:
  components:
    - {code: christian, name_en: Christian component, name_ar: المكون المسيحي, seats: 5}
  entities:
    - {number: 1, name_en: "State of Law", name_ar: "ائتلاف دولة القانون", component: null}
    - {number: 22, name_en: "Rafidain List", name_ar: "قائمة الرافدين", component: christian}
agencies:
  - {code: IP, name_en: Dhi Qar Police Directorate, name_ar: مديرية شرطة ذي قار}
  - {code: IA, name_en: Iraqi Army 10th Division, name_ar: الفرقة العاشرة - الجيش العراقي}
policy:
  risk_weight: 1.0
  roles:
    inner_cordon:  {kinds: [police], base: 4, per_station: 2, risk_factor: 0.5, weight: 3}
    outer_cordon:  {kinds: [army, police], base: 8, per_station: 0, risk_factor: 1.0, weight: 2}
    traffic:       {kinds: [traffic], base: 2, weight: 1, min_voters: 3000}
    civil_defense: {kinds: [civil_defense], base: 3, weight: 1, min_stations: 8}
  sweep:
    window_start: "2010-03-06T06:00:00+03:00"
    window_end:   "2010-03-06T18:00:00+03:00"
    road_factor: 1.3
    speed_kmh: {eod: 40, k9: 35}
    minutes_base: 20
    minutes_per_station: 5
    k9_min_risk: 0.5
  risk: {weight_history: 0.35, weight_intel: 0.35, weight_remoteness: 0.15, weight_size: 0.15,
         history_half_life_days: 365, history_radius_km: 5, intel_half_life_days: 30,
         remoteness_km: 30, size_voters: 5000}
"""
# Line numbers of election.yaml that tests refer to.
YAML_LINE_TIMEZONE = 7
YAML_LINE_POLLS_CLOSE = 11
YAML_LINE_INNER_CORDON = 25
YAML_LINE_WINDOW_END = 31

SECTORS = """\
code,name_en,name_ar
NAS,Nasiriyah city police,شرطة قضاء الناصرية
RIF,al-Rifai police,شرطة قضاء الرفاعي
SHA,al-Shatra police,شرطة قضاء الشطرة
"""

DISTRICTS = """\
code,name_en,name_ar,parent
D-NAS,Nasiriyah,الناصرية,
D-RIF,al-Rifai,الرفاعي,
N-UR,Ur,أور,D-NAS
N-QS,Qalat Sukkar,قلعة سكر,D-RIF
"""

# Line 3 uses Arabic-Indic digits and the Arabic decimal separator.
CENTERS = """\
code,name_en,name_ar,sector,lat,lon,stations,voters,risk,district,subdistrict,kind
C-001,Nasiriyah Secondary School,إعدادية الناصرية,NAS,31.044,46.258,3,1500,,D-NAS,,general
C-002,Ur Primary School,مدرسة أور الابتدائية,NAS,٣١٫٠٢٨,٤٦٫١٠٥,٢,٩٠٠,٠٫٢,D-NAS,N-UR,
C-003,Qalat Sukkar School,مدرسة قلعة سكر,RIF,31.859,46.077,1,450,0.7,D-RIF,N-QS,general
S-001,Police Special Center,مركز التصويت الخاص للشرطة,NAS,31.05,46.26,1,800,,D-NAS,,special_security
"""

STATIONS = """\
code,center,number,voters
C-001-1,C-001,1,500
C-001-2,C-001,2,500
C-001-3,C-001,3,500
C-002-1,C-002,١,٤٥٠
C-002-2,C-002,2,450
C-003-1,C-003,1,450
S-001-1,S-001,1,800
"""

UNITS = """\
code,agency,kind,headcount,sector,lat,lon,name_en,name_ar,team_size,max_distance_km,speed_kmh
U-001,IP,police,40,NAS,31.05,46.25,Nasiriyah patrol,دورية الناصرية,8,,
U-002,IP,police,24,RIF,31.71,46.10,Rifai patrol,دورية الرفاعي,,30,
U-003,IA,army,60,,31.10,46.30,Army reserve,احتياط الجيش,12,,
U-004,IP,eod,6,NAS,31.04,46.26,EOD team,فريق معالجة المتفجرات,3,,45
U-005,IP,k9,4,,31.04,46.26,K9 team,فريق الكلاب البوليسية,2,,
U-006,IP,traffic,10,NAS,31.04,46.25,Traffic,شرطة المرور,,,
"""

PERSONNEL = """\
id,name_ar,unit,name_en
P-1,أحمد جاسم,U-001,Ahmed Jasim
P-2,مُحَمَّد علي,U-001,
P-3,حسين كاظم,U-004,Hussein Kadhim
"""

SPECIAL_REGISTER = """\
id,name_ar,special_center,name_en,unit
V-1,أحمد جاسم,S-001,Ahmed Jasim,U-001
V-2,علي حسن,S-001,,
"""

INCIDENTS = """\
code,date,lat,lon,kind,severity,center,description
H-1,2009-01-31,31.04,46.26,ied,0.8,C-001,عبوة ناسفة قرب المركز
H-2,2009-01-31T09:30:00,31.86,46.08,shooting,0.5,,
"""

INTEL = """\
code,date,center,severity,credibility,summary
I-1,2010-03-01,C-003,0.6,0.8,تهديد بهجوم
"""

FILES: dict[str, str] = {
    "election.yaml": ELECTION_YAML,
    "sectors.csv": SECTORS,
    "districts.csv": DISTRICTS,
    "centers.csv": CENTERS,
    "stations.csv": STATIONS,
    "units.csv": UNITS,
    "personnel.csv": PERSONNEL,
    "special_register.csv": SPECIAL_REGISTER,
    "incidents_history.csv": INCIDENTS,
    "intel.csv": INTEL,
}


def write_base_package(folder: Path) -> Path:
    """Write the valid base package into `folder` (created if needed) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def replace_in(folder: Path, name: str, old: str, new: str) -> None:
    """Replace exactly one occurrence of `old` in file `name`."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")


def read_rows(folder: Path, name: str) -> list[list[str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(folder: Path, name: str, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (folder / name).write_text(buffer.getvalue(), encoding="utf-8", newline="")


def set_cell(folder: Path, name: str, line: int, column: str, value: str) -> None:
    """Set one cell of a CSV file by its physical line (header = 1) and column name."""
    rows = read_rows(folder, name)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(folder, name, rows)


def drop_column(folder: Path, name: str, column: str) -> None:
    rows = read_rows(folder, name)
    index = rows[0].index(column)
    write_rows(folder, name, [row[:index] + row[index + 1 :] for row in rows])


def append_line(folder: Path, name: str, line: str) -> None:
    with (folder / name).open("a", encoding="utf-8", newline="") as f:
        f.write(line + "\n")
