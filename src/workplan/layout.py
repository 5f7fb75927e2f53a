"""Layout numbers of GB/T 9704-2012, in one place.

Every renderer (DOCX, PDF, compilation pages) reads its page geometry, font roles, sizes,
colours and numbering styles from here. Derivations are given next to each number.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# --- page (5.1, 5.2.1) --------------------------------------------------------------
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 37.0      # 天头
MARGIN_BOTTOM_MM = 35.0   # 297 - 37 - 225
MARGIN_LEFT_MM = 28.0     # 订口
MARGIN_RIGHT_MM = 26.0    # 210 - 28 - 156
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM    # 156 版心宽
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225 版心高

MM_PER_PT = 25.4 / 72

# --- the 22 × 28 grid (5.2.3) ---------------------------------------------------------
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# 225 mm / 22 lines = 10.227 mm = 28.99 pt. Rounded down to the nearest half point so that
# 22 lines always fit in Word's exact line spacing (Word counts in twentieths of a point).
LINE_PITCH_PT = 28.95
# 156 mm / 28 = 5.571 mm = 15.79 pt per character: a 16 pt face with -0.21 pt tracking.
CHAR_PITCH_PT = TEXT_WIDTH_MM / CHARS_PER_LINE / MM_PER_PT
# Page number: top of the dash 7 mm below the 版心 (7.5).
PAGE_NUMBER_DROP_MM = 7.0

# --- sizes (Chinese 号 → pt) -----------------------------------------------------------
SIZE_PT = {"初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18,
           "三号": 16, "小三": 15, "四号": 14, "小四": 12, "五号": 10.5}

RED = "C00000"         # 发文机关标志 and the rule under the document number
RED_RULE_MM = 0.5      # the standard gives no thickness; common practice
IMPRINT_RULE_THICK_MM = 0.35   # 版记 first and last rules (7.4.1)
IMPRINT_RULE_THIN_MM = 0.25    # 版记 middle rules
ISSUER_MARK_SIZE_PT = 36       # 小初: the issuer's choice; 36 pt fits most issuer names on one line
ISSUER_MARK_TOP_MM = 35.0      # top edge 35 mm below the top of the 版心 (7.2.4)
ISSUER_MARK_MIN_PT = 22        # a longer mark (an English one, joint issuers) wraps at 2号 instead of shrinking
# Joint issuers (7.2.4): the names one a line, 文件 to their right, vertically centred across them,
# this far (in em of the mark) from the longest name; the names' lines at this multiple of the size.
JOINT_MARK_GAP_EM = 0.5
JOINT_MARK_LINE_HEIGHT = 1.15


@dataclass(frozen=True)
class FontRole:
    """One typographic role: the canonical (Windows/WPS) name written into DOCX, and the
    free face that stands in for it when we render PDF on Linux."""

    docx_name: str          # w:eastAsia in DOCX: what recipients' Word/WPS looks up
    pdf_family: str         # the CSS family name we declare with @font-face
    pdf_file: str           # font file embedded in the PDF
    size_pt: float
    bold: bool = False
    latin_docx: str = "Times New Roman"


FANDOL = "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
NOTO = "/usr/share/fonts/opentype/noto"
LIBERATION = "/usr/share/fonts/truetype/liberation"

FONT_FILES = {
    # family used in CSS -> (font file, Debian package providing it). Fandol faces wherever
    # they serve: WeasyPrint reads the whole font file for every PDF it writes, and each Noto
    # collection (TTC, 20-27 MB) costs ~50 ms a document; FandolHei/FandolSong cut a 10-page
    # program from 395 to 333 ms (bench/bench_pdf.py). Noto Serif CJK SC Bold stays as the
    # closest free 小标宋; the PDF writer picks its SC face by fontconfig name.
    "WP FangSong": (f"{FANDOL}/FandolFang-Regular.otf", "texlive-lang-chinese"),
    "WP KaiTi": (f"{FANDOL}/FandolKai-Regular.otf", "texlive-lang-chinese"),
    "WP HeiTi": (f"{FANDOL}/FandolHei-Regular.otf", "texlive-lang-chinese"),
    "WP SongTi": (f"{FANDOL}/FandolSong-Regular.otf", "texlive-lang-chinese"),
    "WP XiaoBiaoSong": (f"{NOTO}/NotoSerifCJK-Bold.ttc", "fonts-noto-cjk"),
    "WP Latin": (f"{LIBERATION}/LiberationSerif-Regular.ttf", "fonts-liberation"),
    "WP Latin Bold": (f"{LIBERATION}/LiberationSerif-Bold.ttf", "fonts-liberation"),
}

FONTS = {
    "title": FontRole("方正小标宋简体", "WP XiaoBiaoSong", FONT_FILES["WP XiaoBiaoSong"][0], SIZE_PT["二号"]),
    "issuer_mark": FontRole("方正小标宋简体", "WP XiaoBiaoSong", FONT_FILES["WP XiaoBiaoSong"][0], ISSUER_MARK_SIZE_PT),
    "body": FontRole("仿宋_GB2312", "WP FangSong", FONT_FILES["WP FangSong"][0], SIZE_PT["三号"]),
    "h1": FontRole("黑体", "WP HeiTi", FONT_FILES["WP HeiTi"][0], SIZE_PT["三号"]),
    "h2": FontRole("楷体_GB2312", "WP KaiTi", FONT_FILES["WP KaiTi"][0], SIZE_PT["三号"]),
    "h3": FontRole("仿宋_GB2312", "WP FangSong", FONT_FILES["WP FangSong"][0], SIZE_PT["三号"], bold=True),
    "h4": FontRole("仿宋_GB2312", "WP FangSong", FONT_FILES["WP FangSong"][0], SIZE_PT["三号"]),
    "attachment_label": FontRole("黑体", "WP HeiTi", FONT_FILES["WP HeiTi"][0], SIZE_PT["三号"]),
    "table": FontRole("仿宋_GB2312", "WP FangSong", FONT_FILES["WP FangSong"][0], SIZE_PT["四号"]),
    "table_header": FontRole("黑体", "WP HeiTi", FONT_FILES["WP HeiTi"][0], SIZE_PT["四号"]),
    "imprint": FontRole("仿宋_GB2312", "WP FangSong", FONT_FILES["WP FangSong"][0], SIZE_PT["四号"]),
    # 7.5: 4号半角宋体 Arabic numerals; the digits are Latin text, so 宋体 is their Latin face too
    "page_number": FontRole("宋体", "WP SongTi", FONT_FILES["WP SongTi"][0], SIZE_PT["四号"], latin_docx="宋体"),
}

# Heading roles by level (1-based): 一、黑体 （一）楷体 1.仿宋 （1）仿宋
HEADING_ROLES = {1: "h1", 2: "h2", 3: "h3", 4: "h4"}

# English text has no 黑体, 小标宋 or 楷体: it stands in for them with bold (黑体, 小标宋) and
# italic (楷体), in both writers.
ENGLISH_BOLD_FACES = ("WP HeiTi", "WP XiaoBiaoSong")
ENGLISH_ITALIC_FACES = ("WP KaiTi",)


def english_emphasis(role: str) -> tuple[bool, bool]:
    """(bold, italic) of a role's English text: bold roles and the faces of ENGLISH_BOLD_FACES
    are bold, those of ENGLISH_ITALIC_FACES italic."""
    fr = FONTS[role]
    return fr.bold or fr.pdf_family in ENGLISH_BOLD_FACES, fr.pdf_family in ENGLISH_ITALIC_FACES

# Indents in characters (字)
BODY_FIRST_LINE_INDENT_CHARS = 2
PAGE_NUMBER_INSET_CHARS = 1
IMPRINT_INDENT_CHARS = 1
SIGNATURE_RIGHT_INDENT_CHARS = 4   # sealed style: date 4 字 from the right

# Title lines: 156 mm / 22 pt (2号) = 20 characters. Longer Chinese titles are broken into
# lines of nearly equal length (7.3.1: "梯形或菱形"), never leaving one character alone.
TITLE_CHARS_PER_LINE = int(TEXT_WIDTH_MM / (SIZE_PT["二号"] * MM_PER_PT))

# Table column widths of the 任务分工表 in mm (sum = TEXT_WIDTH_MM): 序号, 工作任务, 牵头单位, 配合单位, 完成时限
TASK_TABLE_COLUMNS_MM = (12.0, 66.0, 26.0, 30.0, 22.0)
ROSTER_TABLE_COLUMNS_MM = (14.0, 30.0, 30.0, 82.0)


def mm_to_twips(mm: float) -> int:
    return round(mm / MM_PER_PT * 20)


def missing_font_files() -> list[tuple[str, str, str]]:
    """(family, file, package) for every font file the PDF writer needs but cannot find."""
    return [(fam, f, pkg) for fam, (f, pkg) in FONT_FILES.items() if not Path(f).exists()]


# --- additions for the PDF writer (render/weasyprint/writer.py) ---------------------------------
# The Noto CJK files are TTC collections (JP/KR/SC/TC faces in one file). The PDF writer does
# not load them with @font-face (that would register every face under one name); it names the
# SC face by its fontconfig family and weight instead.
PDF_FONTCONFIG_FAMILIES = {
    "WP XiaoBiaoSong": ("Noto Serif CJK SC", 700),
}
RED_RULE_GAP_MM = 4.0            # red rule 4 mm below the document number (7.2.7)
# Vertical gaps, in blank lines (行) of LINE_PITCH_PT
DOC_NUMBER_GAP_LINES = 2         # 发文字号 two blank lines below the issuer mark (7.2.5)
TITLE_GAP_LINES = 2              # title two blank lines below the red rule (7.3.1)
RECIPIENTS_GAP_LINES = 1         # 主送 one blank line below the title (7.3.2)
ATTACHMENT_LIST_GAP_LINES = 1    # 附件说明 one blank line below the body (7.3.4)
SIGNATURE_GAP_LINES = 2          # room for the seal above the signature (7.3.5.1)
ATTACHMENT_TITLE_LINE = 3        # attachment title on line 3 of the 版心 (7.3.7)
# Page ends. A page may end this many blank lines above the bottom of the type area when what
# follows must move whole (a heading with its next line, a caption with its table, the
# signature with its 附件说明); beyond that the lines of the page are set closer (GB/T 9704
# 7.3.5.1: "调整行距"), to at most this fraction of LINE_PITCH_PT (22 lines then hold 25).
PAGE_END_MAX_BLANK_LINES = 2.0
MIN_LINE_PITCH_FACTOR = 0.86
# Page 1 must show body text (7.3.3): where a long (bilingual) title, a joint letterhead and the
# recipients fill it, the title and recipients may be set this close (a 2号 title still clears).
PAGE_ONE_MIN_FACTOR = 0.8
# Tables (no rule in the standard): single spacing inside 4号 cells, as the DOCX has it, so that
# Word/LibreOffice and the PDF give rows the same height and break pages alike. Single spacing
# of FandolFang (仿宋's stand-in) is 1.21 em, of Liberation Serif (Times New Roman) 1.15 em.
TABLE_CELL_LINE_HEIGHT = 1.21    # × the cell font size
TABLE_CELL_LINE_HEIGHT_EN = 1.15
TABLE_CELL_PADDING_MM = (0.5, 0.8)   # (vertical, horizontal): the DOCX cell margins are 0.5 mm / 1 mm
TABLE_RULE_PT = 0.5              # cell borders, in every writer: 0.5 pt (w:sz 4 in DOCX, eighths of a point)
TABLE_RULE_MM = TABLE_RULE_PT * MM_PER_PT
# Horizontal room a cell needs besides its text, in mm: both paddings (DOCX 1 mm a side, PDF
# 0.8 mm a side + the 0.18 mm rule) and 0.8 mm slack for measuring error. Column widths are
# computed from the content by render/table_widths.py.
TABLE_CELL_SPACE_MM = 2 * 1.05 + 0.8
# Latin text measured without the font: a Latin letter averages this many em (Times New Roman /
# Liberation Serif run a little over half an em); a Han character is 1 em. Used to fit the issuer
# mark on one line and to widen a table column for its longest word.
LATIN_EM_WIDTH = 0.55
ISSUER_MARK_LINE_FACTOR = 1.25   # the issuer mark's exact line height, × its size (DOCX)
HEADER_DISTANCE_MM = 15.0        # page header from the top edge (DOCX; the documents have no header)
FIGURE_CAPTION_ROOM_MM = 30.0    # a figure is at most TEXT_HEIGHT_MM minus this, leaving room for its caption


# --- additions for progress reports and annual volumes (render/report_ir.py, compile/) -----
# Report tables (sum = TEXT_WIDTH_MM). Targets: 序号, 指标, 目标值, 实际值, 完成度, 状态
REPORT_TARGET_TABLE_COLUMNS_MM = (12.0, 48.0, 26.0, 26.0, 22.0, 22.0)
# Tasks, grouped by lead unit: 牵头单位, 工作任务, 完成时限, 完成情况, 佐证材料
REPORT_TASK_TABLE_COLUMNS_MM = (28.0, 44.0, 26.0, 28.0, 30.0)
# Volume page numbers (档案页号) of an annual compilation: Arabic numerals stamped in the top
# margin, top right on odd pages and top left on even pages (archival practice), well away
# from the documents' own "— n —" numbers 7 mm below the type area.
VOLUME_PAGE_NUMBER_SIZE_PT = 10.5        # 五号
VOLUME_PAGE_NUMBER_FROM_TOP_MM = 12.0    # baseline, from the top edge of the page
VOLUME_PAGE_NUMBER_FROM_SIDE_MM = 15.0   # from the outer edge of the page
# Front matter of the volume (cover, contents, statistics, catalogue)
VOLUME_COVER_TITLE_PT = SIZE_PT["一号"]          # 26 pt 小标宋 on the cover
VOLUME_COVER_TITLE_TOP_MM = 45.0                  # cover title, below the top margin
VOLUME_COVER_META_GAP_MM = 70.0                   # compiling unit, date, extent: below the year
VOLUME_HEADING_PT = SIZE_PT["二号"]               # 目录 / 统计 / 归档文件目录 headings
VOLUME_TOC_PT = SIZE_PT["四号"]                   # contents entries
VOLUME_TABLE_PT = SIZE_PT["五号"]                 # statistics and catalogue tables
# 归档文件目录 (DA/T 22-2015 columns) on A4 landscape; widths in mm sum to 297 - 20 - 20:
# 序号, 档号, 文号, 责任者, 题名, 日期, 页数, 备注
VOLUME_CATALOGUE_MARGIN_MM = (20.0, 20.0, 20.0, 20.0)   # top, right, bottom, left
VOLUME_CATALOGUE_COLUMNS_MM = (12.0, 56.0, 40.0, 34.0, 66.0, 21.0, 12.0, 16.0)
# The volume in Word (compile/docxvol.py): paragraph spacing in points, columns in mm (portrait)
VOLUME_DOCX_COVER_TITLE_BEFORE_PT = VOLUME_COVER_TITLE_TOP_MM * 72 / 25.4
VOLUME_DOCX_YEAR_BEFORE_PT = 24          # the year below the cover title
VOLUME_DOCX_COVER_META_BEFORE_PT = 200   # compiling unit, date, extent: below the year
VOLUME_DOCX_COVER_META_GAP_PT = 6        # between those lines
VOLUME_DOCX_HEADING_AFTER_PT = {"contents": 18, "statistics": 12, "catalogue": 12}
VOLUME_DOCX_TOC_UNIT_BEFORE_PT = 8       # a unit's line in the contents
VOLUME_DOCX_TOC_INDENT_MM = 8.0          # a document's line in the contents
VOLUME_DOCX_SECTION_BEFORE_PT = 10       # 一、按文种 … in the statistics
VOLUME_DOCX_SECTION_AFTER_PT = 4
VOLUME_DOCX_NOTE_BEFORE_PT = 6           # the note under the report statistics
VOLUME_DOCX_STATS_COLUMNS_MM = (116.0, 40.0)                     # kind/unit, documents
VOLUME_DOCX_REPORT_COLUMNS_MM = (56.0, 22.0, 28.0, 22.0, 28.0)   # title, targets met, attainment, tasks, rate
VOLUME_DOCX_CATALOGUE_COLUMNS_MM = (9.0, 33.0, 24.0, 20.0, 40.0, 17.0, 13.0)  # 序号 … 备注, no 页数

# English set justified (Typst): besides its word spaces, a line may adjust its letter spacing
# within these limits, in em, so the spaces stay even (loose lines 13 % → 2 % on the corpus)
ENGLISH_JUSTIFY_TRACKING_EM = (-0.01, 0.02)


def signature_column_room(n_names: int) -> tuple[int, float]:
    """Joint issuers' 署名 side by side (7.3.5.2): how many names a row holds (2 for two or four
    names, else 3) and the room for a name in its column, in pt (the column less one 字)."""
    per = 2 if n_names in (2, 4) else 3
    return per, TEXT_WIDTH_MM / MM_PER_PT / per - FONTS["body"].size_pt
