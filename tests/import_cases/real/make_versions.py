#!/usr/bin/env python3
"""Make clerk-style .docx and .pdf versions of some of the collected .txt cases.

Re-runnable:  /work/main/.venv/bin/python make_versions.py [case-prefix ...]

What it does, per selected case (see CASES below):
  * builds a Word file the way a clerk's file looks: A4 with GB/T 9704-like margins, the title in a large
    font (方正小标宋简体 22pt, centred), body in 仿宋_GB2312 16pt, headings styled in one of three ways:
      - 'heading': real Word Heading 1 / Heading 2 styles (restyled 黑体 / 楷体, black),
      - 'bold':    plain paragraphs, heading runs in bold (run-in headings: only the lead is bold),
      - 'plain':   everything Normal, numbers typed by hand;
    indentation either as typed full-width spaces (indent='fullwidth') or as a first-line-indent format
    (indent='format'); page numbers in the footer ("- 1 -"); rosters / score tables / task tables turned into
    real Word tables where the case says so; an optional 目录 page at the front (real TOC-style entries with a
    dot-leader tab and the page number, or entries typed by hand with "……"), whose page numbers are taken from a
    first PDF rendering;
  * exports the PDF with LibreOffice (soffice --headless --convert-to pdf, one conversion at a time, private
    user profile);
  * for cases marked scanned=True, replaces the PDF by an image-only "scanned" PDF (pdftoppm -r 150, slight
    skew/grey, pages re-wrapped with Pillow);
  * updates the `formats:` line of the case's .truth.yaml (and writes nothing else there).
The TEXT of the document is not changed (except: markdown marks ** and #### of case 010 and the site label
"内容预览:" of case 011 are not carried into the Word file, and table cells lose the line breaks of the txt).
"""
import os, re, subprocess, sys, shutil, tempfile, glob
import yaml
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Cm, RGBColor

HERE = os.path.dirname(os.path.abspath(__file__))
LO_PROFILE = "file:///tmp/lo_profile_import2_cases"

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = '方正小标宋简体', '仿宋_GB2312', '黑体', '楷体_GB2312'
CN_NUM = '一二三四五六七八九十'
H2_DEFAULT = r'^\s*[（(][一二三四五六七八九十]+[)）]'
DATE_RE = re.compile(r'^[0-9一二三四五六七八九十〇○零Ｏ]{4}\s*年.{1,6}月.{1,6}日$')

# ----------------------------------------------------------------------------------------------- cases
# title: number of leading non-empty lines that form the title block (notice title / document title)
# center: extra lines (exact stripped text or regex) to centre (文号, sub-titles)
# program_title: stripped text of the wrapped program's title line(s) (forwarding notices) -> new page + title
# drop: stripped lines not carried into Word (site labels)
# h2: regex for level-2 items; h2_style: True to style them
# table: name of a table hook below
# toc: None | 'word' (dot-leader tab entries) | 'typed' (entries typed with ……) ; toc_levels: 1 or 2
CASES = {
    '001': dict(style='heading', title=0, indent='format'),
    '004': dict(style='bold', title=1, indent='fullwidth'),
    '008': dict(style='plain', title=1, indent='fullwidth', center=[r'中国残疾人联合会', r'^全康办'],
                drop=[], program_title=['《残疾人辅助器具供应服务“十一五”实施方案》实施办法'],
                dedupe_title=True),
    '009': dict(style='heading', title=1, indent='format', drop=['乡镇消防安全工作总结1']),
    '010': dict(style='heading', title=0, indent='format', markdown=True),
    '011': dict(style='bold', title=1, indent='none', drop=['内容预览:'], center=[r'^\(100分制'],
                table='score_011'),
    '012': dict(style='plain', title=0, indent='fullwidth', drop=['平安村(社区)创建标准', '第一篇:平安村(社区)创建标准'],
                doc_title='2007年平安村(社区)创建标准', scanned=True),
    '014': dict(style='bold', title=1, indent='fullwidth', table='roster_014'),
    '016': dict(style='heading', title=1, indent='format', drop=['社區防汛的應急預案 篇1']),
    '018': dict(style='bold', title=0, indent='fullwidth'),
    '021': dict(style='plain', title=1, indent='fullwidth', dedupe_title=True),
    '023': dict(style='bold', title=1, indent='format', h2=None),
    '024': dict(style='bold', title=2, indent='format', h1_center=True, h2=r'^\s*第[一二三四五六七八九十百]+条', h2_runin=True),
    '025': dict(style='plain', title=2, indent='fullwidth', center=[r'^国办发'], scanned=True),
    '026': dict(style='plain', title=2, indent='format', center=[r'^国办函'], table='roster_026'),
    '027': dict(style='bold', title=2, indent='format', center=[r'^国办发'], table='roster_027'),
    '028': dict(style='heading', title=2, indent='format', center=[r'^国办发'], h2=r'^\s*\d+\.', scanned=True),
    '029': dict(style='bold', title=2, indent='fullwidth', center=[r'^国办函'], program_title=['政府网站集约化试点工作方案']),
    '030': dict(style='plain', title=3, indent='format', center=[r'^国办发'],
                program_title=['关于我国地震重点监视防御区的确定', '和加强防震减灾工作意见的报告']),
    '031': dict(style='heading', title=2, indent='format', center=[r'^国办发'], program_title=['“无废城市”建设试点工作方案']),
    '032': dict(style='bold', title=2, indent='format', center=[r'^国发'], program_title=['国家职业教育改革实施方案']),
    '033': dict(style='heading', title=2, indent='format', center=[r'^国办函'], program_title=['国家粮食应急预案'],
                h2=r'^\s*\d+\.\d+　', toc='word', toc_levels=2, toc_from_text=True),
    '034': dict(style='heading', title=2, indent='format', center=[r'^国发', r'^（二○○四', r'^第54次'],
                program_title=['国 务 院 工 作 规 则'], h1_center=True, h2=None),
    '035': dict(style='plain', title=3, indent='fullwidth', center=[r'^国办发']),
    '036': dict(style='bold', title=2, indent='format', center=[r'^国办发', r'^三级公立医院绩效考核指标$'],
                table='indicators_036'),
    '037': dict(style='heading', title=2, indent='format', center=[r'^国办发', r'^第二批支持创新相关改革举措推广清单$'],
                table='tasks_037'),
    '039': dict(style='heading', title=1, indent='fullwidth', h2=r'^\s*\d+、', h2_style=False, dedupe_title=True),
    '045': dict(style='bold', title=1, indent='fullwidth', dedupe_title=True,
                replace={'街道机关生活垃圾分类工作实施方案机关各科室:': '机关各科室:', '完成各分类点1/ 4': '完成各分类点'}),
    '049': dict(style='plain', title=1, indent='fullwidth', drop=['文明家庭的标准有哪些']),
    # second batch (052-065), collected and annotated before any import
    '053': dict(style='bold', title=0, indent='format', program_title=['石景山区贯彻落实《关于加强新时代', '街道工作的意见》的任务分解方案'],
                drop=['— — — 2 —', '— — — 3 —'], table='tasks_053'),
    '056': dict(style='plain', title=1, indent='fullwidth', program_title=['太湖县人民政府工作规则'], h1_center=True,
                h2=None),
    '057': dict(style='heading', title=1, indent='format', h1_center=True, h2=r'^\s*第[一二三四五六七八九十百]+条', h2_runin=True),
    '059': dict(style='heading', title=1, indent='format', replace={'?东山街道': '东山街道'}),
    '060': dict(style='bold', title=0, indent='fullwidth', h2=r'^\s*\d+、', h2_style=False),
    '062': dict(style='bold', title=1, indent='format'),
    '065': dict(style='plain', title=1, indent='fullwidth', dedupe_title=True),
    '050': dict(style='bold', title=0, indent='format', drop=['文明家庭评选条件', '文明家庭条件及评分标准'],
                doc_title='文明家庭条件及评分标准(百分制)', h2=None),
    # derived variants with an added 目录 page (their own truth files, formats docx+pdf only)
    '047': dict(base='018', style='bold', title=0, indent='fullwidth', toc='typed', toc_levels=1),
    '048': dict(base='031', style='heading', title=2, indent='format', center=[r'^国办发'],
                program_title=['“无废城市”建设试点工作方案'], toc='word', toc_levels=2),
}

# ------------------------------------------------------------------------------------------- helpers

def set_run_font(run, name, size=None, bold=None):
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn('w:rFonts'))
    if rfonts is None:
        rfonts = OxmlElement('w:rFonts'); rpr.insert(0, rfonts)
    for a in ('w:ascii', 'w:hAnsi', 'w:eastAsia', 'w:cs'):
        rfonts.set(qn(a), name)
    if size: run.font.size = Pt(size)
    if bold is not None: run.font.bold = bold


def style_font(style, name, size, bold=False):
    style.font.name = name
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn('w:rFonts'))
    if rfonts is None:
        rfonts = OxmlElement('w:rFonts'); rpr.insert(0, rfonts)
    for a in ('w:ascii', 'w:hAnsi', 'w:eastAsia', 'w:cs'):
        rfonts.set(qn(a), name)
    for a in ('w:asciiTheme', 'w:hAnsiTheme', 'w:eastAsiaTheme', 'w:cstheme'):
        if rfonts.get(qn(a)) is not None:
            del rfonts.attrib[qn(a)]


def add_page_number_footer(section):
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run('- '); set_run_font(r, 'Times New Roman', 14)
    fld = OxmlElement('w:fldSimple'); fld.set(qn('w:instr'), 'PAGE')
    rr = OxmlElement('w:r'); t = OxmlElement('w:t'); t.text = '1'; rr.append(t); fld.append(rr)
    p._p.append(fld)
    r = p.add_run(' -'); set_run_font(r, 'Times New Roman', 14)


def new_document():
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles['Normal']
    style_font(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    for name, font, size in (('Heading 1', H1_FONT, 16), ('Heading 2', H2_FONT, 16), ('Title', TITLE_FONT, 22)):
        st = doc.styles[name]
        style_font(st, font, size, bold=False)
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        st.paragraph_format.line_spacing = Pt(28 if name != 'Title' else 36)
    return doc


def toc_styles(doc):
    from docx.enum.style import WD_STYLE_TYPE
    out = []
    for lvl in (1, 2):
        name = f'toc {lvl}'
        try:
            st = doc.styles[name]
        except KeyError:
            st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = doc.styles['Normal']
        st.paragraph_format.left_indent = Cm(0 if lvl == 1 else 0.85)
        st.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        out.append(st)
    return out

# ---------------------------------------------------------------------------------------- the blocks
# a block is ('p', role, text) with role in title/center/h1/h2/body/right/pagebreak/program_title,
# or ('table', rows, header_rows)

def load_case(key):
    cfg = CASES[key]
    base = cfg.get('base', key)
    txt = glob.glob(os.path.join(HERE, base + '-*.txt'))[0]
    truth = glob.glob(os.path.join(HERE, key + '-*.truth.yaml'))[0]
    return cfg, txt, truth


def classify(cfg, lines, truth):
    headings = [s['heading'] for s in (truth.get('sections') or [])]
    h1_keys = [re.sub(r'\s+', '', h) for h in headings]
    h2_re = re.compile(cfg.get('h2', H2_DEFAULT)) if cfg.get('h2', H2_DEFAULT) else None
    centers = [re.compile(c) for c in cfg.get('center', [])]
    drop = set(cfg.get('drop', []))
    prog = cfg.get('program_title') or []
    blocks, n_title = [], cfg.get('title', 0)
    issuer = (truth.get('issuer') or '').strip()
    nonempty = [l for l in lines if l.strip() and l.strip() not in drop]
    title_lines = nonempty[:n_title]
    rest = nonempty[n_title:]
    if cfg.get('doc_title_text'):
        blocks.append(('p', 'title', cfg['doc_title_text']))
    if title_lines:
        blocks.append(('p', 'title', '\n'.join(l.strip() for l in title_lines)))
    if cfg.get('doc_title'):
        pass
    k = 0
    while k < len(rest):
        line = rest[k]
        s = line.strip()
        if cfg.get('markdown'):
            s = re.sub(r'^#+\s*', '', s).replace('**', '')
            line = s
        if s in drop or (cfg.get('dedupe_title') and title_lines and s == title_lines[-1].strip()):
            k += 1; continue
        if cfg.get('doc_title') and s == cfg['doc_title']:
            blocks.append(('p', 'title', s)); k += 1; continue
        if prog and s == prog[0]:
            blocks.append(('p', 'pagebreak', ''))
            t = [s]
            for extra in prog[1:]:
                if k + 1 < len(rest) and rest[k + 1].strip() == extra:
                    t.append(extra); k += 1
            blocks.append(('p', 'title', '\n'.join(t))); k += 1; continue
        if any(c.search(s) for c in centers):
            blocks.append(('p', 'center', s)); k += 1; continue
        key = re.sub(r'\s+', '', s)
        if any(key.startswith(h) or (h.startswith(key) and len(key) > 3) for h in h1_keys):
            blocks.append(('p', 'h1', line)); k += 1; continue
        if h2_re and h2_re.search(s):
            blocks.append(('p', 'h2', line)); k += 1; continue
        if (issuer and s == issuer) or DATE_RE.match(s):
            blocks.append(('p', 'right', s)); k += 1; continue
        blocks.append(('p', 'body', line)); k += 1
    return blocks

# ------------------------------------------------------------------------------------ table hooks

def _find(blocks, pred, start=0):
    for i in range(start, len(blocks)):
        if blocks[i][0] == 'p' and pred(blocks[i][2].strip()):
            return i
    raise ValueError('not found')


def score_011(blocks):
    i = _find(blocks, lambda s: s == '序号')
    cells = [b[2].strip() for b in blocks[i:] if b[0] == 'p']
    header = ['序号', '创建标准', '分值', '扣分说明']
    body = cells[6:]  # after 序号/创建标准/分/值/扣分说明  (5 cells) + ... careful below
    body = cells[5:]
    rows, cur = [], []
    for c in body:
        if not cur and re.fullmatch(r'\d+', c) and int(c) != len(rows) + 1:   # stray page number
            continue
        cur.append(c)
        if len(cur) == 4:
            rows.append(cur); cur = []
    if cur:
        rows.append(cur + [''] * (4 - len(cur)))
    return blocks[:i] + [('table', [header] + rows, 1, (), [1.3, 6.2, 1.5, 6.6])]


def roster_014(blocks):
    i = _find(blocks, lambda s: s.startswith('组 长'))
    j = _find(blocks, lambda s: s.startswith('后勤工作'), i)
    rows = [[x.strip() for x in b[2].strip().split(':', 1)] for b in blocks[i:j + 1]]
    return blocks[:i] + [('table', rows, 0)] + blocks[j + 1:]


def _roster_rows(lines):
    rows, role = [], ''
    for s in lines:
        m = re.match(r'^([^：]{1,6})：(.*)$', s.strip())
        if m:
            role, rest = m.group(1), m.group(2)
        else:
            role, rest = '', s
        parts = re.split(r'\u3000\u3000+', rest.strip('\u3000 '), maxsplit=1)
        rows.append([role] + parts + [''] * (2 - len(parts)))
    return rows


def roster_026(blocks):
    i = _find(blocks, lambda s: s.startswith('组　长'))
    j = _find(blocks, lambda s: s.startswith('领导小组办公室设在'), i)
    rows = _roster_rows([b[2] for b in blocks[i:j]])
    return blocks[:i] + [('table', rows, 0)] + blocks[j:]


def roster_027(blocks):
    i = _find(blocks, lambda s: re.match(r'主\s*任', s) is not None)
    j = _find(blocks, lambda s: re.match(r'委\s*员', s) is not None, i)
    top = _roster_rows([b[2] for b in blocks[i:j]])
    a = _find(blocks, lambda s: s.startswith('（一）部门委员'), j)
    b = _find(blocks, lambda s: s.startswith('（二）专家委员'), a)
    c = _find(blocks, lambda s: s.startswith('国家教材委员会办公室设在'), b)
    def members(seg):
        return [re.split(r'\u3000\u3000+', x[2].strip(), maxsplit=1) for x in seg]
    return (blocks[:i] + [('table', top, 0)] + blocks[j:a + 1] + [('table', members(blocks[a + 1:b]), 0)]
            + [blocks[b]] + [('table', members(blocks[b + 1:c]), 0)] + blocks[c:])


def indicators_036(blocks):
    i = _find(blocks, lambda s: s.startswith('一级指标\t'))
    j = _find(blocks, lambda s: s == '注：', i)
    rows = []
    for b in blocks[i:j]:
        cells = b[2].strip('\n').split('\t')
        rows.append([''] * (5 - len(cells)) + cells if len(cells) < 5 else cells[:5])
    return blocks[:i] + [('table', rows, 1)] + blocks[j:]


def tasks_037(blocks):
    i = _find(blocks, lambda s: s.startswith('序号\t'))
    rows, merged = [], []
    k = i
    while k < len(blocks) and blocks[k][0] == 'p':
        s = blocks[k][2].strip()
        if '\t' in s:
            cells = s.split('\t'); rows.append(cells + [''] * (5 - len(cells)))
        elif re.match(r'^[一二三四五]、.*（共\d+项）$', s):
            merged.append(len(rows)); rows.append([s, '', '', '', ''])
        else:
            break
        k += 1
    return blocks[:i] + [('table', rows, 1, merged)] + blocks[k:]

def tasks_053(blocks):
    """The tasks 1. 2. with their 牵头单位/协办单位 lines as a clerk's task table
    (序号/工作任务/牵头单位/协办单位); the PDF's hard wraps joined inside a cell."""
    i = _find(blocks, lambda s: s.startswith('1.完善'))
    rows, cur, field = [], None, None
    for b in blocks[i:]:
        s = b[2].strip()
        m = re.match(r'^(\d+)\.(.*)$', s)
        if m:
            cur = [m.group(1), m.group(2), '', '']; rows.append(cur); field = 1
        elif s.startswith('牵头单位:'):
            cur[2] = s.split(':', 1)[1]; field = 2
        elif s.startswith('协办单位:'):
            cur[3] = s.split(':', 1)[1]; field = 3
        else:
            cur[field] += s
    return blocks[:i] + [('table', [['序号', '工作任务', '牵头单位', '协办单位']] + rows, 1, (), [1.3, 9.0, 2.6, 3.0])]


# ------------------------------------------------------------------------------------------- writing

def add_text_paragraph(doc, cfg, role, text):
    style = cfg['style']
    indent = cfg.get('indent', 'format')
    if role == 'pagebreak':
        p = doc.add_paragraph(); p.add_run().add_break(WD_BREAK.PAGE); return p
    if role == 'title':
        p = doc.add_paragraph(style='Title' if style == 'heading' else None)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(16)
        for n, part in enumerate(text.split('\n')):
            r = p.add_run(part); set_run_font(r, TITLE_FONT, 22)
            if n < len(text.split('\n')) - 1: r.add_break()
        return p
    if role == 'center':
        p = doc.add_paragraph(); p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(text); set_run_font(r, '楷体_GB2312', 16); return p
    if role == 'right':
        p = doc.add_paragraph(); p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Cm(1.2)
        r = p.add_run(text); p.runs[0].font.size = Pt(16); return p
    s = text
    lead = len(s) - len(s.lstrip(' \u3000\u00a0'))
    if indent == 'fullwidth' and lead == 0:
        s = '\u3000\u3000' + s
    if role == 'h1' and cfg.get('h1_center'):
        s = s.strip()
    runin_split = None
    if role in ('h1', 'h2') and len(s.strip()) > 40:
        m = re.search(r'[。：:]', s)
        if m and m.end() < len(s): runin_split = m.end()
    if cfg.get('h2_runin') and role == 'h2':
        m = re.match(r'^(\s*第[一二三四五六七八九十百]+条)', s)
        runin_split = m.end() if m else runin_split
    if role == 'h2' and cfg.get('h2_style') is False:
        role = 'body'
    if style == 'heading' and role in ('h1', 'h2') and runin_split is None:
        p = doc.add_paragraph(s, style='Heading 1' if role == 'h1' else 'Heading 2')
    else:
        p = doc.add_paragraph()
        if style in ('bold', 'heading') and role in ('h1', 'h2'):
            head, tail = (s, '') if runin_split is None else (s[:runin_split], s[runin_split:])
            font = H1_FONT if role == 'h1' else H2_FONT
            r = p.add_run(head); set_run_font(r, font, 16, bold=(style == 'bold'))
            if tail:
                r = p.add_run(tail); set_run_font(r, BODY_FONT, 16)
        else:
            r = p.add_run(s); set_run_font(r, BODY_FONT, 16)
    if role == 'h1' and cfg.get('h1_center'):
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent == 'format' and lead == 0:
        p.paragraph_format.first_line_indent = Pt(32)
    return p


def add_table(doc, rows, header_rows=0, merged=(), widths=None):
    ncol = max(len(r) for r in rows)
    t = doc.add_table(rows=len(rows), cols=ncol)
    t.style = doc.styles['Table Grid']
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths:
        t.autofit = False
        for j, w in enumerate(widths):
            for cell in t.columns[j].cells:
                cell.width = Cm(w)
        for j, gc in enumerate(t._tbl.tblGrid.findall(qn('w:gridCol'))):
            gc.set(qn('w:w'), str(int(widths[j] * 567)))
    for i, row in enumerate(rows):
        if i in merged:
            c = t.cell(i, 0).merge(t.cell(i, ncol - 1))
            c.text = ''
            r = c.paragraphs[0].add_run(row[0]); set_run_font(r, H1_FONT, 12)
            continue
        for j in range(ncol):
            val = row[j] if j < len(row) else ''
            cell = t.cell(i, j)
            cell.text = ''
            r = cell.paragraphs[0].add_run(val)
            set_run_font(r, H1_FONT if i < header_rows else BODY_FONT, 12, bold=False)
            cell.paragraphs[0].paragraph_format.line_spacing = Pt(18)
    doc.add_paragraph()
    return t


def toc_entries(cfg, blocks, truth, levels):
    out = []
    for b in blocks:
        if b[0] != 'p': continue
        if b[1] == 'h1':
            out.append((1, b[2].strip()))
        elif b[1] == 'h2' and levels >= 2:
            s = b[2].strip()
            m = re.search(r'[。：:]', s)
            out.append((2, s[:m.end() - 1] if m and m.end() < len(s) else s.rstrip('。')))
    return out


def build_docx(key, out_docx, pages=None):
    cfg, txt, truth_path = load_case(key)
    truth = yaml.safe_load(open(truth_path, encoding='utf-8'))
    lines = open(txt, encoding='utf-8').read().split('\n')
    lines = [l.rstrip() for l in lines]
    for a, b in (cfg.get('replace') or {}).items():
        lines = [l.replace(a, b) for l in lines]
    blocks = classify(cfg, lines, truth)
    if cfg.get('toc_from_text'):
        # the document has its own 目录 in the text: turn those lines into TOC entries with page numbers
        i = _find(blocks, lambda s: s.replace('\u3000', '').replace(' ', '') == '目录')
        j = i + 1
        entries = []
        while j < len(blocks) and blocks[j][0] == 'p':
            s = blocks[j][2]
            if blocks[j][1] in ('h1', 'h2') and entries and any(e[1] == s.strip() for e in entries):
                break
            lvl = 2 if s.startswith('\u3000') else 1
            entries.append((lvl, s.strip())); j += 1
        blocks = blocks[:i] + [('p', 'center', blocks[i][2].strip()), ('toc', entries), ('p', 'pagebreak', '')] + blocks[j:]
    if cfg.get('table'):
        blocks = globals()[cfg['table']](blocks)
    doc = new_document()
    if cfg.get('toc') and not cfg.get('toc_from_text'):
        entries = toc_entries(cfg, blocks, truth, cfg.get('toc_levels', 1))
        p = doc.add_paragraph(); p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run('目  录'); set_run_font(r, H1_FONT, 18)
        blocks = [('toc', entries), ('p', 'pagebreak', '')] + blocks
    st1, st2 = toc_styles(doc)
    for b in blocks:
        if b[0] == 'table':
            add_table(doc, b[1], b[2], b[3] if len(b) > 3 else (), b[4] if len(b) > 4 else None)
        elif b[0] == 'toc':
            for lvl, text in b[1]:
                page = (pages or {}).get(text, 1)
                if cfg.get('toc') == 'typed':
                    p = doc.add_paragraph(); r = p.add_run(f'{text}{"……" * 8}{page}')
                    set_run_font(r, BODY_FONT, 16)
                else:
                    p = doc.add_paragraph(f'{text}\t{page}', style=st1 if lvl == 1 else st2)
        else:
            if b[1] == 'center' and re.sub(r'\s', '', b[2]) == '目录':
                p = doc.add_paragraph(); p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                r = p.add_run(b[2].strip()); set_run_font(r, H1_FONT, 18); continue
            add_text_paragraph(doc, cfg, b[1], b[2])
    add_page_number_footer(doc.sections[0])
    doc.save(out_docx)
    return blocks


def to_pdf(docx_path, outdir):
    cmd = ['soffice', f'-env:UserInstallation={LO_PROFILE}', '--headless', '--convert-to', 'pdf',
           '--outdir', outdir, docx_path]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return os.path.join(outdir, os.path.splitext(os.path.basename(docx_path))[0] + '.pdf')


def heading_pages(pdf, texts):
    n = int(re.search(r'Pages:\s+(\d+)', subprocess.run(['pdfinfo', pdf], capture_output=True, text=True).stdout).group(1))
    flats = []
    for pg in range(1, n + 1):
        t = subprocess.run(['pdftotext', '-f', str(pg), '-l', str(pg), '-layout', pdf, '-'],
                           capture_output=True, text=True).stdout
        flats.append(re.sub(r'\s+', '', t))
    toc_first = next((i for i, f in enumerate(flats) if '目录' in f), 0)
    toc_page = toc_first
    while toc_page + 1 < n and re.search(r'\.{5}|…{3}', flats[toc_page + 1]):
        toc_page += 1                      # the TOC runs over several pages
    pages = {}
    for pg in range(toc_page + 2, n + 1):
        for s in texts:
            key = re.sub(r'\s+', '', s)[:12]
            if s not in pages and key and key in flats[pg - 1]:
                pages[s] = pg
    return pages


def make_scanned(pdf):
    from PIL import Image
    tmp = tempfile.mkdtemp()
    subprocess.run(['pdftoppm', '-r', '150', '-png', pdf, os.path.join(tmp, 'p')], check=True)
    imgs = []
    for f in sorted(glob.glob(os.path.join(tmp, 'p*.png'))):
        im = Image.open(f).convert('L')
        im = im.rotate(0.4, resample=Image.BICUBIC, expand=False, fillcolor=255)
        im = im.point(lambda v: 245 if v > 235 else v)     # paper-grey background like a scan
        imgs.append(im.convert('RGB'))
    imgs[0].save(pdf, save_all=True, append_images=imgs[1:], resolution=150)
    shutil.rmtree(tmp)


def set_formats(truth_path, formats, scanned):
    s = open(truth_path, encoding='utf-8').read()
    s = re.sub(r'^formats:.*$', 'formats: [' + ', '.join(formats) + ']', s, flags=re.M)
    if scanned and 'scanned_pdf:' not in s:
        s = s.replace('\nkind:', '\nscanned_pdf: true     # the pdf is image-only (no text layer)\nkind:', 1)
    open(truth_path, 'w', encoding='utf-8').write(s)


def main(argv):
    keys = [k for k in CASES if not argv or any(k.startswith(a) for a in argv)]
    for key in keys:
        cfg, txt, truth_path = load_case(key)
        stem = os.path.basename(truth_path)[:-len('.truth.yaml')]
        out_docx = os.path.join(HERE, stem + '.docx')
        blocks = build_docx(key, out_docx)
        pdf = to_pdf(out_docx, HERE)
        if cfg.get('toc'):
            texts = [e[1] for b in blocks if b[0] == 'toc' for e in b[1]]
            pages = heading_pages(pdf, texts)
            build_docx(key, out_docx, pages)
            pdf = to_pdf(out_docx, HERE)
        if cfg.get('scanned'):
            make_scanned(pdf)
        formats = (['txt'] if 'base' not in cfg else []) + ['docx', 'pdf']
        set_formats(truth_path, formats, cfg.get('scanned'))
        print(f'{stem}: docx + pdf{" (scanned)" if cfg.get("scanned") else ""}', flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
