"""HWP 5 and HWPX loaders: every sample in ../shared/external/hwp (real documents and format samples nobody here
wrote), small documents built here to pin the structure (headings, fields, notes, merged cells, pages), and hostile
files made at test time, each of which must end in IngestError: never another exception, never a hang.
The external samples are read where they lie; a clone without ../shared skips those tests."""

from __future__ import annotations

import random
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest.hwp import (_Damaged, _inflate, _outline_levels, _records, _section_blocks, _tree, load_hwp,
                                  para_text)
from assistant.ingest.hwpx import Block, Cell, PageTracker, load_hwpx, render_table

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "external" / "hwp"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/external/hwp is not beside the project")
GARBAGE = re.compile(r"[\ufffd\x00-\x08\x0b-\x1f]")


def load(path: Path):
    return (load_hwpx if path.suffix == ".hwpx" else load_hwp)(path, path.name)


# Each readable sample: words checked by hand in the file, and table rows as they must come out.
LOADED = {
    "hwpx/gangbuk-festival-rfp-2023.hwpx": (
        ["제2회 가을밤의 음악축제", "국립4·19민주묘지", "270,000,000원", "공개경쟁입찰(제한경쟁)"],
        ["구 분: 문화 행사 · 시 간: 15:00 ~ 17:30 · 비 고: 소규모 문화행사(공연 제외)",
         "평가항목: 기획분야 · 우수: 15 · 적정: 12 · 보통: 9 · 미흡: 6"]),
    "hwpx/mcst-press-release-2024-01-02.hwpx": (
        ["장미란 제2차관", "진천 국가대표 선수촌", "200일 남짓"],
        ["보도시점 · 2024. 1. 2.(화) 08:00 · 배포 · 2024. 1. 2.(화) 08:00",
         "(진천선수촌) · 체육정책과 · 담당자 · 사무관 · 최준규 · (044-203-3129)"]),
    "hwpx/public-data-standard-transfer-centre-2023.hwpx": (
        ["대중교통환승센터", "국토교통부"],
        ["항목: 관련법령 · 내용: 국가통합교통체계효율화법",
         "NO: 30 · 항목명: 지정일자 · 구분 (필수/선택): 필수 · 설명: 환승센터의 지정을 고시한 날짜"]),
    "hwpx/fmt-Table.hwpx": (["C반 기말고사"], ["이름: 개똥이 · 국어: 89 · 영어: 65 · 수학: 78"]),
    "hwpx/fmt-ParaHead.hwpx": (["글머리1-1", "번호-4-1-2-1", "개요2-1-1"], []),
    "hwpx/fmt-MultiColumn.hwpx": (["10"], []),
    "hwpx/fmt-no_manifest.hwpx": (["울산광역시 남구 구세 조례", "사업소분"],
                                  ["현 행: 제1절 재산분 · 개 정 안: 제1절 사업소분"]),
    "hwp/fmt-changing-paragraph-text.hwp": (["안녕하세요.", "이것은 샘플입니다."], []),
    "hwp/fmt-etc.hwp": (["가나다라ABCD", "ㅁㅁㅁ촘"], []),
    "hwp/fmt-finding-all-field.hwp": (["제레드 다이아몬드", "복실강아지", "나리나리 개나리"], []),
    "hwp/fmt-getting_clickhere_text.hwp": (["AA테스트 누름틀ABCD", "여러줄 문자열2", "테이블안"], []),
    "hwp/fmt-merging-cell.hwp": (["0,0"], [" · ".join(f"{r},{c}" for c in range(7)) for r in range(7)]),
}
# Samples that cannot be indexed, and the reason each must give.
REFUSED = {
    "hwp/fmt-distribution.hwp": "distribution",
    "hwp/fmt-blank.hwp": "no text",
    "hwpx/fmt-2022.hwpx": "no text",  # its only section is empty
}


@needs_samples
def test_every_sample_has_an_expected_outcome():
    found = {p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.is_file()}
    assert found == set(LOADED) | set(REFUSED)


@needs_samples
@pytest.mark.parametrize("name", sorted(LOADED))
def test_sample_loads_as_clean_text_with_its_tables(name):
    words, rows = LOADED[name]
    doc = load(SAMPLES / name)
    for word in words:
        assert word in doc.text, word
    lines = doc.text.split("\n")
    for row in rows:
        assert any(line.startswith(row) for line in lines), row
    assert not GARBAGE.search(doc.text)
    assert doc.title and len(doc.title) <= 120
    ends = [0] + [s.end for s in doc.segments]
    assert all(a <= s.start < s.end <= len(doc.text) for a, s in zip(ends, doc.segments))
    if not Path(name).name.startswith("fmt-"):  # the real documents; format samples are mostly Latin or digits
        assert doc.lang == "ko"


@needs_samples
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unreadable_sample_is_refused_with_its_reason(name):
    with pytest.raises(IngestError) as err:
        load(SAMPLES / name)
    assert REFUSED[name] in err.value.reason


@needs_samples
def test_distribution_copy_names_the_remedy():
    with pytest.raises(IngestError, match="배포용.*save a normal copy"):
        load(SAMPLES / "hwp" / "fmt-distribution.hwp")


def _segment(doc, needle: str):
    at = doc.text.index(needle)
    return next(s for s in doc.segments if s.start <= at < s.end)


@needs_samples
def test_rfp_chapters_give_section_paths_and_pages():
    """The RFP numbers its chapters by hand in title boxes; its contents page says chapter Ⅲ is on page 5,
    which is the 7th physical page after the cover and the contents."""
    doc = load(SAMPLES / "hwpx" / "gangbuk-festival-rfp-2023.hwpx")
    seg = _segment(doc, "공개경쟁입찰(제한경쟁)")
    assert seg.section == ("Ⅲ. 입찰 및 계약", "1. 입찰개요") and seg.page == 7
    assert _segment(doc, "A4용지(210×297)").section[0] == "Ⅳ. 제안서 및 입찰서류 작성 지침"
    # A proposal outline printed inside a box is a list, not the document's own headings.
    assert _segment(doc, "종이봉투에 밀봉").section == ("Ⅳ. 제안서 및 입찰서류 작성 지침", "2. 가격제안서 작성")


@needs_samples
def test_outline_styles_and_page_trust():
    heads = load(SAMPLES / "hwpx" / "fmt-ParaHead.hwpx")
    assert _segment(heads, "개요2-1-1").section == ("개요2", "개요2-1", "개요2-1-1")
    columns = load(SAMPLES / "hwpx" / "fmt-MultiColumn.hwpx")
    assert all(s.page is None for s in columns.segments)  # columns restart line positions: no page claimed
    standard = load(SAMPLES / "hwpx" / "public-data-standard-transfer-centre-2023.hwpx")
    assert _segment(standard, "2017-08-10").page is None  # inside a table that runs over pages


@needs_samples
def test_merged_cells_repeat_down_their_rows():
    doc = load(SAMPLES / "hwpx" / "public-data-standard-transfer-centre-2023.hwpx")
    assert "구분: 코드설명 · 코드체계: ➀➁ · 숫자 · 시도 / 구분: 코드설명 · 코드체계: ➂➃➄ · 숫자 · 시군구" in doc.text


# --- small documents built here -------------------------------------------------------------------------------

NS = ('xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
      'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"')
HEADER = ('<?xml version="1.0" encoding="UTF-8"?><hh:head xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head">'
          '<hh:paraPr id="0"><hh:heading type="NONE" level="0"/></hh:paraPr>'
          '<hh:paraPr id="1"><hh:heading type="OUTLINE" level="0"/></hh:paraPr>'
          '<hh:paraPr id="2"><hh:heading type="OUTLINE" level="1"/></hh:paraPr></hh:head>')


def para(text: str = "", pr: str = "0", vert: int | None = None, page_break: bool = False, inner: str = "") -> str:
    segs = f'<hp:linesegarray><hp:lineseg vertpos="{vert}"/></hp:linesegarray>' if vert is not None else ""
    body = f"<hp:t>{text}</hp:t>" if text else ""
    return f'<hp:p paraPrIDRef="{pr}" pageBreak="{int(page_break)}"><hp:run>{body}{inner}</hp:run>{segs}</hp:p>'


def cell(row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1) -> str:
    return (f'<hp:tc><hp:subList>{para(text)}</hp:subList><hp:cellAddr colAddr="{col}" rowAddr="{row}"/>'
            f'<hp:cellSpan colSpan="{colspan}" rowSpan="{rowspan}"/></hp:tc>')


def section(*paras: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><hs:sec {NS}>{"".join(paras)}</hs:sec>'


def write_hwpx(path: Path, sections: dict[str, str], manifest: list[str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("Contents/header.xml", HEADER)
        if manifest is not None:
            items = "".join(f'<opf:item id="{n}" href="Contents/{n}.xml"/>' for n in manifest)
            refs = "".join(f'<opf:itemref idref="{n}"/>' for n in manifest)
            zf.writestr("Contents/content.hpf", '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
                        f"<opf:manifest>{items}</opf:manifest><opf:spine>{refs}</opf:spine></opf:package>")
        for name, xml in sections.items():
            zf.writestr(f"Contents/{name}.xml", xml)
    return path


TABLE = ('<hp:tbl rowCnt="4" colCnt="3" pageBreak="CELL"><hp:pos treatAsChar="1"/>'
         f'<hp:tr>{cell(0, 0, "지역")}{cell(0, 1, "사업")}{cell(0, 2, "예산")}</hp:tr>'
         f'<hp:tr>{cell(1, 0, "강원", rowspan=2)}{cell(1, 1, "관광")}{cell(1, 2, "10억")}</hp:tr>'
         f'<hp:tr>{cell(2, 1, "교통")}{cell(2, 2, "20억")}</hp:tr>'
         f'<hp:tr>{cell(3, 0, "합계", colspan=2)}{cell(3, 2, "30억")}</hp:tr></hp:tbl>')
FIELD = ('<hp:ctrl><hp:fieldBegin type="CLICK_HERE" name="금액"/></hp:ctrl><hp:t>30억 원</hp:t>'
         '<hp:ctrl><hp:fieldEnd/></hp:ctrl><hp:t>이다.</hp:t>')
NOTE = f'<hp:ctrl><hp:footNote><hp:subList>{para("국비 50% 포함")}</hp:subList></hp:footNote></hp:ctrl>'
RUNNING = f'<hp:ctrl><hp:header><hp:subList>{para("머리말 반복")}</hp:subList></hp:header></hp:ctrl>'
BOX = f'<hp:rect><hp:drawText><hp:subList>{para("문의: 지역정책과")}</hp:subList></hp:drawText></hp:rect>'


def test_built_hwpx_reads_fields_notes_boxes_tables_headings_and_pages(tmp_path):
    path = write_hwpx(tmp_path / "plan.hwpx", {"section0": section(
        para("사업 개요", pr="1", vert=0),
        para("지원 규모는 ", vert=1600, inner=FIELD + NOTE + RUNNING),
        para("세부 계획", pr="2", vert=0),  # placed higher than the line before: a new page
        para(vert=1600, inner=TABLE),
        para(vert=3200, inner=BOX),
        para("다음 쪽", vert=0, page_break=True),
    )})
    doc = load_hwpx(path, "plan.hwpx")
    assert "지원 규모는 30억 원이다." in doc.text and "(각주) 국비 50% 포함" in doc.text
    assert "문의: 지역정책과" in doc.text and "머리말 반복" not in doc.text
    table = ["지역 · 사업 · 예산", "지역: 강원 · 사업: 관광 · 예산: 10억", "지역: 강원 · 사업: 교통 · 예산: 20억",
             "지역/사업: 합계 · 예산: 30억"]
    assert "\n".join(table) in doc.text
    assert (_segment(doc, "지원 규모").section, _segment(doc, "지원 규모").page) == (("사업 개요",), 1)
    assert (_segment(doc, "관광").section, _segment(doc, "관광").page) == (("사업 개요", "세부 계획"), 2)
    assert _segment(doc, "다음 쪽").page == 3
    assert doc.title == "사업 개요"


def test_sections_follow_the_spine_else_their_numbers(tmp_path):
    sections = {"section2": section(para("둘째")), "section10": section(para("열째")), "section0": section(para("첫째"))}
    by_number = load_hwpx(write_hwpx(tmp_path / "a.hwpx", sections), "a.hwpx").text
    assert by_number.split("\n") == ["첫째", "둘째", "열째"]
    spine = load_hwpx(write_hwpx(tmp_path / "b.hwpx", sections, ["section10", "section0"]), "b.hwpx").text
    assert spine.split("\n") == ["열째", "첫째", "둘째"]  # one the spine forgot still comes, after


def test_without_line_positions_no_page_is_claimed(tmp_path):
    doc = load_hwpx(write_hwpx(tmp_path / "c.hwpx", {"section0": section(para("가"), para("나"))}), "c.hwpx")
    assert [s.page for s in doc.segments] == [None]


def test_render_table_reads_forms_and_boxes():
    def cells(rows):
        return [Cell(r, c, 1, 1, [Block(t)]) for r, row in enumerate(rows) for c, t in enumerate(row)]

    form = render_table(cells([["담당 부서", "체육국", "(044-203-3111)"], ["담당 부서", "체육정책과", "(044-203-3129)"]]))
    assert form[0].text.split("\n")[1] == "담당 부서 · 체육정책과 · (044-203-3129)"  # no header: figures in row one
    box = render_table([Cell(0, 0, 1, 1, [Block("Ⅰ. 과업안내")])])
    assert box[0].text == "Ⅰ. 과업안내" and not box[0].table and not box[0].nested


def test_para_text_skips_inline_and_extended_controls():
    table_ctrl = [11] + [0x6274, 0x6c20, 0, 0, 0, 0] + [11]  # an extended control: 8 units, anchors a table
    units = [ord(c) for c in "가나"] + table_ctrl + [9] + [0] * 6 + [9] + [ord("다"), 10, ord("라"), 13]
    assert para_text(struct.pack(f"<{len(units)}H", *units)) == "가나 다\n라"


def test_records_read_extended_sizes_and_refuse_overruns():
    body = b"x" * 5000
    data = struct.pack("<I", 67 | (1 << 10) | (0xFFF << 20)) + struct.pack("<I", len(body)) + body
    assert _records(data) == [(67, 1, body)]
    with pytest.raises(_Damaged):
        _records(data[:-1])


def record(tag: int, level: int, body: bytes) -> bytes:
    return struct.pack("<I", tag | level << 10 | len(body) << 20) + body


def para_record(level: int, text: str, ctrl: bool = False, shape: int = 0) -> bytes:
    units = ([11, 0x6274, 0x6c20, 0, 0, 0, 0, 11] if ctrl else []) + [ord(c) for c in text] + [13]
    return (record(66, level, struct.pack("<IIHBB", len(units), 0, shape, 0, 0) + bytes(12))
            + record(67, level + 1, struct.pack(f"<{len(units)}H", *units)))


def test_hwp_records_make_headings_and_merged_tables():
    """A section stream built record by record: an outline-shaped heading, then a table whose first column is
    merged over two rows, read through the same path as a file's BodyText."""
    docinfo = record(25, 0, struct.pack("<I", 0)) + record(25, 0, struct.pack("<I", 1 << 23 | 1 << 25))
    outline = _outline_levels(docinfo)
    assert outline == {1: 2}  # shape 1: outline, second level
    cells = [(0, 0, 1, "지역"), (1, 0, 1, "사업"), (2, 0, 1, "예산"), (0, 1, 2, "강원"), (1, 1, 1, "관광"),
             (2, 1, 1, "10억"), (1, 2, 1, "교통"), (2, 2, 1, "20억")]
    table = record(71, 1, b"tbl "[::-1] + struct.pack("<I", 1)) + record(77, 2, struct.pack("<IHH", 0, 3, 3))
    for col, row, rowspan, text in cells:
        table += record(72, 2, struct.pack("<HIHHHHH", 1, 0, 0, col, row, 1, rowspan)) + para_record(2, text)
    stream = para_record(0, "세부 계획", shape=1) + para_record(0, "", ctrl=True) + table
    blocks = _section_blocks(_tree(_records(stream)), outline, PageTracker())
    assert (blocks[0].text, blocks[0].level) == ("세부 계획", 2)
    assert blocks[-1].text.split("\n") == ["지역 · 사업 · 예산", "지역: 강원 · 사업: 관광 · 예산: 10억",
                                           "지역: 강원 · 사업: 교통 · 예산: 20억"]


def test_inflation_stops_at_its_budget():
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = deflate.compress(b"\0" * (8 * 2**20)) + deflate.flush()
    with pytest.raises(_Damaged, match="refused as hostile"):
        _inflate(bomb, 2**20)


def test_loaders_import_their_parsers_only_when_used():
    code = "import sys, assistant.ingest.hwp; print(sorted(m for m in ('olefile', 'defusedxml') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


# --- hostile files ------------------------------------------------------------------------------------------------

def refused(path: Path, match: str) -> None:
    started = time.monotonic()
    with pytest.raises(IngestError, match=match):
        load(path)
    assert time.monotonic() - started < 10


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.hwpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Contents/section0.xml", b"\0" * (20 * 2**20))
    refused(path, "compressed more than 200:1")


def test_zip_with_too_many_members_is_refused(tmp_path):
    path = tmp_path / "many.hwpx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(2001):
            zf.writestr(f"BinData/{i}.bin", b"")
    refused(path, "2001 members")


def test_zip_claiming_too_many_bytes_is_refused(tmp_path):
    path = tmp_path / "big.hwpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("Contents/section0.xml", bytes(range(256)) * 4)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 300 * 2**20)  # the directory's uncompressed size
    path.write_bytes(bytes(data))
    refused(path, "unpack to")


def test_truncated_damaged_and_foreign_hwpx_are_refused(tmp_path):
    whole = write_hwpx(tmp_path / "whole.hwpx", {"section0": section(para("본문"))}).read_bytes()
    (tmp_path / "half.hwpx").write_bytes(whole[: len(whole) // 2])
    refused(tmp_path / "half.hwpx", "damaged or truncated")
    (tmp_path / "text.hwpx").write_text("이것은 zip이 아니다", encoding="utf-8")
    refused(tmp_path / "text.hwpx", "not a readable HWPX")
    with zipfile.ZipFile(tmp_path / "other.hwpx", "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    refused(tmp_path / "other.hwpx", "not an HWPX")
    write_hwpx(tmp_path / "broken.hwpx", {"section0": "<hs:sec><hp:p>"})
    refused(tmp_path / "broken.hwpx", "not well-formed")


def test_xml_entities_are_refused(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              f']><hs:sec {NS}><hp:p><hp:run><hp:t>&b;</hp:t></hp:run></hp:p></hs:sec>')
    refused(write_hwpx(tmp_path / "laughs.hwpx", {"section0": laughs}), "DTD")
    external = f'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><hs:sec {NS}>&x;</hs:sec>'
    refused(write_hwpx(tmp_path / "xxe.hwpx", {"section0": external}), "DTD")


def test_files_that_are_not_hwp5_are_refused(tmp_path):
    (tmp_path / "note.hwp").write_text("그냥 텍스트 파일", encoding="utf-8")
    refused(tmp_path / "note.hwp", "no OLE compound-file header")
    (tmp_path / "old.hwp").write_bytes(b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\0" * 200)
    refused(tmp_path / "old.hwp", "HWP 3.x")


@needs_samples
def test_bit_flipped_and_truncated_hwp_are_refused(tmp_path):
    import olefile

    source = SAMPLES / "hwp" / "fmt-changing-paragraph-text.hwp"
    data = bytearray(source.read_bytes())
    with olefile.OleFileIO(str(source)) as ole:
        body = ole.openstream("BodyText/Section0").read()
    start = data.index(body[:32])  # the compressed body: its first bytes are the deflate block header
    data[start:start + 4] = bytes(b ^ 0xFF for b in data[start:start + 4])
    (tmp_path / "flipped.hwp").write_bytes(bytes(data))
    refused(tmp_path / "flipped.hwp", "damaged HWP file")
    (tmp_path / "cut.hwp").write_bytes(source.read_bytes()[:3000])
    refused(tmp_path / "cut.hwp", "damaged")


@needs_samples
@pytest.mark.parametrize("name", ["hwp/fmt-getting_clickhere_text.hwp", "hwp/fmt-etc.hwp",
                                  "hwpx/mcst-press-release-2024-01-02.hwpx", "hwpx/fmt-Table.hwpx"])
def test_random_damage_ends_in_a_document_or_ingest_error(tmp_path, name):
    """Seeded corruption (flipped bits, overwritten runs, cuts): whatever happens, no other exception, no hang,
    and what does load carries no garbage."""
    rng = random.Random(name)
    source = (SAMPLES / name).read_bytes()
    for n in range(40):
        data = bytearray(source)
        at = rng.randrange(len(data))
        if n % 3 == 0:
            data = data[:at]
        else:
            data[at:at + rng.randint(1, 32)] = bytes(rng.randrange(256) for _ in range(len(data[at:at + 32])))
        path = tmp_path / f"{n}{Path(name).suffix}"
        path.write_bytes(bytes(data))
        started = time.monotonic()
        try:
            doc = load(path)
        except IngestError:
            continue
        finally:
            assert time.monotonic() - started < 10
        assert len(GARBAGE.findall(doc.text)) <= 0.2 * len(doc.text)
