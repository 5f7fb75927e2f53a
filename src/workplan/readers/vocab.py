"""Section-heading vocabulary (Chinese and English) → section type, and the words that end a
document title. Phrases are in the matching form (simplified, lower case)."""
from __future__ import annotations

import re

from .charforms import match_form

SECTION_PHRASES: dict[str, list[str]] = {
    "ideology": ["指导思想", "总体思路", "总体要求", "工作思路", "指导方针", "guiding ideology", "guiding thought",
                 "guiding principle", "guiding idea", "guideline", "general idea", "overall requirement"],
    "objectives": ["工作目标", "目标任务", "总体目标", "主要目标", "创建目标", "具体目标", "目标要求", "任务目标",
                   "工作目的", "目的意义", "目标", "objective", "goal", "target", "aim"],
    "leadership": ["组织领导", "领导小组", "组织机构", "机构设置", "组织架构", "领导机构", "组织保障", "组织实施",
                   "organizational leadership", "organization and leadership", "leading group", "leadership",
                   "organizational structure", "organization"],
    "tasks": ["工作任务", "主要任务", "具体措施", "工作措施", "重点任务", "主要内容", "工作内容", "工作重点",
              "主要措施", "实施内容", "任务分工", "职责分工", "工作职责", "重点工作", "主要工作", "创建内容",
              "活动内容", "具体任务", "整治重点", "检查重点", "排查重点", "工作举措", "重点", "任务", "内容", "措施", "举措", "main task", "key task", "task", "main content", "work content", "measure",
              "main work", "key work", "division of labo", "responsibilit", "content"],
    "phases": ["实施步骤", "时间安排", "工作步骤", "步骤安排", "方法步骤", "实施阶段", "进度安排", "工作安排",
               "时间步骤", "阶段安排", "实施时间", "活动时间", "工作进度", "implementation step", "step", "schedule",
               "timetable", "time arrangement", "phase", "stage", "time frame", "timeline"],
    "requirements": ["工作要求", "有关要求", "相关要求", "具体要求", "几点要求", "要求", "requirement"],
    "safeguards": ["保障措施", "工作保障", "保障机制", "safeguard", "guarantee", "support measure"],
    "inspection": ["检查考核", "督查考核", "考核评估", "督导检查", "检查验收", "考核办法", "考核评比", "督查督办",
                   "考核验收", "督促检查", "监督检查", "评估与持续改进", "持续改进", "评估", "考核", "inspection", "assessment", "evaluation", "supervision",
                   "examination", "appraisal"],
    "rewards": ["奖惩", "责任追究", "追责问责", "表彰奖励", "奖励办法", "奖励", "reward", "commendation", "award"],
    "standards": ["创建标准", "验收标准", "考评标准", "评分标准", "creation standards", "standards"],
    "principles": ["基本原则", "工作原则", "basic principle", "working principle", "principle"],
}
# the longer phrases first, so 工作目标 wins over 目标
_ALL = sorted(((p, t) for t, ps in SECTION_PHRASES.items() for p in ps), key=lambda x: -len(x[0]))

TITLE_ENDINGS_ZH = ("方案", "计划", "规划", "意见", "通知", "办法", "标准", "制度", "细则", "要点", "规定", "决定",
                    "纪要", "报告", "总结", "预案", "任务", "公告", "通报", "安排", "措施", "机制", "章程", "规则",
                    "小结", "设想", "谋划", "汇报", "条例", "守则", "公约")
TITLE_ENDINGS_EN = ("program", "programme", "plan", "scheme", "measures", "opinions", "notice", "standards",
                    "system", "rules", "regulations", "arrangement", "arrangements", "summary", "report",
                    "mechanism", "implementation", "work")


def section_type(heading: str) -> tuple[str, int] | None:
    """The section type a heading names and the offset of the phrase, or None."""
    m = match_form(heading)
    best: tuple[int, int, str] | None = None
    for phrase, typ in _ALL:
        if phrase.isascii():
            f = re.search(r"\b" + re.escape(phrase), m)
            i = f.start() if f else -1
        else:
            i = m.find(phrase)
        if i >= 0 and (best is None or i < best[0] or (i == best[0] and len(phrase) > best[1])):
            best = (i, len(phrase), typ)
    return (best[2], best[0]) if best else None


def leading_phrase(text: str) -> int:
    """Length of a Chinese heading phrase the text starts with (0 if none): 指导思想牢固树立… → 4."""
    m = match_form(text)
    for phrase, _ in _ALL:
        if len(phrase) >= 4 and m.startswith(phrase) and not phrase.isascii():
            return len(phrase)
    # a short phrase ending in a heading word: 检查目标通过… → 检查目标
    best = 0
    for phrase, _ in _ALL:
        if phrase.isascii():
            continue
        i = m.find(phrase, 0, 10)
        if i >= 2 and i + len(phrase) <= 10 and re.fullmatch(r"[\u4e00-\u9fff]+", m[:i]):
            best = max(best, i + len(phrase)) if not best else min(best, i + len(phrase))
    return best


def title_ends(text: str, lang: str) -> bool:
    """The text ends like a document title (…工作方案, …Work Program)."""
    m = _TAIL_PAREN.sub("", match_form(text).strip()).rstrip(" 》>)）")
    if lang == "zh" or not text.isascii():
        return m.endswith(TITLE_ENDINGS_ZH)
    return any(m.endswith(w) for w in TITLE_ENDINGS_EN)


# a short parenthetical after the title: （试行） / (百分制) / (2023年版)
_TAIL_PAREN = re.compile(r"\s*[(（][^()（）]{1,12}[)）]$")


def is_title_like(text: str, lang: str) -> bool:
    m = _TAIL_PAREN.sub("", match_form(text).strip()).rstrip(" 》>)）")
    if lang == "zh" or not text.isascii():
        return m.endswith(TITLE_ENDINGS_ZH)
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text) if len(w) > 3]
    title_case = bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
    return title_case and (any(m.endswith(w) for w in TITLE_ENDINGS_EN) or bool(
        re.search(r"\b(program|programme|plan|scheme|implementation|standards)\b", m)))
