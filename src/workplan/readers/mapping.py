"""From an outline to model data (the dict a data file holds), with a map from each data path
to the source line it came from. Structure is extracted only where the text states it."""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from typing import Any

from .charforms import ascii_form, simplified
from .lines import Line, width_units
from .structure import Node, Outline, find_date
from .tables import heading_role, read_roster, roster_lines, task_columns

_PAREN_UNITS = re.compile(r"(牵头|负责|配合|协助|协办|参与|落实|责任单位|主办|承办|lead|responsib|cooperat|assist)", re.I)
_LEAD_WORDS = r"(?:牵头单位|牵头部门|主责单位|责任单位|责任部门|负责单位|主办单位|lead(?:ing)?\s+units?|responsible\s+units?)"
_COOP_WORDS = r"(?:配合单位|配合部门|协助单位|协办单位|参与单位|co-?operating\s+units?|assisting\s+units?)"


def _articles(nodes: list[Node]) -> bool:
    """Chapters (第一章) whose items are articles (第一条): a regulations-style text."""
    kids = [c for n in nodes for c in n.children]
    return (len(nodes) >= 1 and all(n.num is not None and n.num.kind == "cn_part" and "章" in n.line.text[:8]
                                    for n in nodes)
            and len(kids) >= 2 and all(c.num is not None and c.num.kind == "cn_article" for c in kids))


def unit_id(name: str) -> str:
    return "u" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:7]


def _split_units(s: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for c in s:
        if c in "（(":
            depth += 1
        elif c in "）)":
            depth -= 1
        if depth == 0 and c in "、，,；;/" or (depth == 0 and s.isascii() and False):
            if cur.strip():
                out.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur.strip())
    words = ("等", "单位", "部门")
    clean = []
    for u in out:
        u = re.sub(r"^(?:此项|该项|本项)?(?:由)?", "", u).strip()
        u = re.sub(r"(?:等(?:单位|部门)?)$", "", u).strip() if len(u) > 3 else u
        if u and u not in words:
            clean.append(u)
    return clean


def _top_split(s: str, seps: str) -> list[str]:
    """Split at separators outside parentheses."""
    out, depth, cur = [], 0, ""
    for c in s:
        depth += 1 if c in "（(" else -1 if c in "）)" else 0
        if depth == 0 and c in seps:
            out.append(cur)
            cur = ""
        else:
            cur += c
    out.append(cur)
    return [x for x in out if x.strip()]


def _trailing_paren(text: str) -> tuple[int, str] | None:
    """The balanced parenthetical at the very end of a text (before a final full stop)."""
    t = text.rstrip("。. ")
    if not t.endswith(("）", ")")):
        return None
    depth = 0
    for i in range(len(t) - 1, -1, -1):
        c = t[i]
        if c in "）)":
            depth += 1
        elif c in "（(":
            depth -= 1
            if depth == 0:
                return i, t[i + 1:-1]
    return None


def parse_units(text: str) -> tuple[str, dict[str, list[str]]] | None:
    """Lead/cooperating/responsible units stated in a trailing parenthesis or a 责任单位： clause,
    simplified or traditional (牵头/牽頭); returns the text without it and the unit names by
    role, as written."""
    simp = simplified(text)
    r = _parse_units(simp)
    if r is None or simp == text:
        return r
    body, roles = r

    def orig(s: str) -> str:
        i = simp.find(s)
        return text[i:i + len(s)] if i >= 0 else s
    body = orig(body) if simp.find(body) >= 0 else orig(body[:-1]) + body[-1:]
    return body, {k: [orig(u) for u in v] for k, v in roles.items()}


def _parse_units(text: str) -> tuple[str, dict[str, list[str]]] | None:
    p = _trailing_paren(text)
    src = None
    if p and _PAREN_UNITS.search(p[1]):
        src, body = p[1], text[:p[0]].rstrip()
    else:
        m = re.search(rf"[，,。；;]?\s*({_LEAD_WORDS}|{_COOP_WORDS})\s*[:：].+$", text, re.I)
        if m and width_units(m.group(0)) < 80:
            src, body = m.group(0).lstrip("，,。；; "), text[:m.start()].rstrip()
            if not body.endswith(("。", ".", "；", ";")) and body and not body.isascii():
                body += "。"
    if src is None:
        return None
    roles: dict[str, list[str]] = {"lead": [], "cooperating": [], "responsible": []}
    labelled = re.split(rf"({_LEAD_WORDS}|{_COOP_WORDS})\s*[:：]", src, flags=re.I)
    if len(labelled) > 1:
        for label, val in zip(labelled[1::2], labelled[2::2]):
            val = val.strip(" ；;，,。")
            role = "cooperating" if re.match(_COOP_WORDS, label, re.I) else (
                "responsible" if re.search("责任|responsible", label, re.I) else "lead")
            roles[role] += _split_units(val)
    else:
        pending: list[str] = []
        for clause in _top_split(src, "，,；;"):
            m = re.match(r"^(?:此项|该项|本项)?(?:由)?(.+?)(牵头|负责|配合|协助|落实|参与|组织实施)(?:实施|落实|完成)?$", clause.strip())
            if not m:
                pending += _split_units(clause)
                continue
            role = "lead" if m[2] in ("牵头", "负责") else "cooperating"
            roles[role] += pending + _split_units(m[1])
            pending = []
    if not any(roles.values()):
        return None
    return body, roles


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_MON = "|".join(m[:3] + r"[a-z]*\.?" for m in _MONTHS)
_EN_RANGE = re.compile(rf"\b({_MON})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(\d{{4}}))?\s*(?:to|-|~|until|through)\s*"
                       rf"(?:({_MON})\s+)?(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(\d{{4}}))?", re.I)


def _period_en(a: str, year: int | None):
    m = _EN_RANGE.search(a)
    if not m:
        return None
    y2 = int(m[6]) if m[6] else (int(m[3]) if m[3] else year)
    y1 = int(m[3]) if m[3] else y2
    if y1 is None or y2 is None:
        return None
    try:
        m1 = [x[:3] for x in _MONTHS].index(m[1][:3].lower()) + 1
        m2 = [x[:3] for x in _MONTHS].index(m[4][:3].lower()) + 1 if m[4] else m1
        start, end = dt.date(y1, m1, int(m[2])), dt.date(y2, m2, int(m[5]))
    except ValueError:
        return None
    return (start, end, m.span()) if end >= start else None


def _period(text: str, year: int | None) -> tuple[dt.date | None, dt.date | None, tuple[int, int] | None]:
    """A date range like 2011年3月—5月 / 3月1日至3月15日 / 2011年3月1日-2011年4月30日."""
    a = ascii_form(text)
    en = _period_en(a, year)
    if en:
        return en
    rx = re.compile(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?(?:上旬|中旬|下旬|初|底|中)?\s*(?:-|~|至|到)\s*"
                    r"(?:(\d{4})\s*年)?\s*(?:(\d{1,2})\s*月)?(?:\s*(\d{1,2})\s*日)?(?:上旬|中旬|下旬|初|底|中)?")
    m = rx.search(a)
    if not m or not (m[5] or m[6]):
        return None, None, None
    y1 = int(m[1]) if m[1] else year
    y2 = int(m[4]) if m[4] else y1
    if y1 is None or y2 is None:
        return None, None, None
    try:
        m1 = int(m[2])
        start = dt.date(y1, m1, int(m[3]) if m[3] else 1)
        m2 = int(m[5]) if m[5] else m1
        if not m[4] and m2 < m1:
            y2 = y1 + 1
        end = dt.date(y2, m2, int(m[6]) if m[6] else calendar.monthrange(y2, m2)[1])
    except ValueError:
        return None, None, None
    if end < start:
        return None, None, None
    return start, end, m.span()


_TARGET = re.compile(r"^(?P<ind>[^\d，,。；;：:]{2,30}?)\s*(?P<op>达到|达|不低于|不少于|不高于|不超过|超过|高于|低于|控制在|保持在|为|在|提高|降低|下降|减少|增长|提升)?\s*"
                     r"(?P<val>\d+(?:\.\d+)?)\s*(?P<unit>%|％|个百分点|个|次|人|起|户|家|项|件|天|小时|名|所|支|场)?\s*(?P<tail>以上|以下|以内|及以上|左右)?$")


_TARGET_EN = re.compile(
    r"^(?P<ind>[A-Za-z][A-Za-z ,'()-]{2,80}?)\s+(?:should\s+|must\s+|will\s+)?(?:be\s+)?(?:reach(?:es|ed)?|achieve[sd]?|is|are|of|at|"
    r"rise[sd]?\s+to|increase[sd]?\s+(?:to|by)|(?P<down>drop(?:s|ped)?|fall(?:s)?|fell|decrease[sd]?|reduce[sd]?|decline[sd]?)\s+(?:by|to)?)?\s*"
    r"(?P<op>at\s+least|not\s+less\s+than|more\s+than|over|above|no\s+more\s+than|not\s+more\s+than|less\s+than|below|within)?\s*"
    r"(?P<val>\d+(?:\.\d+)?)\s*(?P<unit>%|percent|cases?|times|people|households)?\s*(?P<tail>or\s+(?:more|above|higher)|and\s+above|or\s+less)?$",
    re.I)


def _parse_target_en(c: str) -> dict | None:
    m = _TARGET_EN.match(c)
    if not m or not (m["unit"] or m["op"]):
        return None
    ind = m["ind"].strip(" ,")
    if m["down"]:
        ind += " " + m["down"].lower()
    op = "<=" if (m["op"] or "").lower().replace("  ", " ") in ("no more than", "not more than", "less than", "below", "within") \
        or (m["tail"] or "").lower().endswith("less") else ">="
    val = float(m["val"])
    out = {"indicator": ind, "op": op, "target": int(val) if val.is_integer() else val}
    unit = (m["unit"] or "").lower()
    if unit:
        out["unit"] = "%" if unit in ("%", "percent") else unit
    return out


def parse_target(clause: str) -> dict | None:
    c = clause.strip().rstrip("。.;；，,")
    if c.isascii():
        return _parse_target_en(c)
    m = _TARGET.match(c)
    if not m:
        return None
    ind = m["ind"].strip()
    if ind.endswith(("要", "需", "应", "必须", "确保")):
        ind = re.sub(r"(要|需|应|必须|确保)$", "", ind)
    op = ">="
    if m["tail"] in ("以下", "以内") or m["op"] in ("不高于", "不超过", "控制在", "低于"):
        op = "<="
    if m["op"] in ("降低", "下降", "减少", "提高", "增长", "提升"):
        ind += m["op"]
    unit = (m["unit"] or "").replace("％", "%")
    val = float(m["val"])
    out = {"indicator": ind, "op": op, "target": int(val) if val.is_integer() else val}
    if unit:
        out["unit"] = unit
    if not ind or re.search(r"\d", ind):
        return None
    return out


class Mapper:
    def __init__(self, o: Outline, file: str):
        self.o = o
        self.file = file
        self.units: dict[str, dict] = {}
        self.where: dict[str, Line] = {}
        self.warnings: list[str] = list(o.warnings)
        self.marks: list[dict] = []   # unsure decisions: a warning naming the source line and a mark in the YAML
        self.unclassified: list[str] = []
        self.year = (o.date.year if o.date else None)
        if self.year is None and o.title:
            m = re.search(r"((?:19|20)\d\d)\s*年", o.title)
            self.year = int(m[1]) if m else None
        self.task_ids: set[str] = set()

    def unit(self, name: str) -> str:
        uid = unit_id(name)
        self.units.setdefault(uid, {"id": uid, "zh": name, "en": name} if self.o.lang == "en" else {"id": uid, "zh": name})
        return uid

    def unsure(self, path: str, message: str, line: Line | None = None) -> None:
        """An import decision to check: a warning naming the source line, and a ``# CHECK:`` mark
        at ``path`` in the written data file."""
        where = (f"page {line.page}, line {line.line}" if line.page else f"line {line.line}") if line is not None else None
        self.warnings.append(f"{where}: {message}" if where else message)
        self.marks.append({"path": path, "message": message + (f" (source {where})" if where else ""),
                           "line": line.line if line is not None else None})

    def at(self, path: str, line: Line | None) -> None:
        if line is not None:
            self.where.setdefault(path, line)

    def paras(self, items: list[tuple[str, Line]], path: str) -> list[str]:
        out = []
        for i, (t, ln) in enumerate(items):
            out.append(t)
            self.at(f"{path}[{i}]", ln)
        return out

    # -- points --------------------------------------------------------------------------
    def point(self, n: Node, path: str) -> dict:
        d: dict = {}
        self.at(path, n.line)
        if n.heading:
            d["title"] = n.heading
            self.at(path + ".title", n.line)
        if n.text:
            d["text"] = n.text
            self.at(path + ".text", n.line)
        if n.paragraphs:
            d["paragraphs"] = self.paras(n.paragraphs, path + ".paragraphs")
        if n.children:
            d["items"] = [self.point(c, f"{path}.items[{i}]") for i, c in enumerate(n.children)]
        if not d:
            d["text"] = n.line.text
        return d

    def task(self, n: Node, path: str) -> dict:
        d: dict = {}
        self.at(path, n.line)
        body = n.text
        paras = [t for t, _ in n.paragraphs]
        # units: on the line itself, or in a separate 责任单位：… paragraph
        roles = None
        if body:
            r = parse_units(body)
            if r:
                body, roles = r
        if roles is None and n.heading and not body:
            r = parse_units(n.heading)
            if r:
                n.heading, roles = r[0].rstrip("。"), r[1]
        keep = []
        for t in paras:   # 牵头单位：… and 协办单位：… paragraphs under the task (one or several)
            r = parse_units(t)
            if r and not r[0].strip():
                roles = roles or {"lead": [], "cooperating": [], "responsible": []}
                for role, names in r[1].items():
                    roles[role] += [u for u in names if u not in roles[role]]
            else:
                keep.append(t)
        if n.heading:
            d["title"] = n.heading
        text = "\n".join(x for x in ([body] if body else []) + keep)
        if text:
            d["text"] = text if "\n" not in text else text.replace("\n", "" if not text.isascii() else " ")
        if roles:
            for role in ("lead", "responsible", "cooperating"):
                if roles[role]:
                    d[role] = [self.unit(u) for u in roles[role]]
        dl = self.deadline(d.get("text", ""))
        if dl:
            d["deadline"] = dl
        if n.children:
            d["items"] = [self.task(c, f"{path}.items[{i}]") for i, c in enumerate(n.children)]
        if not d.get("title") and not d.get("text"):
            d["text"] = n.line.text
        self.at(path + ".title", n.line)
        self.at(path + ".text", n.line)
        return d

    def task_table(self, paras: list[tuple[str, Line]], path: str) -> tuple[list[dict], list[tuple[str, Line]]]:
        """A division-of-labour table (序号｜任务｜牵头单位｜配合单位｜完成时限) as tasks."""
        rows = [(t, ln) for t, ln in paras if ln.table and ln.meta.get("cells")]
        if len(rows) < 2:
            return [], paras
        head = rows[0][1].meta["cells"]
        cols = task_columns(head)
        if cols is None:
            return [], paras
        c_task, c_due = cols["title"], cols.get("deadline")
        tasks: list[dict[str, Any]] = []
        used = {id(rows[0][1])}
        for _t, ln in rows[1:]:
            cells = ln.meta["cells"]
            if len(cells) != len(head) or not cells[c_task].strip():
                continue
            task: dict = {"title": cells[c_task].strip()}
            for role in ("lead", "responsible", "cooperating"):
                c = cols.get(role)
                if c is not None and cells[c].strip():
                    task[role] = [self.unit(u) for u in _split_units(cells[c])]
            if c_due is not None and cells[c_due].strip():
                due = cells[c_due].strip()
                d = find_date(due)
                task["deadline"] = d[0] if d else (self.deadline(f"时限：{due}") or due)
            self.at(f"{path}.tasks[{len(tasks)}]", ln)
            tasks.append(task)
            used.add(id(ln))
        if not tasks:
            return [], paras
        rows[0][1].meta["header"] = True  # its labels are the fields now (coverage does not count them)
        return tasks, [(t, ln) for t, ln in paras if id(ln) not in used]

    def deadline(self, text: str):
        m = re.search(r"(?:完成时限|时限|完成时间|截止时间|deadline)\s*[:：]\s*([^。；;，,]+)", text, re.I)
        if not m:
            m = re.search(r"[（(]([^（）()]{4,20}?)前完成[）)]", text)
        if not m:
            return None
        d = find_date(m[1])
        if d:
            return d[0]
        mm = re.match(r"\s*(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月(?:底|末)?\s*$", ascii_form(m[1]))
        if mm and (year := mm[1] or self.year):
            y, mo = int(year), int(mm[2])
            if 1 <= mo <= 12:
                return dt.date(y, mo, calendar.monthrange(y, mo)[1])
        return None

    def phase(self, n: Node, path: str) -> dict | None:
        name = n.heading
        if not name:
            return None
        start, end, span = _period(name, self.year)
        if start is None and n.text:
            start, end, span2 = _period(n.text[:40], self.year)
            span = None
        if span:
            clean = (name[:span[0]] + name[span[1]:])
            clean = re.sub(r"[（(]\s*[）)]", "", clean).strip(" ：:，,（(）)")
            if clean:
                name = clean
            else:
                start = end = None
        d: dict = {"name": name}
        if start:
            d["start"], d["end"] = start, end
        acts = ([n.text] if n.text else []) + [t for t, _ in n.paragraphs]
        if acts:
            d["activities"] = acts
        if n.children:
            d["items"] = [self.point(c, f"{path}.items[{i}]") for i, c in enumerate(n.children)]
        self.at(path, n.line)
        self.at(path + ".name", n.line)
        return d

    @staticmethod
    def _has_units(n: Node) -> bool:
        return any(parse_units(x) for x in [n.text or "", n.heading or ""] + [t for t, _ in n.paragraphs] if x)

    # -- sections ------------------------------------------------------------------------
    def section(self, n: Node, idx: int) -> dict:
        path = f"sections[{idx}]"
        typ = n.type or "free"
        d: dict = {"type": typ, "title": n.heading or ("正文" if self.o.lang == "zh" else "Text")}
        if not n.heading:
            self.unsure(path + ".title", f"a section without a heading was given the title {d['title']!r}; correct it", n.line)
        elif self.o.headings_from in ("short lines", "vocabulary"):
            self.unsure(path + ".title", f"{d['title']!r} taken as a section heading (an unnumbered short line); "
                        "check it is one", n.line)
        self.at(path, n.line)
        self.at(path + ".title", n.line)
        paras = list(n.paragraphs)
        children = list(n.children)
        role = heading_role(n.heading)
        if typ == "free" and not children and roster_lines(paras, role) >= 2:
            d["type"] = typ = "leadership"   # a roster (组长/副组长/成员) makes the section the leading group
        if typ == "leadership":
            paras = self._leadership(d, paras, role, path)
        if typ == "objectives":
            paras, children = self._objectives(d, paras, children)
        if typ in ("tasks", "free") and not children:
            tasks, paras = self.task_table(paras, path)
            if tasks:
                d["tasks"] = tasks
                d["type"] = typ = "tasks"   # a division-of-labour table makes the section a task list
        if typ == "free" and children and 2 * sum(map(self._has_units, children)) >= len(children):
            d["type"] = typ = "tasks"   # items that each name their 牵头单位 are tasks
        if typ == "tasks":
            if children:
                d["tasks"] = [self.task(c, f"{path}.tasks[{i}]") for i, c in enumerate(children)]
                children = []
        if typ == "standards":
            children = self._standards(d, children, path)
            typ = d["type"]
        if typ == "phases":
            phases = [self.phase(c, f"{path}.phases[{i}]") for i, c in enumerate(children)]
            if children and all(phases):
                d["phases"] = phases
                children = []
        if paras:
            d["paragraphs"] = self.paras(paras, path + ".paragraphs")
        if children:
            d["items"] = [self.point(c, f"{path}.items[{i}]") for i, c in enumerate(children)]
        if typ == "free":
            self.unclassified.append(d["title"])
        return d

    def _leadership(self, d: dict, paras: list, role: str | None, path: str) -> list:
        """A leading group's roster into ``d``; returns the paragraphs left."""
        group, paras, where = read_roster(paras, role)
        d.update(group)
        for role, ln in where.items():
            self.at(f"{path}.{role}", ln)
        for t, _ in paras:
            gm = re.search(r"(成立|组建|调整|对)(?:了)?([^，。,（(]{2,30}?(?:领导小组|工作小组|指挥部|委员会))", t)
            if gm and "group_name" not in d:
                d["group_name"] = gm[2]
                break
        return paras

    def _objectives(self, d: dict, paras: list, children: list) -> tuple[list, list]:
        """The targets of an objectives section into ``d``; returns the paragraphs and items left."""
        targets, keep = [], []
        for t, ln in paras:
            ts = self.targets(t)
            if ts:
                targets += ts
                continue
            # a sentence made only of targets moves; the rest of the paragraph stays
            sentences = re.findall(r"[^。；;]+[。；;]?", t)
            left = []
            for sen in sentences:
                ts = self.targets(sen) if len(sentences) > 1 else None
                if ts:
                    targets += ts
                else:
                    left.append(sen)
            if left:
                keep.append(("".join(left), ln))
        rest = []
        for c in children:
            txt = (c.heading or "") if not c.text else ((c.heading + "，" if c.heading else "") + c.text)
            ts = self.targets(txt) if not c.children and not c.paragraphs else None
            if ts:
                targets += ts
            else:
                rest.append(c)
        if targets:
            d["targets"] = targets
        return keep, rest

    def _standards(self, d: dict, children: list, path: str) -> list:
        """Categories of standards into ``d`` (else the section is free); returns the items left."""
        cats: list[dict[str, Any]] = []
        for ci, c in enumerate(children):
            if not c.children:
                cats = []  # a category without items: not a list of categories
                break
            items = []
            for it in c.children:
                text = "".join(x for x in ((it.heading + "。") if it.heading and it.text else it.heading, it.text) if x)
                text = "".join([text] + [t for t, _ in it.paragraphs])
                items.append(self.standard_item(text))
            cat = {"title": c.heading or c.text or c.line.text, "items": items}
            self.at(f"{path}.categories[{ci}]", c.line)
            cats.append(cat)
        if cats:
            d["categories"] = cats
            return []
        d["type"] = "free"
        return children

    def standard_item(self, text: str) -> dict:
        """One standard's text, with the lead and cooperating units it names taken out."""
        r = parse_units(text)
        item: dict = {"text": r[0] if r else text}
        if r:
            for role in ("lead", "cooperating"):
                units = r[1][role] + (r[1]["responsible"] if role == "lead" else [])
                if units:
                    item[role] = [self.unit(u) for u in units]
        return item

    def flat_standards(self, nodes: list[Node]) -> dict:
        """One flat numbered list of standards: a standards section whose one category holds
        every item, each item's whole text (its heading, text and paragraphs) kept."""
        items = []
        for i, n in enumerate(nodes):
            num_end = n.num.end if n.num else 0
            text = "".join([n.line.text[num_end:].strip()] + [t for t, _ in n.paragraphs]
                           + [c.line.text for c in n.children])
            self.at(f"sections[0].categories[0].items[{i}]", n.line)
            items.append(self.standard_item(text))
        title = self.o.title or ("标准" if self.o.lang == "zh" else "Standards")
        self.at("sections[0]", nodes[0].line)
        return {"type": "standards", "title": "创建标准" if self.o.lang == "zh" else "Standards",
                "categories": [{"title": title, "items": items}]}

    def targets(self, text: str) -> list[dict] | None:
        if width_units(text) > (60 if not text.isascii() else 90):
            return None
        if text.isascii():  # English: clauses end at ; or a full stop (commas are part of the indicator)
            clauses = [c for c in re.split(r"[;]|\.(?:\s|$)", text) if c.strip()]
        else:
            clauses = [c for c in re.split(r"[，,；;。]", text) if c.strip()]
        out = []
        for c in clauses:
            t = parse_target(c)
            if not t:
                return None
            out.append(t)
        return out or None

    # -- document ------------------------------------------------------------------------
    def _title_fields(self, d: dict) -> None:
        """Title, subtitle, issuer mark and document number into ``d``."""
        o = self.o
        title = o.title
        if not title:
            title = "（无标题）" if o.lang == "zh" else "(untitled)"
            self.unsure("title", f"no title found; set to {title!r}: write the document's title")
        elif o.title_unsure:
            self.unsure("title", o.title_unsure, o.title_lines[0] if o.title_lines else None)
        d["title"] = title
        self.at("title", o.title_lines[0] if o.title_lines else None)
        if o.subtitle:
            d["subtitle"] = o.subtitle[0]
            self.at("subtitle", o.subtitle[1])
        if o.issuer_mark:
            d["issuer_mark"] = o.issuer_mark
        if o.doc_number:
            dm = (re.match(r"^(.+?)[〔\[［(（【]((?:19|20)\d\d)[〕\]］)）】]第?(\d+)号$", o.doc_number)
                  or re.match(r"^(.+?)\s*[\[(]((?:19|20)\d\d)[\])]\s*No\.\s*(\d+)$", o.doc_number))
            if dm and int(dm[3]) >= 1:
                d["doc_number"] = {"prefix": dm[1], "year": int(dm[2]), "serial": int(dm[3])}
                self.at("doc_number", o.doc_number_line)

    def _signed(self, d: dict) -> None:
        """Issuers and signature lines, and the date, into ``d``."""
        o = self.o
        issuers = []
        sig = []
        for t, ln in o.signature:
            if width_units(t) <= 30:
                issuers.append(self.unit(t))
                self.at("issuers", ln)
            else:
                sig.append(t)
        if issuers:
            d["issuers"] = issuers
        if sig:
            d["signature"] = sig
        if o.date:
            d["date"] = o.date
            self.at("date", o.date_line)
        else:
            d["date"] = dt.date.today()
            self.unsure("date", f"no date found in the document: `date` set to the import date "
                        f"{d['date'].isoformat()}; replace it with the document's date (成文日期)")
        if not issuers:
            self.unsure("issuers", "no issuing unit found in the document: `issuers` left empty; add the issuer "
                        "(units: and issuers:) if it is known")

    def _low_confidence(self) -> None:
        """Fields read by OCR with low confidence are marked unsure (at most 30 lines)."""
        low = [(p, ln) for p, ln in self.where.items() if ln.meta.get("ocr") is not None and ln.meta["ocr"] < 0.90]
        seen: set[int] = set()
        for p, ln in low:
            if id(ln) not in seen and len(seen) < 30:
                seen.add(id(ln))
                self.unsure(p, f"read by OCR with confidence {ln.meta['ocr']:.2f}: compare the text with the scan", ln)

    def document(self) -> dict:
        o = self.o
        d: dict = {"kind": "program"}
        if o.lang == "en":
            d["source_lang"] = "en"
        self._title_fields(d)
        if o.flat_standards:
            d["kind"] = "standards"
            sections = [self.flat_standards(o.sections)]
        elif _articles(o.sections):
            # a regulations-style text (第一章 … 第一条 …): chapters of articles, kept as such
            d["numbering"] = "articles"
            for n in o.sections:
                n.type = None   # an article is a provision: its chapter is no task list
            sections = [self.section(n, i) for i, n in enumerate(o.sections)]
        else:
            sections = [self.section(n, i) for i, n in enumerate(o.sections)]
        self._signed(d)
        if o.recipients:
            d["recipients"] = self.paras(o.recipients, "recipients")
        if o.cc:
            d["cc"] = [u for t, ln in o.cc for u in _split_units(t)]
            self.at("cc", o.cc[0][1])
        if o.printed:
            d["printed"] = {"office": o.printed[0], "date": o.printed[1]}
            self.at("printed", o.printed[2])
        if o.preamble:
            d["preamble"] = self.paras(o.preamble, "preamble")
        d["sections"] = sections
        if o.closing:
            d["closing"] = self.paras(o.closing, "closing")
        if o.attachments:
            atts = []
            for i, (t, ln, ps) in enumerate(o.attachments):
                a = {"title": t or ("附件" if o.lang == "zh" else "Attachment")}
                if ps:
                    a["paragraphs"] = self.paras(ps, f"attachments[{i}].paragraphs")
                self.at(f"attachments[{i}]", ln)
                atts.append(a)
            d["attachments"] = atts
        if o.cover:
            sep = "\n"
            d["note"] = sep.join(t for t, _ in o.cover)
            self.at("note", o.cover[0][1])
        self._low_confidence()
        if self.units:
            d = {**{k: d[k] for k in list(d)[:2]}, "units": list(self.units.values()),
                 **{k: v for k, v in list(d.items())[2:]}}
        return d
