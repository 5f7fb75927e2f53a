"""Writes the layout test cases of this folder (run once; the YAML files are committed).

Data files unlike the corpus, for tests/test_layout_reader.py: a joint three-bureau program, a
46-row task table, an upward report with 签发人, a short notice, a signature that falls at a page
break, four heading levels. Invented names.
"""
from pathlib import Path

import yaml

HERE = Path(__file__).parent
ZH_SENT = "各单位要结合实际细化工作措施，明确责任人和完成时限，确保各项任务按期落实到位"
EN_SENT = "Each unit details its measures, names the person responsible and the deadline, and makes sure that every task is done on time"

UNITS = [
    {"id": "justice", "zh": "江北县司法局", "en": "Jiangbei County Justice Bureau"},
    {"id": "police", "zh": "江北县公安局", "en": "Jiangbei County Public Security Bureau"},
    {"id": "civil", "zh": "江北县民政局", "en": "Jiangbei County Civil Affairs Bureau"},
    {"id": "towns", "zh": "各乡镇人民政府", "en": "township governments"},
    {"id": "office", "zh": "江北县人民政府办公室", "en": "Office of the Jiangbei County Government"},
    {"id": "gov", "zh": "江北县人民政府", "en": "Jiangbei County Government"},
]


def t(zh, en):
    return {"zh": zh, "en": en}


def para(n, k=0):
    return t("，".join([ZH_SENT] * n) + "。", ". ".join([EN_SENT] * n) + ".")


def base(title_zh, title_en, **kw):
    d = {"kind": "program", "title": t(title_zh, title_en), "units": UNITS, "issuers": ["justice"],
         "doc_number": {"prefix": "江司发", "year": 2024, "serial": 9, "prefix_en": "Jiang Si Fa"},
         "date": "2024-03-19", "recipients": [t("各乡镇人民政府", "All township governments")],
         "cc": ["office"], "printed": {"office": "office", "date": "2024-03-20"}}
    d.update(kw)
    return d


def write(name, d, comment):
    text = f"# {comment}\n" + yaml.safe_dump(d, allow_unicode=True, sort_keys=False, width=200)
    (HERE / name).write_text(text, encoding="utf-8")


# a joint three-bureau program: three issuers, three 署名 side by side
write("joint-three-bureaus.yaml", base(
    "江北县2024年社区矫正安置帮教联合工作方案", "Jiangbei County Joint Program for Community Corrections 2024",
    issuers=["justice", "police", "civil"],
    preamble=[para(2)],
    sections=[{"type": "ideology", "paragraphs": [para(3)]},
              {"type": "requirements", "items": [{"title": t("加强协作", "Work together"), "text": para(2)},
                                                 {"title": t("强化保障", "Secure the means"), "text": para(2)}]}]),
      "A joint program of three bureaus: three issuers in the letterhead and the signature.")

# joint issuers with long names: each on its own line in the 版头 (never wrapped mid-name), 文件
# beside them; the 署名 too wide to stand side by side
LONG = [{"id": "plc", "zh": "中共江北县委政法委员会", "en": "Political and Legal Affairs Commission of the CPC Jiangbei County Committee"},
        {"id": "order", "zh": "江北县社会治安综合治理委员会办公室", "en": "Office of the Jiangbei County Public Order Commission"},
        {"id": "safety", "zh": "江北县平安建设领导小组办公室", "en": "Office of the Jiangbei County Leading Group for Public Safety"}]
write("joint-long-names.yaml", base(
    "关于开展2024年平安创建联合督查的通知", "Notice on the Joint Inspection of Public Safety Work 2024",
    units=[u for u in UNITS if u["id"] == "office"] + LONG, issuers=["plc", "order", "safety"],
    doc_number={"prefix": "江平安办发", "year": 2024, "serial": 3, "prefix_en": "Jiang Ping An Ban Fa"},
    preamble=[para(1)],
    sections=[{"type": "requirements", "items": [{"title": t("压实责任", "Hold units to account"), "text": para(2)}]}]),
      "Three issuers with long names: the 版头 puts each on its own line with 文件 to their right.")

# a 46-row task table
tasks = []
for i in range(1, 47):
    tasks.append({"id": f"task{i}", "title": t(f"第{i}项重点任务", f"Key task {i}"),
                  "text": t("，".join([ZH_SENT] * (1 + i % 3)) + "。", ". ".join([EN_SENT] * (1 + i % 3)) + "."),
                  "lead": [["justice", "police", "civil"][i % 3]], "cooperating": ["towns"],
                  "deadline": f"2024-{(i % 12) + 1:02d}-28"})
write("long-task-table.yaml", base(
    "江北县2024年基层治理重点任务实施方案", "Jiangbei County Program of Key Tasks in Grassroots Governance 2024",
    preamble=[para(1)], sections=[{"type": "tasks", "tasks": tasks}]),
      "A program with 46 tasks: a 任务分工表 of 46 rows over several pages.")

# a short notice: one paragraph, no annex
write("short-notice.yaml", base(
    "关于做好春节期间值班工作的通知", "Notice on Duty during the Spring Festival",
    preamble=[t("春节期间，各单位要严格落实领导带班和24小时值班制度，遇有重大情况及时报告。",
                "During the Spring Festival every unit keeps a leader on duty and a 24-hour watch, and reports any major event at once.")],
    cc=[], printed=None),
      "A short notice: one paragraph, signature and date on page 1, no 版记.")

# a signature that falls at a page break: the body fills page 1 to its last lines
write("signature-at-break.yaml", base(
    "江北县2024年人民调解工作方案", "Jiangbei County Program for People's Mediation 2024",
    preamble=[para(2)],
    sections=[{"type": "ideology", "paragraphs": [para(3)]},
              {"type": "requirements", "paragraphs": [para(4), para(3), para(3)]}],
    attachments=[{"title": t("调解组织名单", "List of Mediation Committees"), "paragraphs": [para(1)]}]),
      "The signature and 附件说明 fall where page 2 ends: they must keep their blank lines and body text.")

# four heading levels
def point(level, n):
    p = {"title": t(f"第{level}级第{n}项", f"Level {level} point {n}"), "text": para(1)}
    if level < 4:
        p["items"] = [point(level + 1, k) for k in (1, 2)]
    return p
write("four-levels.yaml", base(
    "江北县2024年法治宣传教育工作方案", "Jiangbei County Program for Legal Education 2024",
    preamble=[para(1)],
    sections=[{"type": "free", "title": t("主要内容", "Main content"), "items": [point(2, 1), point(2, 2)]}]),
      "Four heading levels: 一、 （一） 1. （1）.")

# an upward report (to the county government) with 签发人, on the 46-task program
write("upward-report.yaml", {
    "kind": "report", "title": t("江北县司法局关于2024年第一季度基层治理重点任务进展情况的报告",
                                 "Report of the Jiangbei County Justice Bureau on Key Tasks in the First Quarter of 2024"),
    "program": "long-task-table.yaml", "period": {"start": "2024-01-01", "end": "2024-03-31"},
    "date": "2024-04-08", "signatory": t("李明", "Li Ming"),
    "doc_number": {"prefix": "江司报", "year": 2024, "serial": 3, "prefix_en": "Jiang Si Bao"},
    "recipients": ["gov"], "cc": ["office"], "printed": {"office": "justice", "date": "2024-04-08"},
    "tasks": [{"id": f"task{i}", "status": "done", "completed": "2024-03-20",
               "evidence": t(f"台账{i}份", f"{i} records")} for i in range(1, 13)]
             + [{"id": f"task{i}", "status": "in_progress" if i % 2 else "not_started"} for i in range(13, 47)],
    "preamble": [para(1)],
    "sections": [{"type": "achievements", "paragraphs": [para(2)]},
                 {"type": "next_steps", "paragraphs": [para(1)]}]},
      "An upward report (to the county government) with 签发人: the upward 版头, and a task table.")
