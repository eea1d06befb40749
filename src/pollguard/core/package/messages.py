"""The messages of election-package validation, in English and Arabic.

Each kind is a stable identifier (tests and docs/election-package.md refer to it); the
wording may improve freely. `{column}` is the CSV column or the election.yaml key path of
the problem; `{value}` the offending value as the user wrote it. The Arabic is Modern
Standard Arabic in the plain register of an official police circular.
"""

from __future__ import annotations

from pollguard.core.problems import register_messages

PACKAGE_MESSAGES: dict[str, tuple[str, str]] = {
    # --- the folder and its files ----------------------------------------------------
    "no_such_package": (
        "no such folder",
        "المجلد غير موجود",
    ),
    "not_a_folder": (
        "not a folder (an election package is a folder holding election.yaml and CSV files)",
        "ليس مجلدًا (حزمة الانتخابات مجلد يحتوي على الملف election.yaml وملفات CSV)",
    ),
    "missing_file": (
        "required file {name} is missing (give {name}.csv or {name}.xlsx)",
        "الملف المطلوب {name} غير موجود (يجب تقديم {name}.csv أو {name}.xlsx)",
    ),
    "missing_yaml": (
        "required file election.yaml is missing",
        "الملف المطلوب election.yaml غير موجود",
    ),
    "both_formats": (
        "both {name}.csv and {name}.xlsx exist; keep only one of them",
        "يوجد الملفان {name}.csv و{name}.xlsx معًا؛ يجب الإبقاء على واحد منهما فقط",
    ),
    "old_excel_format": (
        '{name}.xls is in the old Excel 97-2003 format; save it as {name}.xlsx or as "CSV UTF-8"',
        "الملف {name}.xls محفوظ بصيغة Excel 97-2003 القديمة؛ احفظه بصيغة {name}.xlsx أو "
        'بصيغة "CSV UTF-8"',
    ),
    "empty_file": (
        "the file is empty: it has no header row",
        "الملف فارغ: لا يحتوي على سطر العناوين",
    ),
    "no_rows": (
        "the file has a header but no rows; at least one row is required",
        "يحتوي الملف على سطر العناوين فقط دون أي بيانات؛ يجب إدخال سطر واحد على الأقل",
    ),
    "bad_encoding": (
        "the file is not valid UTF-8 (byte {offset}, 0x{byte}); in Excel save it as "
        '"CSV UTF-8", or, if it was saved as Arabic (Windows), declare '
        "`encoding: windows-1256` in election.yaml",
        "ترميز الملف ليس UTF-8 صالحًا (البايت {offset}، 0x{byte})؛ احفظه في Excel بصيغة "
        '"CSV UTF-8"، أو إذا حُفظ بترميز العربية (Windows) فأضف السطر '
        "`encoding: windows-1256` إلى الملف election.yaml",
    ),
    "bad_csv": (
        "the file cannot be read as CSV: {detail}",
        "تعذّرت قراءة الملف بصيغة CSV: {detail}",
    ),
    "bad_xlsx": (
        "the spreadsheet cannot be read: {detail}",
        "تعذّرت قراءة جدول البيانات: {detail}",
    ),
    "unreadable_file": (
        "the file cannot be read: {detail}",
        "تعذّرت قراءة الملف: {detail}",
    ),
    # --- columns and cells -----------------------------------------------------------
    "wrong_delimiter": (
        "the header is one column '{found}': the file is separated by semicolons or tabs; "
        'save it as "CSV UTF-8 (comma delimited)"',
        "سطر العناوين عمود واحد '{found}': الملف مفصول بفواصل منقوطة أو علامات جدولة؛ "
        'احفظه بصيغة "CSV UTF-8 (comma delimited)" المفصولة بالفواصل',
    ),
    "extra_cells": (
        "the row has {count} cells but the header has {columns} columns; a value that "
        'contains a comma must be in double quotes ("...")',
        "عدد الخانات في هذا السطر {count} بينما عدد الأعمدة في سطر العناوين {columns}؛ "
        'يجب وضع أي قيمة تحتوي على فاصلة بين علامتي تنصيص مزدوجتين ("...")',
    ),
    "missing_column": (
        "required column '{column}' is missing from the header (found: {found})",
        "العمود المطلوب '{column}' غير موجود في سطر العناوين (الأعمدة الموجودة: {found})",
    ),
    "duplicate_column": (
        "column '{column}' appears more than once in the header",
        "العمود '{column}' مكرر في سطر العناوين",
    ),
    "missing_value": (
        "column '{column}' is empty; a value is required",
        "الخانة في العمود '{column}' فارغة؛ يجب إدخال قيمة",
    ),
    "missing_name": (
        "both name_en and name_ar are empty; give at least one name",
        "الحقلان name_en و name_ar كلاهما فارغان؛ يجب إدخال اسم واحد على الأقل",
    ),
    "duplicate_code": (
        "{column} '{value}' is used twice; it was first used on line {first_line}",
        "القيمة '{value}' في العمود '{column}' مكررة؛ وردت أول مرة في السطر {first_line}",
    ),
    "unknown_reference": (
        "{column} '{value}' does not match any code in {target}",
        "القيمة '{value}' في العمود '{column}' لا تطابق أي رمز في {target}",
    ),
    "not_a_special_center": (
        "{column} '{value}' is a {center_kind} center; the special register may only point at "
        "special_security or special_institution centers",
        "المركز '{value}' في العمود '{column}' من نوع {center_kind}؛ لا يجوز أن يشير سجل التصويت "
        "الخاص إلا إلى مراكز من نوع special_security أو special_institution",
    ),
    "not_a_number": (
        "{column} must be a number, got '{value}'",
        "يجب أن تكون قيمة {column} رقمًا، والقيمة المدخلة '{value}'",
    ),
    "not_an_integer": (
        "{column} must be a whole number, got '{value}'",
        "يجب أن تكون قيمة {column} عددًا صحيحًا، والقيمة المدخلة '{value}'",
    ),
    "out_of_range": (
        "{column} must be between {min} and {max}, got '{value}'",
        "يجب أن تكون قيمة {column} بين {min} و{max}، والقيمة المدخلة '{value}'",
    ),
    "negative": (
        "{column} must not be negative, got '{value}'",
        "لا يجوز أن تكون قيمة {column} سالبة، والقيمة المدخلة '{value}'",
    ),
    "not_positive": (
        "{column} must be greater than 0, got '{value}'",
        "يجب أن تكون قيمة {column} أكبر من صفر، والقيمة المدخلة '{value}'",
    ),
    "too_small": (
        "{column} must be at least {min}, got '{value}'",
        "يجب ألا تقل قيمة {column} عن {min}، والقيمة المدخلة '{value}'",
    ),
    "team_larger_than_unit": (
        "team_size '{value}' is larger than the unit's headcount {headcount}",
        "قيمة team_size '{value}' أكبر من عدد أفراد الوحدة {headcount}",
    ),
    "unknown_unit_kind": (
        "{column} '{value}' is not a unit kind; allowed: {allowed}",
        "القيمة '{value}' في {column} ليست نوع وحدة معروفًا؛ الأنواع المسموح بها: {allowed}",
    ),
    "not_a_sweep_kind": (
        "{column} '{value}' is not a sweep team kind; allowed: {allowed}",
        "القيمة '{value}' في {column} ليست نوع فريق تفتيش؛ الأنواع المسموح بها: {allowed}",
    ),
    "unknown_center_kind": (
        "{column} '{value}' is not a center kind; allowed: {allowed}",
        "القيمة '{value}' في العمود '{column}' ليست نوع مركز معروفًا؛ الأنواع المسموح بها: "
        "{allowed}",
    ),
    "bad_date": (
        "{column} must be a date like 2010-03-07, got '{value}'",
        "يجب أن تكون قيمة {column} تاريخًا بصيغة 2010-03-07، والقيمة المدخلة '{value}'",
    ),
    "bad_time": (
        "{column} must be a time like 07:00, got '{value}'",
        "يجب أن تكون قيمة {column} وقتًا بصيغة 07:00، والقيمة المدخلة '{value}'",
    ),
    "bad_datetime": (
        "{column} must be a date and time like 2010-03-06T06:00:00+03:00, got '{value}'",
        "يجب أن تكون قيمة {column} تاريخًا ووقتًا بصيغة 2010-03-06T06:00:00+03:00، "
        "والقيمة المدخلة '{value}'",
    ),
    "station_count_mismatch": (
        "center '{value}' has stations = {declared} but {target} lists {listed} stations for it",
        "عدد محطات المركز '{value}' المسجل هو {declared} بينما عدد محطاته في الملف {target} "
        "هو {listed}",
    ),
    "duplicate_station_number": (
        "station number '{value}' of center '{center}' is used twice; it was first used on "
        "line {first_line}",
        "رقم المحطة '{value}' في المركز '{center}' مكرر؛ ورد أول مرة في السطر {first_line}",
    ),
    "subdistrict_mismatch": (
        "subdistrict '{value}' belongs to district '{parent}', not to '{district}'",
        "الناحية '{value}' تتبع القضاء '{parent}' وليس القضاء '{district}'",
    ),
    "not_a_district": (
        "{column} '{value}' is a sub-district; it must name a district (a row of "
        "districts.csv with an empty parent)",
        "القيمة '{value}' في العمود '{column}' ناحية وليست قضاءً؛ يجب أن تشير إلى قضاء "
        "(سطر في الملف districts.csv عمود parent فيه فارغ)",
    ),
    "not_a_subdistrict": (
        "{column} '{value}' is a district; it must name a sub-district (a row of "
        "districts.csv with a parent)",
        "القيمة '{value}' في العمود '{column}' قضاء وليست ناحية؛ يجب أن تشير إلى ناحية "
        "(سطر في الملف districts.csv له قيمة في العمود parent)",
    ),
    # --- areas.geojson ---------------------------------------------------------------
    "bad_json": (
        "the file is not valid JSON: {detail}",
        "الملف ليس بصيغة JSON صحيحة: {detail}",
    ),
    "not_a_feature_collection": (
        'the file must be a GeoJSON FeatureCollection: {{"type": "FeatureCollection", '
        '"features": [...]}}',
        'يجب أن يكون الملف مجموعة معالم GeoJSON بالشكل {{"type": "FeatureCollection", '
        '"features": [...]}}',
    ),
    "not_a_feature": (
        'each entry of "features" must be a GeoJSON Feature ("type": "Feature")',
        'يجب أن يكون كل عنصر في "features" معلمًا من نوع GeoJSON Feature ("type": "Feature")',
    ),
    "bad_geometry_type": (
        "geometry type '{value}' is not allowed; an area is a Polygon or a MultiPolygon",
        "نوع الشكل الهندسي '{value}' غير مسموح به؛ يجب أن تكون المنطقة Polygon أو MultiPolygon",
    ),
    "bad_coordinates": (
        "the coordinates are not a valid polygon: each ring needs at least four "
        "[longitude, latitude] positions within range and must end where it starts",
        "الإحداثيات لا تكوّن مضلعًا صحيحًا: تحتاج كل حلقة إلى أربع نقاط على الأقل بصيغة "
        "[خط الطول، خط العرض] ضمن المدى المسموح، ويجب أن تنتهي حيث تبدأ",
    ),
    "bad_area_kind": (
        "property kind '{value}' is not allowed; use sector or district",
        "قيمة الخاصية kind '{value}' غير مسموح بها؛ استخدم sector أو district",
    ),
    "missing_area_code": (
        "property code is missing; give the code of the sector or district",
        "الخاصية code غير موجودة؛ يجب إدخال رمز القاطع أو القضاء",
    ),
    # --- election.yaml ---------------------------------------------------------------
    "yaml_syntax": (
        "election.yaml is not valid YAML: {detail}",
        "الملف election.yaml ليس بصيغة YAML صحيحة: {detail}",
    ),
    "wrong_type": (
        "{column} must be {expected}",
        "يجب أن تكون قيمة {column} {expected_ar}",
    ),
    "missing_key": (
        "required key '{column}' is missing",
        "المفتاح المطلوب '{column}' غير موجود",
    ),
    "empty_key": (
        "'{column}' is empty; a value is required",
        "المفتاح '{column}' فارغ؛ يجب إدخال قيمة",
    ),
    "unknown_key": (
        "unknown key '{column}'; allowed keys here: {allowed}",
        "المفتاح '{column}' غير معروف؛ المفاتيح المسموح بها هنا: {allowed}",
    ),
    "empty_section": (
        "{column} must list at least one entry",
        "يجب أن يحتوي {column} على عنصر واحد على الأقل",
    ),
    "missing_version": (
        "election.yaml must declare the package format version, e.g. `version: {supported}`",
        "يجب أن يحدد الملف election.yaml إصدار صيغة الحزمة، مثل `version: {supported}`",
    ),
    "unsupported_version": (
        "package format version {value} is not supported; this pollguard reads versions "
        "1 to {supported} (upgrade pollguard to read newer packages)",
        "إصدار صيغة الحزمة {value} غير مدعوم؛ يقرأ هذا الإصدار من pollguard الإصدارات من 1 "
        "إلى {supported} (حدّث pollguard لقراءة الحزم الأحدث)",
    ),
    "unknown_encoding": (
        "encoding '{value}' is not supported; use utf-8 or windows-1256",
        "الترميز '{value}' غير مدعوم؛ استخدم utf-8 أو windows-1256",
    ),
    "bad_timezone": (
        "{column} '{value}' is not a known time zone; use a name like Asia/Baghdad",
        "المنطقة الزمنية '{value}' في {column} غير معروفة؛ استخدم اسمًا مثل Asia/Baghdad",
    ),
    "vote_date_order": (
        "special_vote_date {special} is after general_vote_date {general}",
        "تاريخ التصويت الخاص {special} يقع بعد تاريخ الاقتراع العام {general}",
    ),
    "polls_order": (
        "polls_close {close} must be after polls_open {open}",
        "يجب أن يكون وقت إغلاق الاقتراع {close} بعد وقت افتتاحه {open}",
    ),
    "sweep_window_order": (
        "the sweep window ends ({end}) before or when it starts ({start})",
        "تنتهي فترة تفتيش المراكز ({end}) قبل بدايتها ({start}) أو في وقت بدايتها نفسه",
    ),
    "text_too_long": (
        "{column} is {length} characters long; at most {maximum} are allowed",
        "طول {column} {length} حرفًا؛ والحد الأقصى المسموح به {maximum} حرفًا",
    ),
    "bidi_control": (
        "{column} contains the invisible direction-control character {codepoint}, which "
        "can make text display as something else; delete it",
        "يحتوي {column} على محرف التحكم الخفي في اتجاه النص {codepoint}، وهو قد يجعل النص "
        "يظهر على غير حقيقته؛ احذفه",
    ),
    "bad_offset": (
        "{column} '{value}' is not a time offset; write e.g. -13h, +1h30m, 90m or 0",
        "القيمة '{value}' في {column} ليست فرق وقت؛ اكتب مثلًا -13h أو +1h30m أو 90m أو 0",
    ),
    "unknown_choice": (
        "{column} '{value}' is not allowed; allowed: {allowed}",
        "القيمة '{value}' في {column} غير مسموح بها؛ القيم المسموح بها: {allowed}",
    ),
    "bad_task_sectors": (
        "{column} '{value}' must be each, governorate or a list of sector codes",
        "يجب أن تكون القيمة '{value}' في {column} each أو governorate أو قائمة برموز القواطع",
    ),
    "task_due_before_start": (
        "task template '{code}': its due time comes before its start",
        "قالب المهمة '{code}': موعد إنجازها يسبق موعد بدايتها",
    ),
    "duplicate_key": (
        "{column} '{value}' is used twice; it was first used on line {first_line}",
        "القيمة '{value}' في {column} مكررة؛ وردت أول مرة في السطر {first_line}",
    ),
    "unknown_component": (
        "{column} '{value}' does not match any ballot component code",
        "القيمة '{value}' في {column} لا تطابق رمز أي مكون في ورقة الاقتراع",
    ),
}

# Not problems: the line `pollguard validate` prints for a valid package.
SUMMARY: tuple[str, str] = (
    "valid: {election} - {sectors} sectors, {centers} centers, {stations} stations, "
    "{voters} voters, {units} units, {personnel} personnel",
    "الحزمة صالحة: {election} - القواطع: {sectors}، المراكز: {centers}، المحطات: {stations}، "
    "الناخبون: {voters}، الوحدات: {units}، المنتسبون: {personnel}",
)

register_messages(PACKAGE_MESSAGES)
