"""Chinese line breaking (避头尾): the rule itself, at every width, including the strings of the issue."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from inspector.documents.linebreak import CANNOT_END, CANNOT_START, split_widths

SEEN = [
    "查阅文件或任命书(或聘书)，现场提问其岗位工作职责。职责明确且未发现问题得2分，发现问题不得分。",
    "发现1个问题，不得分（未发现问题得满分，发现问题不得分）",
    "张建国（组长，负责大项 1、2、3）；李秀英（组员，负责大项 4、5、6）；王志强（组员）",
]


def check(text: str, width: int) -> list[str]:
    ends = split_widths(list(text), [1.0] * len(text), [float(width)])
    out, start = [], 0
    for end in ends:
        out.append(text[start:end])
        start = end
    assert "".join(out) == text  # nothing lost or repeated
    start = 0
    for n, line in enumerate(out):
        assert line, (text, width)
        end = start + len(line)
        if n < len(out) - 1:
            assert len(line) <= width, (width, out)
            bad = text[end] in CANNOT_START or line[-1] in CANNOT_END
            # allowed only when no break on this line keeps the rules (a run of marks wider than it)
            good_exists = any(
                text[b] not in CANNOT_START and text[b - 1] not in CANNOT_END for b in range(start + 1, end)
            )
            assert not (bad and good_exists), (width, out)
        start = end
    return out


def test_the_strings_seen_on_paper_break_by_the_rules_at_every_width() -> None:
    for text in SEEN:
        for width in range(3, len(text) + 2):
            check(text, width)


def test_a_number_or_id_is_not_cut_when_it_fits_on_the_next_line() -> None:
    lines = check("第一百条 2017年", 7)
    assert lines == ["第一百条 ", "2017年"]


@given(st.text(alphabet="的是不了。，、：；）（《》“”ab12 ", min_size=1, max_size=60), st.integers(2, 20))
def test_any_text_keeps_the_rules(text: str, width: int) -> None:
    check(text, width)


def test_a_table_cell_is_one_paragraph_and_a_line_that_fills_it_adds_no_empty_line() -> None:
    """Issue 18 P3: a cell's lines are one paragraph (hard breaks), not one paragraph per line; with
    the rule's own breaking, a line exactly as wide as the cell is followed by the next line, not by
    an empty one; and a paragraph measured again at another width breaks for that width."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from inspector.documents.style import font, lines, styles

    style = styles()["cell_small"]
    first, second = "督导组现场查阅了全部考务档案", "未发现问题"
    exact = stringWidth(first, font(), style.fontSize) + style.leftIndent + style.rightIndent
    cell = lines(f"{first}\n{second}", "cell_small")
    assert len(cell) == 1
    para = cell[0]
    assert para.wrap(exact, 1000)[1] == 2 * style.leading
    assert ["".join(w.text for w in line.words) for line in para.blPara.lines] == [first, second]
    narrow = exact / 2
    assert para.wrap(narrow, 1000)[1] >= 3 * style.leading  # measured anew, not the lines above
    assert para.wrap(exact, 1000)[1] == 2 * style.leading
    # a line left empty prints nothing, as its own paragraph did (a note of blank lines stays short)
    blank = lines(f"\n{first}\n\n   \n{second}\n", "cell_small")[0]
    assert blank.wrap(exact, 1000)[1] == 2 * style.leading
