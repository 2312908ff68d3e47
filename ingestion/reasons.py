"""The Vietnamese wording of every reason ingestion records (raw.files.reason, raw.cell_issues.reason)
and of the register errors. One table, so the wording is reviewed in one place.

A file reason completes the catalogue message of its check (catalog/checks.csv), for example
UNREADABLE_FILE "Không đọc được tệp: {reason}", INVALID_COVER 'Trang "Thông tin chung" không hợp lệ:
{reason}' or SHEET_HEADER_NOT_FOUND 'Trang "{sheet}": {reason}', so it does not repeat that opening.
A cell reason completes INVALID_VALUE 'Cột "{column}" có giá trị không hợp lệ: "{value}" ({reason})',
MISSING_VALUE 'Cột "{column}" để trống; {consequence}' or INVISIBLE_CHARACTER 'Cột "{column}": {reason}'.
"""

from __future__ import annotations

VI: dict[str, str] = {
    # UNREADABLE_FILE: decided before any parser opens the file (ingestion.safety)
    "empty_file": "tệp rỗng (0 byte)",
    "too_large": "tệp quá lớn ({size_mb:.1f} MB, tối đa {limit_mb} MB)",
    "legacy_xls": "định dạng Excel cũ (.xls); hãy lưu lại thành .xlsx rồi gửi lại",
    "encrypted": "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại",
    "not_xlsx": "không phải tệp Excel .xlsx",
    "corrupt_zip": "tệp .xlsx bị hỏng hoặc không đầy đủ",
    "too_many_members": "tệp có quá nhiều thành phần ({count}, tối đa {limit})",
    "zip_bomb_total": "dung lượng sau giải nén quá lớn ({size_mb:.0f} MB, tối đa {limit_mb} MB)",
    "zip_bomb_ratio": "tỷ lệ nén bất thường ({ratio:.0f} lần) ở thành phần {member}",
    "encrypted_member": "thành phần {member} bị mã hóa",
    "xml_encoding": "thành phần {member} không dùng bảng mã UTF-8",
    "xml_entity": "thành phần {member} chứa khai báo DOCTYPE/ENTITY, không an toàn",
    "sheet_too_large": "trang tính {member} có vùng dữ liệu quá lớn ({cells} ô, tối đa {limit})",
    "no_workbook_xml": "không có xl/workbook.xml, không phải sổ tính Excel",
    # UNREADABLE_FILE: decided by the inbox walk
    "lock_file": "tệp khóa tạm do Excel tạo khi đang mở một sổ tính (tên bắt đầu bằng ~$), không phải báo cáo",
    "symlink": "liên kết tượng trưng (symlink); chỉ đọc tệp thật nằm trong thư mục nhận báo cáo",
    "not_regular": "không phải tệp thông thường",
    "os_error": "không mở được tệp ({error})",
    "parser_error": "lỗi khi đọc nội dung tệp ({error})",
    "worker_crash": "trình đọc Excel dừng đột ngột khi mở tệp này",
    # UNREADABLE_FILE: structure (ingestion.workbook)
    "no_cover_sheet": 'không có trang "{sheet}"',
    "missing_required_sheet": 'thiếu trang bắt buộc "{sheet}" của báo cáo cấp {level}',
    "required_sheet_no_header": 'trang bắt buộc "{sheet}" không có dòng tiêu đề trong {rows} dòng đầu '
    "(thiếu cột: {missing})",
    # INVALID_COVER (the parts are joined with "; ")
    "cover_missing": 'thiếu "{label}"',
    "cover_invalid": '"{label}" không hợp lệ: "{value}" ({reason})',
    "cover_code_without_level": "không xác định được cấp báo cáo để chuẩn hóa mã",
    # SHEET_HEADER_NOT_FOUND
    "header_not_found": "không tìm thấy dòng tiêu đề trong {rows} dòng đầu (thiếu cột: {missing}); "
    "trang này không được tính",
    # SHEET_TOO_MANY_ROWS (numbers written 1.234; the limit: catalog/workbook.yaml row_limits)
    "too_many_rows": 'trang "{sheet}" có {rows} dòng dưới dòng tiêu đề, tối đa {limit} dòng; '
    "các dòng từ dòng {first_skipped} trở đi không được đọc",
    "too_many_cover_rows": 'trang "{sheet}" có {rows} dòng, tối đa {limit} dòng; '
    "các dòng từ dòng {first_skipped} trở đi không được đọc",
    # BLANK_TEMPLATE (raw.files.reason of a blank template nobody filled in)
    "blank_template": 'biểu mẫu trống do "antq template" tạo cho kỳ {period}: ngoài phần ghi sẵn (thông tin '
    "đơn vị, kỳ báo cáo, danh sách đơn vị trực thuộc) chưa có ô nào được điền",
    # INVALID_VALUE
    "blank_required": "bỏ trống",
    "not_count": "không phải số nguyên không âm",
    "count_too_large": "lớn hơn {max}, không thể là số liệu thật",
    "not_in_vocab": "không thuộc danh mục: {words}",
    "not_year": "không phải năm hợp lệ (1900–2100)",
    "not_code": "không phải mã hợp lệ",
    "not_date": "không phải ngày hợp lệ (ngày Excel hoặc dd/mm/yyyy)",
    "not_period": "không phải kỳ báo cáo hợp lệ (ví dụ 2021-H1 hoặc 6 tháng đầu năm 2021)",
    "not_version": "không phải số nguyên từ 1 trở lên",
    "excel_error": 'ô lỗi Excel "{error}"; hãy sửa công thức hoặc nhập giá trị',
    # INVISIBLE_CHARACTER (the characters as code points, "U+200B, U+00A0": they show nothing)
    "invisible_in_code": 'mã "{value}" có ký tự ẩn ({chars}), đã được bỏ khi đối chiếu',
    "invisible_in_value": '"{value}" có ký tự ẩn ({chars}), đã được bỏ khi đối chiếu',
    # MISSING_VALUE (the consequence)
    "blank_yesno": 'được tính là "Không"',
    "blank_count": "ô này không được cộng vào số liệu",
    # RegisterError: one line, Vietnamese / English
    "reg_missing_dir": "Không tìm thấy thư mục danh mục {path} / register folder not found: {path}",
    "reg_missing_file": "Không tìm thấy tệp danh mục {path} / register file not found: {path}",
    "reg_bad_encoding": "Tệp {file} không phải UTF-8 / {file} is not UTF-8",
    "reg_missing_columns": "Tệp {file} thiếu cột {columns} / {file} lacks columns {columns}",
    "reg_blank": "{file} dòng {line}: cột {column} bỏ trống / {file} line {line}: {column} is empty",
    "reg_bad_value": "{file} dòng {line}: {column} = '{value}' không hợp lệ (chấp nhận: {allowed}) / "
    "{file} line {line}: unknown {column} '{value}' (expected {allowed})",
    "reg_duplicate": "{file} dòng {line}: mã {code} bị trùng (đã có ở dòng {first}) / "
    "{file} line {line}: duplicate code {code} (first on line {first})",
    "reg_duplicate_validity": "{file} dòng {line}: mã {code} bị trùng với dòng {first} (một mã chỉ được dùng lại "
    "cho cùng cấp, với thời gian hiệu lực không chồng lên nhau) / {file} line {line}: code {code} is also on line "
    "{first} (a code may be reused only at the same level, with validity that does not overlap)",
    "reg_parent_validity": "{file} dòng {line}: mã {parent} có nhiều dòng (dòng {lines}); thời gian hiệu lực của "
    "{code} phải chồng lên đúng một dòng của đơn vị cha / {file} line {line}: {parent} is on several rows "
    "(lines {lines}); the validity of {code} must overlap exactly one of them",
    "reg_parent_for_province": "{file} dòng {line}: tỉnh {code} không được có parent_code / "
    "{file} line {line}: province {code} must have an empty parent_code",
    "reg_missing_parent": "{file} dòng {line}: đơn vị cha '{parent}' của {code} không có trong danh mục "
    "hoặc không đúng cấp / {file} line {line}: parent '{parent}' of {code} is "
    "missing or not of a higher level ({allowed})",
    "reg_district_code": "{file} dòng {line}: district_code phải có khi và chỉ khi managed_by = district / "
    "{file} line {line}: district_code must be set exactly when managed_by is district",
    "reg_unknown_district": "{file} dòng {line}: huyện '{code}' không có trong org_units.csv / "
    "{file} line {line}: district '{code}' is not a district in org_units.csv",
    "reg_unknown_province": "{file} dòng {line}: tỉnh '{code}' (province_code) không có trong org_units.csv / "
    "{file} line {line}: province_code '{code}' is not a province in org_units.csv",
    "reg_province_mismatch": "{file} dòng {line}: province_code {code} khác tỉnh {district_province} của huyện "
    "{district} / {file} line {line}: province_code {code} is not the province "
    "({district_province}) of district {district}",
    "reg_province_code_required": "{file} dòng {line}: đơn vị do tỉnh quản lý phải ghi province_code vì "
    "org_units.csv có nhiều tỉnh ({provinces}) / {file} line {line}: a "
    "province-managed agency needs a province_code when org_units.csv holds "
    "several provinces ({provinces})",
    "reg_bad_date": "{file} dòng {line}: {column} = '{value}' không phải ngày YYYY-MM-DD / "
    "{file} line {line}: {column} '{value}' is not an ISO date",
    "reg_date_order": "{file} dòng {line}: valid_from sau valid_to / {file} line {line}: valid_from is after valid_to",
    # crosswalk.csv (optional): a bad row is kept in raw.register_crosswalk with row_valid false
    "cw_blank": "cột {column} bỏ trống",
    "cw_bad_date": "effective_date = '{value}' không phải ngày YYYY-MM-DD",
    "cw_bad_flag": "{column} = '{value}' không hợp lệ (chấp nhận: true, false)",
    "cw_unknown_new": "xã mới {code} không phải xã trong org_units.csv",
    "cw_unknown_former": "xã cũ {code} không có trong org_units.csv (danh mục có các xã trước ngày chuyển đổi)",
    "cw_unknown_village": "thôn {code} không có trong org_units.csv (ghi thôn vào org_units.csv, level=village)",
    "cw_duplicate": "trùng dòng {first} (cùng xã cũ, xã mới và thôn)",
    "cw_divided_mismatch": "divided = {written} nhưng xã cũ {code} chuyển về {n} xã mới; coi như divided = {value}",
    "cw_divided_no_villages": "xã cũ {code} được chia cho {n} xã mới nhưng chưa ghi thôn nào (village_code); "
    "cần ghi từng thôn về xã mới của thôn đó",
    "cw_finding": "{file} dòng {line}: {reason}",
}


def reason(key: str, **values: object) -> str:
    """The Vietnamese reason `key`, filled with `values`."""
    return VI[key].format(**values)
