"""Languages, the fixed glossary, numbering styles and date formats.

The glossary is the one place where section titles, roles and table headings get their
English names, so every English document says "Lead Unit" the same way.
"""
from __future__ import annotations

import datetime as _dt

LANGS = ("zh", "en")
OUTPUT_LANGS = ("zh", "en", "zh-en")

# key -> (zh, en)
GLOSSARY: dict[str, tuple[str, str]] = {
    # section titles
    "ideology": ("指导思想", "Guiding Ideology"),
    "objectives": ("工作目标", "Objectives"),
    "leadership": ("组织领导", "Organization and Leadership"),
    "tasks": ("工作任务", "Main Tasks"),
    "phases": ("实施步骤", "Implementation Steps"),
    "requirements": ("工作要求", "Work Requirements"),
    "safeguards": ("保障措施", "Safeguard Measures"),
    "inspection": ("检查考核", "Inspection and Assessment"),
    "rewards": ("奖励措施", "Rewards"),
    "standards": ("创建标准", "Creation Standards"),
    "principles": ("基本原则", "Basic Principles"),
    "general_requirements": ("总体要求", "General Requirements"),
    # report sections
    "achievements": ("主要工作及成效", "Main Work and Results"),
    "practices": ("主要做法", "Main Practices"),
    "problems": ("存在的问题", "Existing Problems"),
    "next_steps": ("下一步工作打算", "Plans for the Next Stage"),
    # roles
    "leading_group": ("领导小组", "Leading Group"),
    "head": ("组长", "Head"),
    "deputy_head": ("副组长", "Deputy Head"),
    "deputy_heads": ("副组长", "Deputy Heads"),
    "members": ("成员", "Members"),
    "member": ("成员", "Member"),
    "office": ("领导小组办公室", "Office of the Leading Group"),
    "office_director": ("办公室主任", "Director of the Office"),
    # table headings
    "no": ("序号", "No."),
    "task": ("工作任务", "Task"),
    "measures": ("具体措施", "Measures"),
    "lead_unit": ("牵头单位", "Lead Unit"),
    "responsible_units": ("责任单位", "Responsible Units"),
    "cooperating_units": ("配合单位", "Cooperating Units"),
    "deadline": ("完成时限", "Deadline"),
    "name": ("姓名", "Name"),
    "role": ("职务", "Role"),
    "post": ("职务", "Position"),
    "unit": ("单位", "Unit"),
    "group_role": ("小组职务", "Role in Group"),
    "indicator": ("指标", "Indicator"),
    "baseline": ("基期值", "Baseline"),
    "target": ("目标值", "Target"),
    "actual": ("实际值", "Actual"),
    "attainment": ("完成度", "Attainment"),
    "status": ("状态", "Status"),
    "due": ("完成时间", "Due"),
    "phase": ("阶段", "Phase"),
    "period": ("时间", "Period"),
    "activities": ("主要工作", "Activities"),
    # annexes and document furniture
    "attachment": ("附件", "Annex"),
    "attachments": ("附件", "Annexes"),
    "signatory": ("签发人", "Signed by"),
    "task_matrix": ("任务分工表", "Division of Tasks"),
    "roster": ("领导小组成员名单", "Members of the Leading Group"),
    "cc": ("抄送", "cc"),
    "printed": ("印发", "Issued"),
    "recipients": ("主送", "To"),
    "item_lead": ("牵头", "lead"),
    "item_cooperate": ("配合", "cooperating"),
    # statuses
    "done": ("已完成", "Done"),
    "in_progress": ("推进中", "In progress"),
    "not_started": ("未开始", "Not started"),
    "met": ("达标", "Met"),
    "not_met": ("未达标", "Not met"),
    "overdue": ("已逾期", "Overdue"),
}


def term(key: str, lang: str) -> str:
    zh, en = GLOSSARY[key]
    return en if lang == "en" else zh


# --- numbering -------------------------------------------------------------------------
_ZH_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (enough for headings)."""
    if n < 0 or n > 999:
        return str(n)
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _ZH_DIGITS[tens] + "十" + (_ZH_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    out = _ZH_DIGITS[hundreds] + "百"
    if rest == 0:
        return out
    if rest < 10:
        return out + "零" + _ZH_DIGITS[rest]
    return out + (zh_number(rest) if rest >= 20 else "一" + zh_number(rest))


def roman(n: int) -> str:
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def heading_number(level: int, n: int, lang: str) -> str:
    """The label of the n-th heading at a level: 一、（一）1.（1） or I. (I) 1. (1)."""
    if lang == "en":
        return {1: f"{roman(n)}. ", 2: f"({roman(n)}) ", 3: f"{n}. ", 4: f"({n}) "}[level]
    return {1: f"{zh_number(n)}、", 2: f"（{zh_number(n)}）", 3: f"{n}.", 4: f"（{n}）"}[level]


# --- dates -----------------------------------------------------------------------------
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def format_date(d: _dt.date, lang: str) -> str:
    """2023年3月5日 (no zero padding, 7.3.5.4) or March 5, 2023."""
    if lang == "en":
        return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"
    return f"{d.year}年{d.month}月{d.day}日"


def list_join(items: list[str], lang: str) -> str:
    return ", ".join(items) if lang == "en" else "、".join(items)
