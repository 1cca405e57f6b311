"""The header rules at their edges (issue 17): which row is the header, how merged group labels spread, how a
column's texts score for a field and how columns are given to fields. Scores are worked out by hand from the rules
in headers.py: an exact wording scores 100 + its number of words, a wording found as a run of words scores its
number of words + that number / the label's number of words, each later synonym of a field 0.001 less
(SYNONYM_RANK_STEP); a column's own text adds 1, a group label's words in any order score 0.8 per word, each
group level further up 0.05 less."""

import pytest

from cchc_analysis.ingest.grid import Grid
from cchc_analysis.ingest.headers import (
    HeaderMatch,
    Vocabulary,
    _looks_like_data,
    _row_labels,
    _spread_merged,
    assign_columns,
    column_options,
    detect_header,
    missing_fields_message,
    onestop_vocabulary,
    source_vocabulary,
)

READS_FILES = False


def grid(rows, merged=()):
    width = max(len(r) for r in rows)
    return Grid("t.xlsx", "Sheet1", [list(r) + [""] * (width - len(r)) for r in rows], list(merged))


# --- the vocabulary file ---------------------------------------------------------------------------------------


def test_a_field_spec_without_options_reads_with_the_documented_defaults():
    v = Vocabulary.from_yaml("fields:\n  code:\n    synonyms: [Mã Hồ Sơ]\n  x: {}\n")
    code = v.spec("code")
    got = (code.synonyms, code.personal, code.label, code.kind, code.read)
    assert got == (("ma ho so",), False, "code", "any", True)
    assert v.spec("x").synonyms == () and v.required == ()
    assert v.personal_fields() == set() and v.unread == frozenset()


def test_a_field_spec_reads_every_option():
    v = Vocabulary.from_yaml(
        "fields:\n  applicant:\n    synonyms: [chủ hồ sơ]\n    personal: true\n    label: Chủ hồ sơ\n"
        "    kind: text\n    read: false\nrequired: [applicant]\n"
    )
    a = v.spec("applicant")
    assert (a.personal, a.label, a.kind, a.read) == (True, "Chủ hồ sơ", "text", False)
    assert v.required == ("applicant",) and v.personal_fields() == {"applicant"} and v.unread == {"applicant"}


def test_the_shipped_dossier_vocabulary_marks_personal_unread_and_required_fields():
    v = onestop_vocabulary()
    # typed from onestop_headers.yaml: these are pseudonymised or dropped at ingest
    assert v.personal_fields() == {"applicant", "phone", "id_number", "address", "email"}
    assert v.unread == {"duration", "result_delivery", "department", "note"}
    assert v.required == ("code", "received_at")
    kinds = {f.name: f.kind for f in v.fields}
    assert {k: kinds[k] for k in ("code", "received_at", "due_at", "fee", "seq", "unit", "duration")} == {
        "code": "code",
        "received_at": "date",
        "due_at": "date",
        "fee": "amount",
        "seq": "seq",
        "unit": "unit",
        "duration": "duration",
    }
    assert kinds["channel"] == "vocabulary:channel" and kinds["applicant"] == "any"
    assert v.spec("received_at").label == "Ngày tiếp nhận" and v.spec("code").synonyms[0] == "ma ho so"


def test_the_shipped_source_vocabularies_need_their_key_fields():
    assert source_vocabulary("budget").personal_fields() == set()
    assert "procedure" in source_vocabulary("catalogue").required


# --- header rows ------------------------------------------------------------------------------------------------


def test_row_labels_drop_column_numbers_and_non_text_cells_and_fill_the_width():
    g = grid([["STT", "1", "(2)", "3.1", 4, None, " Mã  hồ sơ "], ["x"] * 9])
    assert _row_labels(g, 0) == ["STT", "", "", "", "", "", "Mã hồ sơ", "", ""]
    assert _row_labels(g, 5) == [""] * 9  # beyond the last row


@pytest.mark.parametrize(
    ("texts", "data"),
    [
        (["H1-2023-0001", "x"], False),  # one text with four digits: a header may have a year in it
        (["H1-2023-0001", "01/07/2023"], True),
        (["2023", "2024", "a", "b", "c", "d", "e"], False),  # 2 of 7: below 30% (2.1)
        (["2023", "2024", "2025", "a", "b", "c", "d", "e", "f", "g"], True),  # 3 of 10: exactly 30%
        (["2023", "", "", "2024"], True),  # blanks do not count
        (["", ""], False),
        (["123", "45"], False),  # fewer than four digits in a row
    ],
)
def test_a_row_of_dates_and_codes_is_data_not_a_header(texts, data):
    assert _looks_like_data(texts) is data


def test_a_merged_group_label_spreads_over_its_empty_columns_only():
    g = grid([["a"] * 10], merged=[((0, 2), (1, 4))])
    labels = ["", "x", "Thời gian", "", "kept", "", "", "", "", ""]
    # rows 0 and 1 are inside the merge: columns 3 (empty) takes the label, 4 keeps its own, 1 (before) is untouched
    assert _spread_merged(g, 0, labels) == ["", "x", "Thời gian", "Thời gian", "kept", "", "", "", "", ""]
    assert _spread_merged(g, 1, labels)[3] == "Thời gian"
    assert _spread_merged(g, 2, labels) == labels  # below the merge


def test_a_merge_reaching_the_last_column_or_beyond_fills_to_the_last_column():
    labels = ["", "", "", "", "", "", "", "G", "", ""]
    for end in (9, 12):  # 3 or 6 columns (the merge may be recorded wider than the cells read)
        g = grid([["a"] * 10], merged=[((0, 7), (0, end))])
        assert _spread_merged(g, 0, labels)[7:] == ["G", "G", "G"]


def test_a_title_spanning_most_of_the_table_is_not_a_group_label():
    labels = ["T"] + [""] * 9
    # 8 of 10 columns is 80%: a title, not spread; 7 of 10 is a group label
    assert _spread_merged(grid([["a"] * 10], [((0, 0), (0, 7))]), 0, labels) == labels
    assert _spread_merged(grid([["a"] * 10], [((0, 0), (0, 6))]), 0, labels) == ["T"] * 7 + [""] * 3


def test_a_vertical_merge_spreads_nothing():
    labels = ["Mã", "", "x"]
    assert _spread_merged(grid([["a"] * 3], [((0, 1), (3, 1))]), 0, labels) == labels


# --- a column's possible fields ---------------------------------------------------------------------------------


def test_a_column_s_own_wording_scores_its_match_plus_one():
    v = onestop_vocabulary()
    # "ngay nhan" is received_at's first synonym, exactly: 100 + 2 words, + 1 for the column's own text
    assert column_options(("Ngày nhận",), v) == {"received_at": 103.0}
    # "so ho so" is code's second synonym, found as a run inside "so ho so cap" (3 of 4 words): 3 + 3/4 - 0.001 + 1
    assert column_options(("Số hồ sơ cấp",), v) == {"code": pytest.approx(4.749)}
    assert column_options((), v) == {} and column_options(("", ""), v) == {}


def test_a_sub_header_reads_with_its_group_label():
    v = onestop_vocabulary()
    # "Số" under "Thông tin hồ sơ": no wording alone; with the group, "so ho so" (code's second synonym) has all
    # its words, the sub-header giving one: 0.8 x 2 words - 0.001
    assert column_options(("Thông tin hồ sơ", "Số"), v) == {"code": pytest.approx(1.599)}
    # a blank middle level is skipped: the group is one level up, not two
    assert column_options(("Hồ sơ", "", "Số"), v) == {"code": pytest.approx(1.599)}
    # the same group repeated (a cell merged down) counts once
    assert column_options(("Hồ sơ", "Hồ sơ", "Số"), v) == {"code": pytest.approx(1.599)}


def test_a_group_label_further_up_weighs_a_little_less():
    v = onestop_vocabulary()
    # the nearer group ("Hồ sơ") gives code 1.599; from two levels up it gives 1.599 - 0.05
    assert column_options(("Thông tin", "Hồ sơ", "Số"), v) == {"code": pytest.approx(1.599)}
    assert column_options(("Hồ sơ", "Thông tin", "Số"), v) == {"code": pytest.approx(1.549)}
    # the words of a wording in another order, with no group label, are no match
    assert column_options(("Hồ sơ số",), v) == {}


def test_group_and_sub_header_read_as_one_label():
    v = onestop_vocabulary()
    # "Mã hồ sơ" over "Số": "ma ho so" is a run of "ma ho so so" (3 of its 4 words): 3 + 3/4
    assert column_options(("Mã hồ sơ", "Số"), v) == {"code": pytest.approx(3.75)}


# --- giving columns to fields -----------------------------------------------------------------------------------


def test_columns_are_given_by_score_then_leftmost_and_near_ties_reported():
    options = [{"code": 5.0}, {"code": 5.0, "procedure": 4.0}, {"procedure": 4.95}]
    columns, ties = assign_columns(options)
    # code: columns 0 and 1 tie (the leftmost wins, reported); procedure: 4.95 in column 2 beats 4.0 (not a tie)
    assert columns == {"code": 0, "procedure": 2}
    assert ties == [("code", 0, 1, 0.0)]


def test_one_column_one_field():
    columns, ties = assign_columns([{"code": 5.0, "procedure": 4.0}, {"status": 1.0}])
    assert columns == {"code": 0, "status": 1} and ties == []


def test_on_an_exact_tie_in_one_column_the_field_listed_first_wins():
    columns, _ties = assign_columns([{"procedure": 5.0, "code": 5.0}, {"procedure": 4.0}])
    assert columns == {"procedure": 0}


def test_a_near_tie_is_closer_than_a_tenth():
    # a difference of 0.1 is not a near tie, 0.05 is; a column already taken is no rival
    assert assign_columns([{"code": 0.1}, {"code": 0.0}])[1] == []
    assert assign_columns([{"code": 0.1}, {"code": 0.05}])[1] == [("code", 0, 1, pytest.approx(0.05))]
    assert assign_columns([{"code": 0.1, "status": 0.2}, {"code": 0.1}])[1] == []  # status took column 0


def test_fixed_fields_are_placed_first_and_a_veto_skips_a_pair():
    columns, ties = assign_columns([{"code": 5.0}, {"code": 4.0}, {"status": 3.0}], fixed={"status": 0})
    assert columns == {"status": 0, "code": 1} and ties == []
    columns, _ = assign_columns([{"code": 5.0}, {"code": 4.0}], allowed=lambda col, name: (col, name) != (0, "code"))
    assert columns == {"code": 1}
    vetoed = []
    assign_columns([{"code": 5.0, "status": 4.0}], allowed=lambda col, name: vetoed.append((col, name)) or True)
    assert vetoed == [(0, "code"), (0, "status")]


# --- finding the header -----------------------------------------------------------------------------------------


def test_three_fields_make_a_header_two_do_not():
    three = grid([["Mã hồ sơ", "Ngày nhận", "Trạng thái"], ["H1", "01/07/2023", "x"]])
    m = detect_header(three)
    assert (m.first_row, m.n_rows, m.columns) == (0, 1, {"code": 0, "received_at": 1, "status": 2})
    assert m.unmapped == {} and m.fixed == {} and len(m.options) == 3 and m.options[1] == {"received_at": 103.0}
    assert detect_header(grid([["Mã hồ sơ", "Ngày nhận", "Ghi nhớ"], ["H1", "01/07/2023", "x"]])) is None


def test_the_first_of_two_equal_headers_wins():
    row = ["Mã hồ sơ", "Ngày nhận", "Trạng thái"]
    m = detect_header(grid([row, row, ["H1", "01/07/2023", "x"]]))
    assert (m.first_row, m.n_rows) == (0, 1)


def test_a_header_with_fewer_columns_left_unread_wins():
    # the row below adds two labels that mean nothing: as a second header row they would leave 2 columns unread
    g = grid([["Mã hồ sơ", "Ngày nhận", "Trạng thái", "", ""], ["", "", "", "Alpha", "Beta"], ["H1", "x", "y"]])
    m = detect_header(g)
    assert (m.first_row, m.n_rows, m.unmapped) == (0, 1, {})


def test_a_sub_header_row_needs_two_labels():
    merged = [((0, 0), (0, 1))]
    one = grid([["Thông tin hồ sơ", "", "Ngày nhận", "Trạng thái"], ["", "Số", "", ""], ["H1"] * 4], merged)
    assert detect_header(one) is None  # "Số" alone is no sub-header row: only 2 fields
    two = grid([["Thông tin hồ sơ", "", "Ngày nhận", "Trạng thái"], ["Số", "Thủ tục", "", ""], ["H1"] * 4], merged)
    m = detect_header(two)
    assert (m.n_rows, m.columns) == (2, {"code": 0, "procedure": 1, "received_at": 2, "status": 3})
    assert m.labels == ["Thông tin hồ sơ Số", "Thông tin hồ sơ Thủ tục", "Ngày nhận", "Trạng thái"]


def test_a_header_has_at_most_three_rows():
    g = grid(
        [
            ["Mã hồ sơ", "Ngày nhận", "Trạng thái", "X1", "Y1"],
            ["", "", "", "X2", "Y2"],
            ["", "", "", "X3", "Y3"],
            ["", "", "", "Kênh", "Phí"],  # a fourth row would map two more fields
            ["H1", "01/07/2023", "x", "y", "z"],
        ]
    )
    m = detect_header(g)
    assert (m.first_row, m.n_rows, set(m.columns)) == (0, 1, {"code", "received_at", "status"})


def test_a_middle_header_row_spreads_its_merged_labels_the_lowest_does_not():
    g = grid(
        [
            ["Hồ sơ", "", "", "Trạng thái"],
            ["Thời gian", "", "Mã", ""],
            ["Ngày nhận", "Hạn xử lý", "Số", ""],
            ["01/07/2023", "03/07/2023", "H1", "x"],
        ],
        merged=[((0, 0), (0, 2)), ((1, 0), (1, 1)), ((2, 2), (2, 3)), ((0, 3), (2, 3))],
    )
    m = detect_header(g)
    assert (m.first_row, m.n_rows) == (0, 3)
    # row 1's "Thời gian" spreads to column 1; row 2's merged "Số" does not spread to column 3
    assert m.labels == ["Hồ sơ Thời gian Ngày nhận", "Hồ sơ Thời gian Hạn xử lý", "Hồ sơ Mã Số", "Trạng thái"]
    assert m.columns == {"received_at": 0, "due_at": 1, "code": 2, "status": 3}


def test_a_header_found_once_per_grid():
    g = grid([["Mã hồ sơ", "Ngày nhận", "Trạng thái"], ["H1", "01/07/2023", "x"]])
    v = onestop_vocabulary()
    first = detect_header(g)
    assert detect_header(g, v) is first and g.header_cache[v] is first
    blank = grid([["", ""], ["", ""]])
    assert detect_header(blank) is None and blank.header_cache[v] is None


def test_a_mapping_fixes_the_rows_and_fields_whatever_they_score():
    g = grid([["Báo cáo", ""], ["Cột 1", "Cột 2"], ["Mã", ""], ["H1", "01/07/2023"]])
    m = detect_header(g, rows=(1, 2), fixed=lambda labels: {"code": labels.index("Cột 1 Mã")})
    assert (m.first_row, m.n_rows, m.columns, m.fixed) == (1, 2, {"code": 0}, {"code": 0})
    assert m.labels == ["Cột 1 Mã", "Cột 2"] and m.unmapped == {1: "Cột 2"}
    m = detect_header(g, rows=(0, 1), fixed={"code": 1})  # one label: still the header the mapping names
    assert (m.first_row, m.n_rows, m.columns, m.labels) == (0, 1, {"code": 1}, ["Báo cáo", ""])
    assert detect_header(g, rows=(3, 2), fixed={}) is None  # rows beyond the sheet
    assert g.header_cache == {} or list(g.header_cache) == ["_width"]  # a mapping's header is not cached


def test_the_message_for_an_unrecognised_layout_names_the_closest_columns():
    g = grid([["Mã hồ sơ", "Ngày tiếp nhân", "Ghi chú"], ["H1", "x", "y"]])
    m = HeaderMatch(0, 1, ["Mã hồ sơ", "Ngày tiếp nhân", "Ghi chú"], {"code": 0})
    assert missing_fields_message(g, m) == (
        "t.xlsx, trang 'Sheet1': không nhận ra bố cục bảng. Các cột tìm thấy: Mã hồ sơ, Ngày tiếp nhân, Ghi chú. "
        "Thiếu trường bắt buộc: «Ngày tiếp nhận» (cột gần giống nhất: Ngày tiếp nhân). "
        "Có thể khai báo cách ánh xạ cột trong tệp --mapping (YAML)."
    )


def test_the_message_without_a_header_reads_the_first_row():
    g = grid([["Cột A", "Xyz"], ["Mã số hồ sơ", "Ngày"]])
    assert missing_fields_message(g, None) == (
        "t.xlsx, trang 'Sheet1': không nhận ra bố cục bảng. Các cột tìm thấy: Cột A, Xyz. "
        "Thiếu trường bắt buộc: «Mã hồ sơ» (cột gần giống nhất: không có); "
        "«Ngày tiếp nhận» (cột gần giống nhất: không có). "
        "Có thể khai báo cách ánh xạ cột trong tệp --mapping (YAML)."
    )


def test_the_message_names_a_loosely_similar_column_and_reads_the_header_found_below_a_title():
    # "Ngày gửi" is only loosely like "Ngày tiếp nhận" (difflib's ratio 0,545): still named, the cutoff being 0,4;
    # the columns listed are those of the header found on row 2, not the title above it
    g = grid([["DANH SÁCH HỒ SƠ"], ["Mã hồ sơ", "Ngày gửi", "Ghi chú"], ["H1", "x", "y"]])
    m = HeaderMatch(1, 1, ["Mã hồ sơ", "Ngày gửi", "Ghi chú"], {"code": 0})
    assert missing_fields_message(g, m) == (
        "t.xlsx, trang 'Sheet1': không nhận ra bố cục bảng. Các cột tìm thấy: Mã hồ sơ, Ngày gửi, Ghi chú. "
        "Thiếu trường bắt buộc: «Ngày tiếp nhận» (cột gần giống nhất: Ngày gửi). "
        "Có thể khai báo cách ánh xạ cột trong tệp --mapping (YAML)."
    )


def test_a_mapping_given_header_is_never_the_cached_one_and_a_failed_search_is_not_repeated(monkeypatch):
    from cchc_analysis.ingest import headers

    g = grid([["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ghi chú"], ["H1", "01/07/2023", "05/07/2023", "A-9"]])
    plain = detect_header(g)
    assert plain.columns["code"] == 0 and detect_header(g) is plain  # searched once, then remembered
    by_columns = detect_header(g, fixed={"code": 3})  # the mapping says the code is the 4th column
    assert by_columns.columns["code"] == 3 and by_columns.fixed == {"code": 3}
    by_rows = detect_header(g, rows=(0, 1))
    assert by_rows is not plain and by_rows.first_row == 0
    calls = []
    real = headers._detect_header
    monkeypatch.setattr(headers, "_detect_header", lambda *a, **k: calls.append(1) or real(*a, **k))
    nothing = grid([["a", "b"], ["1", "2"]])
    assert detect_header(nothing) is None and detect_header(nothing) is None
    assert calls == [1]  # "no header here" is remembered too


def test_a_top_row_of_two_labels_can_start_a_two_row_header():
    # the group label "Thời gian" written once, not merged: the top row has two labels, which is enough to start a
    # header; read from row 2 alone, the code column would be lost
    g = grid(
        [
            ["Mã hồ sơ", "Thời gian", "", ""],
            ["", "Tiếp nhận", "Hẹn trả", "Hoàn thành"],
            ["H1", "01/07/2023", "05/07/2023", "03/07/2023"],
        ]
    )
    m = detect_header(g)
    assert (m.first_row, m.n_rows) == (0, 2)
    assert m.columns["code"] == 0 and m.columns["received_at"] == 1 and m.columns["due_at"] == 2


# --- edges found by mutation testing ----------------------------------------------------------------------------

TINY = Vocabulary.from_yaml(
    "fields:\n"
    "  received_at: {synonyms: [Ngày tiếp nhận hồ sơ]}\n"
    "  code: {synonyms: [Mã hồ sơ, Số hồ sơ]}\n"
    "  fee: {synonyms: [Phí]}\n"
)


def test_two_group_levels_read_as_one_phrase_with_the_column_s_own_text():
    # "Hồ sơ" under "Tiếp nhận" under "Ngày": with the nearer group, "tiep nhan ho so" is no wording, but "so ho so"
    # (code's second synonym) has its words, the sub-header giving two: 0.8 x 2 - 0.001 = 1.599. With both groups,
    # "ngay tiep nhan ho so" is received_at's wording exactly: 100 + 5 words, less 0.05 for the level further up;
    # code from there would score 1.599 - 0.05, less than it already has
    assert column_options(("Ngày", "Tiếp nhận", "Hồ sơ"), TINY) == {
        "received_at": pytest.approx(104.95),
        "code": pytest.approx(1.599),
    }


def test_a_group_label_never_lowers_what_the_column_s_own_text_scored():
    # "Mã hồ sơ" exactly: 100 + 3 words + 1 = 104; under "Hồ sơ" the phrase "ho so ma ho so" holds it as a run
    # (3 + 3/5 = 3.6) and its words (0.8 x 3 = 2.4): the best, 104, stays
    assert column_options(("Hồ sơ", "Mã hồ sơ"), TINY) == {"code": pytest.approx(104.0)}
    # "Mã số" under "Hồ sơ": the words of both of code's synonyms are there, "ma ho so" (0.8 x 3 = 2.4) and "so ho
    # so" (0.8 x 2 - 0.001); the better stays whichever is met last
    assert column_options(("Hồ sơ", "Mã số"), TINY) == {"code": pytest.approx(2.4)}


def test_a_weak_match_far_up_keeps_its_weak_score():
    # "Phí" is one word of a 25-word phrase (21 filler words, "Khoản", "Số tiền"), two levels up:
    # 1 + 1/25 - 0.05 = 0.99, below 1; nothing else matches ("so" without "ho" is no code)
    parts = ("Phí " + "x " * 21, "Khoản", "Số tiền")
    assert column_options(parts, TINY) == {"fee": pytest.approx(0.99)}


def test_a_title_row_above_the_header_is_not_a_header_row():
    # "Danh sách hồ sơ" is the only text of row 0 (merged over the table): no header starts there, so it is not
    # read as the group label of "Mã" (which would make "Mã hồ sơ", a fourth field); the header is row 1 alone
    g = grid(
        [
            ["Danh sách hồ sơ", "", "", ""],
            ["Mã", "Ngày nhận", "Hạn xử lý", "Trạng thái"],
            ["H1", "01/07/2023", "x", "y"],
        ],
        [((0, 0), (0, 3))],
    )
    m = detect_header(g)
    assert (m.first_row, m.n_rows, m.unmapped) == (1, 1, {0: "Mã"})
    assert m.columns == {"received_at": 1, "due_at": 2, "status": 3}


def test_a_middle_row_spreads_its_own_merges_not_the_top_row_s():
    # row 0 merges "Hồ sơ" over columns 1-3, row 1 merges "Ngày" over columns 2-3: column 3 is "Hồ sơ Ngày Hẹn
    # trả" (due_at), never "Hồ sơ Mã Hẹn trả" as row 0's merge would spread row 1's "Mã"
    g = grid(
        [
            ["STT", "Hồ sơ", "", "", "Trạng thái"],
            ["", "Mã", "Ngày", "", ""],
            ["", "", "Nhận", "Hẹn trả", ""],
            ["1", "H1", "01/07/2023", "05/07/2023", "x"],
        ],
        [((0, 1), (0, 3)), ((1, 2), (1, 3)), ((0, 4), (2, 4)), ((0, 0), (2, 0))],
    )
    m = detect_header(g)
    assert (m.first_row, m.n_rows) == (0, 3)
    assert m.labels == ["STT", "Hồ sơ Mã", "Hồ sơ Ngày Nhận", "Hồ sơ Ngày Hẹn trả", "Trạng thái"]
    assert m.columns == {"seq": 0, "code": 1, "received_at": 2, "due_at": 3, "status": 4}
