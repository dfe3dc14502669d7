"""A briefing as an HWPX file, the open XML format of the Hangul word processor that Korean public offices work in.

It holds what the DOCX holds, in the same order: the title, the as-of line when the briefing has one, each numbered
section with its cited bullets, the comparison table under "주요 내용" as a real Hangul table, and the references.
The package is written with the standard library: `mimetype` stored first, then the OWPML parts (KS X 6101) a
document needs, with only the fonts, shapes and styles the body uses. Headings use Hangul's outline shape (개요 1),
so they show in its outline view and read back as headings; bullets use a paragraph bullet (○), so their text is
the sentence alone. No line-layout cache (`hp:linesegarray`) is written: Hangul lays the text out when it opens the
file. Document text is never markup: every string is escaped, and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from assistant.briefing import NOT_IN_DOCS, SECTIONS

if TYPE_CHECKING:
    from assistant.briefing import Briefing

MIMETYPE = "application/hwp+zip"
_NS = {
    "ha": "http://www.hancom.co.kr/hwpml/2011/app", "hp": "http://www.hancom.co.kr/hwpml/2011/paragraph",
    "hp10": "http://www.hancom.co.kr/hwpml/2016/paragraph", "hs": "http://www.hancom.co.kr/hwpml/2011/section",
    "hc": "http://www.hancom.co.kr/hwpml/2011/core", "hh": "http://www.hancom.co.kr/hwpml/2011/head",
    "hhs": "http://www.hancom.co.kr/hwpml/2011/history", "hm": "http://www.hancom.co.kr/hwpml/2011/master-page",
    "hpf": "http://www.hancom.co.kr/schema/2011/hpf", "dc": "http://purl.org/dc/elements/1.1/",
    "opf": "http://www.idpf.org/2007/opf/", "ooxmlchart": "http://www.hancom.co.kr/hwpml/2016/ooxmlchart",
    "hwpunitchar": "http://www.hancom.co.kr/hwpml/2016/HwpUnitChar", "epub": "http://www.idpf.org/2007/ops",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
}
# Hangul declares every namespace on the root of each part, and some readers look for them there.
_XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items())
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
_LANGS = ("HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER")
_FONTS = ("함초롬돋움", "함초롬바탕")  # shipped with every Hangul install: 0 = sans (headings), 1 = serif (body)
# (height in 1/100 pt, bold, font): body, title, heading, table cell, table header, note line
_CHARS = ((1000, False, 1), (1600, True, 0), (1300, True, 0), (900, False, 1), (900, True, 0), (900, False, 1))
BODY, TITLE, HEADING, CELL, CELL_HEAD, NOTE = range(6)
# (align, heading kind, left margin, first-line indent, space before, space after), in HWPUNIT (1/7200 inch)
_PARAS = (("JUSTIFY", "NONE", 0, 0, 0, 0), ("CENTER", "NONE", 0, 0, 0, 600),
          ("LEFT", "OUTLINE", 0, 0, 1200, 300), ("JUSTIFY", "BULLET", 1500, 0, 0, 200),
          ("LEFT", "NONE", 0, 0, 0, 0), ("JUSTIFY", "NONE", 2000, -2000, 0, 200), ("RIGHT", "NONE", 0, 0, 0, 600))
P_BODY, P_TITLE, P_HEADING, P_BULLET, P_CELL, P_REF, P_NOTE = range(7)
# A4 with Hangul's default margins; the text column is 42520 wide and a table's outer margins take 2 x 283.
_TEXT_WIDTH, _TABLE_OUT, _ROW_HEIGHT = 42520, 283, 282
_NOT_XML = re.compile(r"[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(s: object) -> str:
    """Plain text made safe for an element: markup characters escaped, characters XML 1.0 forbids dropped, line
    breaks and tabs turned into spaces (a briefing line is one paragraph)."""
    return escape(re.sub(r"[\t\r\n]+", " ", _NOT_XML.sub("", str(s))))


def _char_pr(i: int, height: int, bold: bool, font: int) -> str:
    each = lambda v: " ".join(f'{lang.lower()}="{v}"' for lang in _LANGS)  # noqa: E731
    return (f'<hh:charPr id="{i}" height="{height}" textColor="#000000" shadeColor="none" useFontSpace="0" '
            f'useKerning="0" symMark="NONE" borderFillIDRef="2"><hh:fontRef {each(font)}/><hh:ratio {each(100)}/>'
            f'<hh:spacing {each(0)}/><hh:relSz {each(100)}/><hh:offset {each(0)}/>{"<hh:bold/>" if bold else ""}'
            '<hh:underline type="NONE" shape="SOLID" color="#000000"/><hh:strikeout shape="NONE" color="#000000"/>'
            '<hh:outline type="NONE"/><hh:shadow type="NONE" color="#B2B2B2" offsetX="10" offsetY="10"/></hh:charPr>')


def _margin(scale: int, left: int, indent: int, prev: int, after: int) -> str:
    sides = (("intent", indent), ("left", left), ("right", 0), ("prev", prev), ("next", after))
    return ("<hh:margin>" + "".join(f'<hc:{k} value="{v * scale}" unit="HWPUNIT"/>' for k, v in sides) +
            '</hh:margin><hh:lineSpacing type="PERCENT" value="160" unit="HWPUNIT"/>')


def _para_pr(i: int, align: str, kind: str, left: int, indent: int, prev: int, after: int) -> str:
    # Hangul writes margins twice: in its current unit for readers that know it, doubled for older ones.
    ref = {"OUTLINE": 1, "BULLET": 1}.get(kind, 0)  # the numbering (outline) or the bullet the shape uses
    keep = int(kind == "OUTLINE")  # a heading is never left alone at the foot of a page
    return (f'<hh:paraPr id="{i}" tabPrIDRef="0" condense="0" fontLineHeight="0" snapToGrid="1" '
            f'suppressLineNumbers="0" checked="0"><hh:align horizontal="{align}" vertical="BASELINE"/>'
            f'<hh:heading type="{kind}" idRef="{ref}" level="0"/><hh:breakSetting breakLatinWord="KEEP_WORD" '
            f'breakNonLatinWord="BREAK_WORD" widowOrphan="0" keepWithNext="{keep}" keepLines="0" '
            'pageBreakBefore="0" lineWrap="BREAK"/><hh:autoSpacing eAsianEng="0" eAsianNum="0"/>'
            f'<hp:switch><hp:case hp:required-namespace="{_NS["hwpunitchar"]}">'
            f'{_margin(1, left, indent, prev, after)}</hp:case><hp:default>{_margin(2, left, indent, prev, after)}'
            '</hp:default></hp:switch><hh:border borderFillIDRef="2" offsetLeft="0" offsetRight="0" offsetTop="0" '
            'offsetBottom="0" connect="0" ignoreMargin="0"/></hh:paraPr>')


def _border_fill(i: int, line: str, fill: str | None) -> str:
    sides = "".join(f'<hh:{s}Border type="{line}" width="0.12 mm" color="#000000"/>'
                    for s in ("left", "right", "top", "bottom"))
    brush = (f'<hc:fillBrush><hc:winBrush faceColor="{fill}" hatchColor="#999999" alpha="0"/></hc:fillBrush>'
             if fill else "")
    return (f'<hh:borderFill id="{i}" threeD="0" shadow="0" centerLine="NONE" breakCellSeparateLine="0">'
            '<hh:slash type="NONE" Crooked="0" isCounter="0"/><hh:backSlash type="NONE" Crooked="0" isCounter="0"/>'
            f'{sides}<hh:diagonal type="SOLID" width="0.1 mm" color="#000000"/>{brush}</hh:borderFill>')


def _header() -> str:
    """Contents/header.xml: fonts, border fills (1 page, 2 text, 3 cell, 4 header cell), character and paragraph
    shapes, an outline numbering that prints no number (the headings carry their own "1."), the bullet, styles."""
    fonts = "".join(f'<hh:fontface lang="{lang}" fontCnt="{len(_FONTS)}">' + "".join(
        f'<hh:font id="{i}" face="{face}" type="TTF" isEmbedded="0"/>' for i, face in enumerate(_FONTS)) +
        "</hh:fontface>" for lang in _LANGS)
    fills = (_border_fill(1, "NONE", None) + _border_fill(2, "NONE", "none") + _border_fill(3, "SOLID", None)
             + _border_fill(4, "SOLID", "#E5E5E5"))
    heads = "".join(f'<hh:paraHead start="1" level="{n}" align="LEFT" useInstWidth="0" autoIndent="0" '
                    'widthAdjust="0" textOffsetType="PERCENT" textOffset="0" numFormat="DIGIT" '
                    'charPrIDRef="4294967295" checkable="0"/>' for n in range(1, 8))
    bullet = ('<hh:bullet id="1" char="○" useImage="0"><hh:paraHead level="0" align="LEFT" useInstWidth="0" '
              'autoIndent="1" widthAdjust="0" textOffsetType="PERCENT" textOffset="50" numFormat="DIGIT" '
              'charPrIDRef="4294967295" checkable="0"/></hh:bullet>')
    styles = (('바탕글', 'Normal', P_BODY, BODY), ('개요 1', 'Outline 1', P_HEADING, HEADING))
    return (f'{_DECL}<hh:head {_XMLNS} version="1.4" secCnt="1"><hh:beginNum page="1" footnote="1" endnote="1" '
            f'pic="1" tbl="1" equation="1"/><hh:refList><hh:fontfaces itemCnt="{len(_LANGS)}">{fonts}</hh:fontfaces>'
            f'<hh:borderFills itemCnt="4">{fills}</hh:borderFills><hh:charProperties itemCnt="{len(_CHARS)}">'
            + "".join(_char_pr(i, *c) for i, c in enumerate(_CHARS)) + '</hh:charProperties>'
            '<hh:tabProperties itemCnt="1"><hh:tabPr id="0" autoTabLeft="0" autoTabRight="0"/></hh:tabProperties>'
            f'<hh:numberings itemCnt="1"><hh:numbering id="1" start="0">{heads}</hh:numbering></hh:numberings>'
            f'<hh:bullets itemCnt="1">{bullet}</hh:bullets><hh:paraProperties itemCnt="{len(_PARAS)}">'
            + "".join(_para_pr(i, *p) for i, p in enumerate(_PARAS)) + f'</hh:paraProperties>'
            f'<hh:styles itemCnt="{len(styles)}">' + "".join(
                f'<hh:style id="{i}" type="PARA" name="{n}" engName="{e}" paraPrIDRef="{p}" charPrIDRef="{c}" '
                f'nextStyleIDRef="0" langID="1042" lockForm="0"/>' for i, (n, e, p, c) in enumerate(styles)) +
            '</hh:styles></hh:refList><hh:compatibleDocument targetProgram="HWP201X"><hh:layoutCompatibility/>'
            '</hh:compatibleDocument><hh:docOption><hh:linkinfo path="" pageInherit="1" footnoteInherit="0"/>'
            '</hh:docOption><hh:trackchageConfig flags="56"/></hh:head>')


_SEC_PR = (
    '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000" tabStopVal="4000" '
    'tabStopUnit="HWPUNIT" outlineShapeIDRef="1" memoShapeIDRef="0" textVerticalWidthHead="0" masterPageCnt="0">'
    '<hp:grid lineGrid="0" charGrid="0" wonggojiFormat="0"/><hp:startNum pageStartsOn="BOTH" page="0" pic="0" '
    'tbl="0" equation="0"/><hp:visibility hideFirstHeader="0" hideFirstFooter="0" hideFirstMasterPage="0" '
    'border="SHOW_ALL" fill="SHOW_ALL" hideFirstPageNum="0" hideFirstEmptyLine="0" showLineNumber="0"/>'
    '<hp:lineNumberShape restartType="0" countBy="0" distance="0" startNumber="0"/><hp:pagePr landscape="WIDELY" '
    'width="59528" height="84188" gutterType="LEFT_ONLY"><hp:margin header="4252" footer="4252" gutter="0" '
    'left="8504" right="8504" top="5668" bottom="4252"/></hp:pagePr>'
    + "".join(f'<hp:{kind}><hp:autoNumFormat type="DIGIT" userChar="" prefixChar="" suffixChar=")" supscript="0"/>'
              f'<hp:noteLine length="-1" type="SOLID" width="0.12 mm" color="#000000"/><hp:noteSpacing '
              f'betweenNotes="283" belowLine="567" aboveLine="850"/><hp:numbering type="CONTINUOUS" newNum="1"/>'
              f'<hp:placement place="{place}" beneathText="0"/></hp:{kind}>'
              for kind, place in (("footNotePr", "EACH_COLUMN"), ("endNotePr", "END_OF_DOCUMENT")))
    + "".join(f'<hp:pageBorderFill type="{t}" borderFillIDRef="1" textBorder="PAPER" headerInside="0" '
              'footerInside="0" fillArea="PAPER"><hp:offset left="1417" right="1417" top="1417" bottom="1417"/>'
              '</hp:pageBorderFill>' for t in ("BOTH", "EVEN", "ODD"))
    + '</hp:secPr><hp:ctrl><hp:colPr id="" type="NEWSPAPER" layout="LEFT" colCount="1" sameSz="1" sameGap="0"/>'
    '</hp:ctrl>')


def _p(text: str, para: int, char: int, inner: str = "") -> str:
    """One paragraph; `inner` is markup that goes in its run before the text (the section's settings, a table)."""
    style = 1 if para == P_HEADING else 0
    return (f'<hp:p id="0" paraPrIDRef="{para}" styleIDRef="{style}" pageBreak="0" columnBreak="0" merged="0">'
            f'<hp:run charPrIDRef="{char}">{inner}<hp:t>{_text(text)}</hp:t></hp:run></hp:p>')


def _cell(text: str, row: int, col: int, width: int) -> str:
    head = row == 0
    return (f'<hp:tc name="" header="{int(head)}" hasMargin="0" protect="0" editable="0" dirty="0" '
            f'borderFillIDRef="{4 if head else 3}"><hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" '
            'vertAlign="CENTER" linkListIDRef="0" linkListNextIDRef="0" textWidth="0" textHeight="0" '
            f'hasTextRef="0" hasNumRef="0">{_p(text, P_CELL, CELL_HEAD if head else CELL)}</hp:subList>'
            f'<hp:cellAddr colAddr="{col}" rowAddr="{row}"/><hp:cellSpan colSpan="1" rowSpan="1"/>'
            f'<hp:cellSz width="{width}" height="{_ROW_HEIGHT}"/>'
            '<hp:cellMargin left="510" right="510" top="141" bottom="141"/></hp:tc>')


def _table(briefing: Briefing) -> str:
    """The key-facts or comparison table as hp:tbl: a header row of the columns, then one row per attribute, each
    cell with its [n]. The first column (the attribute) is narrower; Hangul grows the rows to fit their text."""
    rows = briefing.table.shown(briefing.lang)
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    total = _TEXT_WIDTH - 2 * _TABLE_OUT
    first = total // 5 if ncols > 2 else total // ncols
    widths = [first] + [(total - first) // max(1, ncols - 1)] * (ncols - 1)
    widths[-1] += total - sum(widths)
    body = "".join("<hp:tr>" + "".join(_cell(t, r, c, widths[c]) for c, t in enumerate(row)) + "</hp:tr>"
                   for r, row in enumerate(rows))
    out = f'left="{_TABLE_OUT}" right="{_TABLE_OUT}" top="{_TABLE_OUT}" bottom="{_TABLE_OUT}"'
    tbl = (f'<hp:tbl id="1" zOrder="0" numberingType="TABLE" textWrap="TOP_AND_BOTTOM" textFlow="BOTH_SIDES" '
           f'lock="0" dropcapstyle="None" pageBreak="CELL" repeatHeader="1" rowCnt="{len(rows)}" colCnt="{ncols}" '
           f'cellSpacing="0" borderFillIDRef="3" noAdjust="0"><hp:sz width="{total}" widthRelTo="ABSOLUTE" '
           f'height="{_ROW_HEIGHT * len(rows)}" heightRelTo="ABSOLUTE" protect="0"/><hp:pos treatAsChar="0" '
           'affectLSpacing="0" flowWithText="1" allowOverlap="0" holdAnchorAndSO="0" vertRelTo="PARA" '
           'horzRelTo="COLUMN" vertAlign="TOP" horzAlign="LEFT" vertOffset="0" horzOffset="0"/>'
           f'<hp:outMargin {out}/><hp:inMargin left="510" right="510" top="141" bottom="141"/>{body}</hp:tbl>')
    return _p("", P_BODY, BODY, tbl)


def _reference(c) -> str:
    where = f"p. {c.page}" if c.page else c.section
    return f"[{c.n}] {c.title} — {c.doc_id}{', ' + where if where else ''}" + (f" ({c.date})" if c.date else "")


def _as_of(briefing: Briefing) -> str:
    """The as-of line, for a briefing that carries one (`as_of`); its own wording is kept when it has some."""
    value = str(getattr(briefing, "as_of", "") or "").strip()
    if not value or re.search(r"기준|as of", value, re.I):
        return value
    return f"({value} 기준)" if briefing.lang == "ko" else f"(as of {value})"


def _lines(briefing: Briefing) -> list[tuple[str, int, int]]:
    """(text, paragraph shape, character shape) in reading order; "" with shape -1 marks where the table goes."""
    lines = [(briefing.title(), P_TITLE, TITLE)]  # the DOCX's title, word for word
    if _as_of(briefing):
        lines.append((_as_of(briefing), P_NOTE, NOTE))
    if briefing.table:  # the key facts come first, as in the DOCX
        lines.append(("", -1, -1))
    for i, (name, bullets) in enumerate(briefing.sections, 1):
        lines.append((f"{i}. {name}", P_HEADING, HEADING))
        lines += [(b.shown(), P_BODY if b.prose else P_BULLET, BODY) for b in bullets] or [
            (NOT_IN_DOCS[briefing.lang], P_BULLET, BODY)]
    lines.append((f"{len(briefing.sections) + 1}. {SECTIONS[briefing.lang][-1]}", P_HEADING, HEADING))
    lines += [(_reference(c), P_REF, BODY) for c in briefing.citations]
    return lines


def _section(briefing: Briefing, lines: list[tuple[str, int, int]]) -> str:
    """Contents/section0.xml: the first paragraph carries the page settings (A4, one column), as Hangul's do."""
    paras = [_p(lines[0][0], lines[0][1], lines[0][2], _SEC_PR)]
    paras += [_table(briefing) if para < 0 else _p(text, para, char) for text, para, char in lines[1:]]
    return f'{_DECL}<hs:sec {_XMLNS}>' + "".join(paras) + "</hs:sec>"


def _package(briefing: Briefing, lines: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    title, lang = _text(lines[0][0]), "ko" if briefing.lang == "ko" else "en"
    items = (("header", "Contents/header.xml"), ("section0", "Contents/section0.xml"), ("settings", "settings.xml"))
    hpf = (f'{_DECL}<opf:package {_XMLNS} version="" unique-identifier="" id=""><opf:metadata>'
           f'<opf:title>{title}</opf:title><opf:language>{lang}</opf:language>'
           '<opf:meta name="creator" content="text">policy-assistant</opf:meta></opf:metadata><opf:manifest>'
           + "".join(f'<opf:item id="{i}" href="{h}" media-type="application/xml"/>' for i, h in items) +
           '</opf:manifest><opf:spine><opf:itemref idref="header" linear="yes"/>'
           '<opf:itemref idref="section0" linear="yes"/></opf:spine></opf:package>')
    preview = "\r\n".join(text for text, para, _ in lines if para >= 0)[:1024]
    return [
        ("mimetype", MIMETYPE),
        ("version.xml", f'{_DECL}<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" '
                        'tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="0" buildNumber="0" os="1" '
                        'xmlVersion="1.4" application="policy-assistant" appVersion="0.1.0"/>'),
        ("META-INF/container.xml", f'{_DECL}<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:'
                                   f'container" xmlns:hpf="{_NS["hpf"]}"><ocf:rootfiles><ocf:rootfile '
                                   'full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
                                   '<ocf:rootfile full-path="Preview/PrvText.txt" media-type="text/plain"/>'
                                   '</ocf:rootfiles></ocf:container>'),
        ("META-INF/manifest.xml", f'{_DECL}<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:'
                                  'manifest:1.0"/>'),
        ("Contents/content.hpf", hpf),
        ("Contents/header.xml", _header()),
        ("Contents/section0.xml", _section(briefing, lines)),
        ("settings.xml", f'{_DECL}<ha:HWPApplicationSetting xmlns:ha="{_NS["ha"]}" xmlns:config="{_NS["config"]}">'
                         '<ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>'),
        ("Preview/PrvText.txt", _NOT_XML.sub("", preview)),
    ]


def write_hwpx(briefing: Briefing, path: str | Path) -> Path:
    """Write the briefing to `path` as HWPX and return the path. The file appears whole or not at all."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data in _package(briefing, _lines(briefing)):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                # The format's signature: an uncompressed `mimetype` first, so a reader can sniff it at offset 38.
                info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data.encode("utf-8"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
