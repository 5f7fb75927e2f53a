"""The two tables a program carries, wherever they stand and however they were typed: the
division-of-labour (task) table and the leading group's roster.

- A task table is a table whose header names a task column (工作任务 / 任务 / 内容 …) and a
  lead column (牵头单位 / 责任单位 …); its other columns are found by their header words too
  (配合 / 协办 …, 完成时限 …). ``task_columns`` maps a header to the task's fields.
- A roster is the 组长 / 副组长 / 成员 lines (or table rows) of a leading group: a role line
  ("组　长：韩　正　　国务院副总理"), the lines after it that carry no role (more people of the same
  role), and rows whose first cell is a role. ``read_roster`` turns them into the group's head,
  deputies and members, each person split into name and post.

Both read text in the matching form (simplified), so traditional headers and roles are read too.
"""
from __future__ import annotations

import re

from .charforms import match_form
from .lines import Line, width_units

# --- task tables ---------------------------------------------------------------------------
# field → the header words that name its column (first match wins, in this order of fields)
TASK_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("工作任务", "重点任务", "主要任务", "任务", "改革举措", "工作内容", "内容", "事项", "措施", "task", "measure"),
    "lead": ("牵头", "主责", "负责单位", "lead"),
    "responsible": ("责任单位", "责任部门", "责任主体", "责任人", "responsible"),
    "cooperating": ("配合", "协助", "协办", "参与", "cooperat", "assist"),
    "deadline": ("完成时限", "时限", "完成时间", "期限", "时间", "deadline", "time"),
}


def task_columns(header: list[str]) -> dict[str, int] | None:
    """The column of each task field in a table's header row, or None when the header is not
    a task table's (it needs a task column and a lead or responsible column)."""
    head = [re.sub(r"\s", "", match_form(c)).lower() for c in header]
    cols: dict[str, int] = {}
    taken: set[int] = set()
    for fld, words in TASK_COLUMNS.items():
        for w in words:   # the more specific word first: 工作任务 before 任务
            i = next((i for i, h in enumerate(head) if i not in taken and w in h), None)
            if i is not None:
                cols[fld] = i
                taken.add(i)
                break
    if "title" not in cols or not ({"lead", "responsible"} & cols.keys()):
        return None
    if "lead" not in cols:   # one unit column (责任单位) is the lead
        cols["lead"] = cols.pop("responsible")
    return cols


# --- rosters -------------------------------------------------------------------------------
ROLES: dict[str, str] = {   # role word (matching form, no spaces) → the group's field
    "组长": "head", "主任": "head", "总指挥": "head", "指挥长": "head", "召集人": "head",
    "副组长": "deputies", "常务副组长": "deputies", "副主任": "deputies", "副总指挥": "deputies",
    "副指挥长": "deputies", "副召集人": "deputies",
    "成员": "members", "组员": "members", "委员": "members",
}
_ROLES_EN = r"(?:deputy\s+|vice\s+)?(?:(?:team|group)\s+)?(?:leaders?|heads?)|members?"
_ROLE_LINE = re.compile(r"^\s*(" + "|".join(sorted((r"\s*".join(k) for k in ROLES), key=len, reverse=True))
                        + "|" + _ROLES_EN + r")\s*[:：]\s*(.*)$", re.I)
# a post (职务) ends like one; a name is two to four characters
_POST_END = re.compile(r"(长|书记|主任|委员|干事|主席|成员|专员|助理|秘书|经理|主管|员|官|师|监|记|任|席|理|人)$")
_GAP = re.compile(r"[\s\u3000]{2,}|\t")


def role_of(text: str) -> str | None:
    """The roster field a role word names (组　长 → head), or None."""
    key = re.sub(r"[\s\u3000]", "", match_form(text)).rstrip(":：").lower()
    if key.isascii() and re.fullmatch(_ROLES_EN.replace("\\s+", ""), key):
        return "deputies" if key.startswith(("deputy", "vice")) else "members" if key.startswith("member") else "head"
    return ROLES.get(key)


def person(entry: str) -> dict | None:
    """One person of a roster entry: 韩　正　　国务院副总理 / 县长 张三 / 张三（县长） / 张三."""
    e = entry.strip(" \u3000。.，,；;")
    if not e:
        return None
    m = re.match(r"^(.+?)[（(](.+)[）)]$", e)
    if m:
        a, b = m[1].strip(), m[2].strip()
        return {"name": b, "title": a} if len(a) > len(b) + 2 and len(b) <= 4 else {"name": a, "title": b}
    if e.isascii():
        return {"name": e}
    parts = [p for p in _GAP.split(e) if p.strip()]
    if len(parts) == 1:
        parts = e.split()
    if len(parts) == 1:
        return {"name": e}
    if len(parts) > 2:   # 韩 正 县长: a name written with a space inside
        short = [p for p in parts if len(p) <= 2]
        if len(short) >= 2 and len(parts) == 3:
            parts = [parts[0] + parts[1], parts[2]] if len(parts[0]) <= 2 and len(parts[1]) <= 2 else parts
    if len(parts) != 2:
        return {"name": re.sub(r"[\s\u3000]+", "", parts[0]), "title": " ".join(parts[1:])}
    a, b = (re.sub(r"[\s\u3000]+", "", p) for p in parts)
    a_name = len(a) <= 4 and not _POST_END.search(match_form(a))
    b_name = len(b) <= 4 and not _POST_END.search(match_form(b))
    if b_name and not a_name:
        return {"name": b, "title": a}
    return {"name": a, "title": b}


def _pairs(text: str) -> list[dict] | None:
    """Name and post after name and post, one space apart: 董振瑞 副镇长 冯顺利 开发区副主任."""
    tokens = text.split()
    if len(tokens) < 2 or len(tokens) % 2:
        return None
    names, posts = tokens[0::2], tokens[1::2]
    if all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n) and not _POST_END.search(match_form(n)) for n in names) \
            and all(_POST_END.search(match_form(p)) for p in posts):
        return [{"name": n, "title": p} for n, p in zip(names, posts)]
    return None


def _people(rest: str) -> list[dict]:
    """The people of one roster line's text after its role: one person with a post, or a list."""
    rest = rest.strip(" \u3000")
    if not rest:
        return []
    pairs = _pairs(rest) if not _GAP.search(rest) else None
    if pairs and len(pairs) > 1:
        return pairs
    if re.search(r"[、，,；;]", rest) and not _GAP.search(rest):
        out = [person(x) for x in re.split(r"[、，,；;]", rest)]
    else:
        out = [person(rest)]
    return [p for p in out if p]


def _continues(text: str) -> bool:
    """A line after a role line that lists more people of the same role (no role of its own)."""
    t = text.strip()
    return (0 < width_units(t) <= 40 and not re.search(r"[。：:！!？?]", t) and _ROLE_LINE.match(t) is None
            and _ROLE_LINE.match(match_form(t)) is None and (bool(_GAP.search(t)) or _pairs(t) is not None or bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}(?:[、，,][\u4e00-\u9fff]{2,4})*", t))))


def read_roster(paras: list[tuple[str, Line]], role: str | None = None
                ) -> tuple[dict, list[tuple[str, Line]], dict[str, Line]]:
    """A leading group's people in these paragraphs: ``(group, the paragraphs left, the line
    each field came from)``; ``group`` holds ``head`` (one person), ``deputies`` and ``members``
    (empty when no roster is there). A role line with no one after it (a blank template)
    is kept as text. ``role``: the role of rows that name none (a table under a heading
    部门委员: everyone in it is a member)."""
    group: dict = {}
    where: dict[str, Line] = {}
    keep: list[tuple[str, Line]] = []
    default = role
    for t, ln in paras:
        cells = ln.meta.get("cells") if ln.table else None
        got: list[dict] = []
        r = None
        if cells and default and not role_of(cells[0]) and 1 < len([c for c in cells if c.strip()]) <= 3:
            cells = [""] + cells   # a row of name and post under a heading naming the role
        if cells:
            first = role_of(cells[0]) if cells[0].strip() else (role if role else None)
            if first:
                r = first
                got = [p for p in (person("　　".join(c for c in cells[1:] if c.strip())),) if p] \
                    if len([c for c in cells[1:] if c.strip()]) <= 2 else \
                    [p for p in (person(c) for c in cells[1:] if c.strip()) if p]
        else:
            m = _ROLE_LINE.match(match_form(t))   # (one character for one: offsets carry over)
            if m:
                r = role_of(m[1])
                got = _people(t[m.start(2):])
            elif role and _continues(t):
                r = role
                got = _people(t)
        if r and got:
            role = r
            group.setdefault(r, []).extend(got)
            where.setdefault(r, ln)
        else:
            role = default if not (r and not got) else r
            keep.append((t, ln))
    if "head" in group:
        heads = group.pop("head")
        group["head"] = heads[0]
        if len(heads) > 1:
            group.setdefault("deputies", [])[:0] = heads[1:]
    elif group:   # a group without a head: everyone is a member
        group = {"members": group.get("deputies", []) + group.get("members", [])}
    return group, keep, where


def roster_lines(paras: list[tuple[str, Line]], role: str | None = None) -> int:
    """How many of these paragraphs are roster lines or rows with people in them."""
    group, keep, _ = read_roster(paras, role)
    return len(paras) - len(keep)


def heading_role(heading: str | None) -> str | None:
    """The role a section's heading gives the people listed under it: 部门委员 / 成员名单 → members."""
    h = re.sub(r"[\s\u3000]|[（(].*?[)）]", "", match_form(heading or ""))
    return "members" if re.search(r"(委员|成员|组员)(名单)?$", h) else None
