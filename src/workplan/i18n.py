"""Languages, the one table of terms, numbering styles and date formats.

:data:`TERMS` is the one place where every fixed text of every output gets its Chinese and
English form: section titles, roles and table headings (so every English document says "Lead
Unit" the same way), the report's terms (``report.*``), the annual volume's labels
(``volume.*``) and document kinds (``kind.*``), and the punctuation and small words the IR puts
between texts. One function, :func:`term`, reads it; writers get resolved text from the IR.
"""
from __future__ import annotations

import datetime as _dt
import re as _re

LANGS = ("zh", "en")
OUTPUT_LANGS = ("zh", "en", "zh-en")

# key -> (zh, en); "{name}" fields are filled by term(key, lang, name=...)
TERMS: dict[str, tuple[str, str]] = {
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
    # after the issuers' names in the 版头 (7.2.4); an English 版头 prints the names alone
    "issuer_mark_word": ("文件", "Document"),
    "task_matrix": ("任务分工表", "Division of Tasks"),
    "roster": ("领导小组成员名单", "Members of the Leading Group"),
    # the same for a group of another kind (GROUP_KINDS): {group} is its kind (工作专班 / Task Force)
    "group_roster": ("{group}成员名单", "Members of the {group}"),
    "group_office": ("{group}下设办公室", "The Office of the {group}"),
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
    # punctuation and small words between texts
    "colon": ("：", ":"),
    "label_gap": ("", " "),          # after a label's colon, between the lines of a title, …
    "paren_open": ("（", "("),
    "paren_close": ("）", ")"),
    "full_stop": ("。", "."),
    "sentence_ends": ("。：；！？", ".:;!?"),   # a sentence ending in one of these gets no full stop
    "list_sep": ("；", "; "),
    "member_sep": ("  ", ", "),               # a member's name, then unit and title
    "member_bit_sep": ("", ", "),
    "attachment_n": ("附件{n}", "Annex {n}"),
    "by_date": ("{date}前", "by {date}"),
    "from_date": ("{date}起", "from {date}"),
    "date_range": ("{start}—{end}", "{start} – {end}"),
    "group_intro": ("成立{name}，组成人员如下：", "A {name} is set up as follows:"),
    "office_phone": ("联系电话：{phone}。", " Phone: {phone}."),
    # a program's targets: "{indicator}{phrase}", the phrase by the target's operator
    "target_sentence": ("{indicator}{phrase}", "{indicator}: {phrase}"),
    "target.>=": ("达到{value}以上", "at least {value}"),
    "target.<=": ("控制在{value}以内", "at most {value}"),
    "target.=": ("为{value}", "exactly {value}"),
    "target.>": ("高于{value}", "above {value}"),
    "target.<": ("低于{value}", "below {value}"),
    "target.zero": ("为{value}", "{value}"),     # "at most 0"
    "target.none": ("为0", "none"),               # "at most 0", no unit
    "target_baseline": ("基期值{value}", "baseline {value}"),
    "target_due": ("到{date}，{sentence}", "{sentence}, by {date}"),
    "caption_figure": ("图{n}", "Figure {n}"),
    "caption_table": ("表{n}", "Table {n}"),
    # the progress report (render/report_ir.py)
    "report.overview": ("基本情况", "Overview"),
    "report.targets_progress": ("目标完成情况", "Attainment of Targets"),
    "report.tasks_progress": ("任务推进情况", "Progress of Tasks"),
    "report.phases_progress": ("阶段推进情况", "Progress of Phases"),
    "report.completion": ("完成情况", "Status"),
    "report.evidence": ("佐证材料", "Evidence"),
    "report.no_lead": ("未明确牵头单位", "No lead unit"),
    "report.done_late": ("逾期完成", "Done late"),
    "report.late": ("滞后", "Behind schedule"),
    "report.report_date": ("报告日期", "Report date"),
    "report.target_line": ("目标 100%", "Target 100%"),
    "report.fig_attainment": ("目标完成度", "Attainment of targets"),
    "report.fig_phases": ("阶段推进时间轴", "Timeline of phases"),
    "report.tab_targets": ("目标完成情况表", "Attainment of targets"),
    "report.tab_tasks": ("任务推进情况表（按牵头单位）", "Progress of tasks, by lead unit"),
    "report.undated": ("未定时间", "Undated"),
    "report.completed_on": ("完成日期", "Completed"),
    "report.not_due": ("未到期", "Not yet due"),
    # the annual volume (compile/)
    "volume.year": ("{year}年度", "{year}"),
    "volume.compiled_by": ("编制单位：", "Compiled by: "),
    "volume.compiled_on": ("编印日期：", "Date: "),
    "volume.extent": ("共收录文件{n}件，{pages}页", "{n} documents, {pages} pages"),
    "volume.extent_docs": ("共收录文件{n}件", "{n} documents"),
    "volume.contents": ("目　录", "Contents"),
    "volume.statistics": ("统　计", "Statistics"),
    "volume.catalogue": ("归档文件目录", "Archive Catalogue"),
    "volume.by_kind": ("一、按文种", "I. By kind"),
    "volume.by_unit": ("二、按单位", "II. By unit"),
    "volume.reports": ("三、工作总结目标任务完成情况", "III. Progress reports: targets and tasks"),
    "volume.kind": ("文种", "Kind"),
    "volume.unit": ("单位", "Unit"),
    "volume.docs": ("件数", "Documents"),
    "volume.pages": ("页数", "Pages"),
    "volume.total": ("合计", "Total"),
    "volume.title": ("题名", "Title"),
    "volume.targets_met": ("目标达标", "Targets met"),
    "volume.attainment": ("目标平均完成度", "Mean attainment"),
    "volume.tasks_done": ("任务完成", "Tasks done"),
    "volume.completion": ("任务完成率", "Completion rate"),
    "volume.overall": ("总体", "Overall"),
    "volume.reports_note": ("完成度按各报告归档数据计算：实际值与目标值之比，“≤”类指标达标计100%；平均值中每项目标以100%为上限。",
                     "Computed from each report's archived data: actual against target; a met “≤” target counts 100%; "
                     "in the means each target counts up to 100%."),
    "volume.no": ("序号", "No."),
    "volume.code": ("档号", "Archival code"),
    "volume.doc_number": ("文号", "Doc. number"),
    "volume.issuer": ("责任者", "Issuer"),
    "volume.date": ("日期", "Date"),
    "volume.remarks": ("备注", "Remarks"),
    "volume.page_note": ("页码为本汇编页号（每页上方外侧），各文件自身页码保持不变。",
                  "Page numbers are volume page numbers (top outer corner of each page); "
                  "each document keeps its own page numbers."),
    # document kinds in the volume
    "kind.program": ("工作方案", "Work programs"),
    "kind.standards": ("创建标准", "Creation standards"),
    "kind.report": ("工作总结", "Progress reports"),
    "kind.legacy": ("其他文件", "Other documents"),
    # the web site (workplan serve): web.<key>
    "web.site": ("创建档案查阅系统", "Creation Archive Reader"),
    "web.nav.search": ("检索", "Search"),
    "web.nav.label": ("主导航", "Main"),
    "web.skip": ("跳到正文", "Skip to the content"),
    "web.site.named": ("{name}档案查阅", "{name} Archive Reader"),
    "web.nav.compile": ("年度汇编", "Annual volume"),
    "web.nav.login": ("登录", "Sign in"),
    "web.nav.logout": ("退出", "Sign out"),
    "web.switch": ("English", "中文"),
    "web.search.placeholder": ("输入检索词，如：消防 检查", "Search terms, e.g. fire inspection"),
    "web.search.button": ("检索", "Search"),
    "web.search.help": ("多个词同时出现；\"加引号\" 检索短语；OR 任一；-排除；字段 年度:2023 单位:… 类别:工作方案；"
                        "档号、文号或题名直接打开该文件",
                "All words must occur; \"quotes\" for a phrase; OR for either; -word excludes; fields year:2023 unit:… "
                "kind:program; an archival code, document number or title opens that record"),
    "web.search.total": ("共 {total} 件", "{total} document(s)"),
    "web.search.about": ("约 {total} 件", "about {total} document(s)"),
    "web.search.range": ("第 {first}–{last} 件", "showing {first}–{last}"),
    "web.search.none": ("没有符合条件的文件。", "No documents match."),
    "web.search.all": ("全部档案", "The whole archive"),
    "web.search.clear": ("清除筛选", "Clear filters"),
    "web.search.warning": ("提示", "Note"),
    "web.search.title": ("档案检索", "Search the archive"),
    "web.search.filters": ("筛选", "Filters"),
    "web.search.chinese_only": ("另有 {n} 件文件没有英文文本，用不含汉字的检索词找不到：请用中文词检索",
                                "{n} document(s) have no English text, so words without Chinese characters cannot "
                                "find them: search for them with Chinese words"),
    "web.search.years": ("年度范围", "Years"),
    "web.search.years_from": ("起始年度", "From"),
    "web.search.years_to": ("终止年度", "To"),
    "web.search.years_apply": ("筛选", "Apply"),
    "web.search.sort": ("排序", "Order"),
    "web.search.sort.relevance": ("相关度", "Relevance"),
    "web.search.sort.newest": ("日期从新到旧", "Newest first"),
    "web.search.sort.oldest": ("日期从旧到新", "Oldest first"),
    "web.search.program": ("关于工作方案 {code} 的文件", "Documents on the program {code}"),
    "web.record.program": ("所报告的工作方案", "Reports on the program"),
    "web.record.reports": ("关于本方案的工作总结", "Reports on this program"),
    "web.record.reports_all": ("全部 {n} 件", "all {n}"),
    "web.record.links": ("相关文件", "Related documents"),
    "web.record.open_program": ("打开工作方案", "open the program"),
    "web.page.label": ("分页", "Pages"),
    "web.search.all_versions": ("包括已被替代的版本", "include superseded versions"),
    "web.search.more": ("另外 {n} 项", "{n} more"),
    "web.record.back": ("返回检索结果", "Back to the results"),
    "web.search.export_name": ("检索结果目录", "search results"),
    "web.search.export": ("导出目录", "Export the list"),
    "web.search.bad": ("检索式无法识别", "The query cannot be read"),
    "web.search.try": ("试试：", "Try:"),
    "web.facet.year": ("年度", "Year"),
    "web.facet.unit": ("单位", "Unit"),
    "web.facet.kind": ("类别", "Kind"),
    "web.facet.retention": ("保管期限", "Retention"),
    "web.facet.lang": ("语种", "Language"),
    "web.page.prev": ("上一页", "Previous"),
    "web.page.next": ("下一页", "Next"),
    "web.page.of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "web.kind.program": ("工作方案", "Work program"),
    "web.kind.standards": ("创建标准", "Standards"),
    "web.kind.report": ("工作总结", "Progress report"),
    "web.kind.legacy": ("其他文件", "Other document"),
    "web.retention.Y": ("永久", "Permanent"),
    "web.retention.D30": ("30年", "30 years"),
    "web.retention.D10": ("10年", "10 years"),
    "web.lang.zh": ("中文", "Chinese"),
    "web.lang.en": ("英文", "English"),
    "web.lang.zh-en": ("中英对照", "Bilingual"),
    "web.field.code": ("档号", "Archival code"),
    "web.field.title": ("题名", "Title"),
    "web.field.title_en": ("英文题名", "English title"),
    "web.field.doc_number": ("文号", "Document number"),
    "web.field.issuer": ("责任者", "Issuer"),
    "web.field.date": ("日期", "Date"),
    "web.field.kind": ("类别", "Kind"),
    "web.field.retention": ("保管期限", "Retention"),
    "web.field.langs": ("语种", "Languages"),
    "web.field.pages": ("页数", "Pages"),
    "web.field.units": ("涉及单位", "Units"),
    "web.field.identity": ("标识", "Identity"),
    "web.field.status": ("状态", "Status"),
    "web.field.archived_at": ("归档时间", "Archived"),
    "web.field.disposed_at": ("销毁时间", "Disposed"),
    "web.field.version": ("版本", "Version"),
    "web.status.active": ("现行", "current"),
    "web.status.superseded": ("已被替代", "superseded"),
    "web.status.disposed": ("已销毁", "disposed"),
    "web.record.versions": ("版本", "Versions"),
    "web.record.current": ("现行版本", "current version"),
    "web.record.files": ("文件", "Files"),
    "web.record.files_of": ("第 {version} 版的文件", "Files of version {version}"),
    "web.record.role": ("用途", "Role"),
    "web.record.hash_show": ("完整哈希值", "full hash"),
    "web.record.older": ("第 {version} 版（{status}）的文件", "Files of version {version} ({status})"),
    "web.record.untranslated": ("无英文文本", "no English text"),
    "web.record.events_more": ("显示全部 {n} 条审计记录", "Show all {n} events"),
    "web.record.events_recent": ("最近 {n} 条", "the latest {n}"),
    "web.record.notfound": ("档案中没有档号为 {code} 的文件。", "The archive holds no record with the code {code}."),
    "web.record.notfound_hint": ("请核对档号，或用检索查找。", "Check the code, or find the record with the search."),
    "web.record.didyoumean": ("是否要找 {code}？", "Did you mean {code}?"),
    "web.record.preview_old": ("预览的是第 {version} 版（已被替代）。", "This preview shows version {version} (superseded)."),
    "web.record.preview_this": ("预览此版本", "preview this version"),
    "web.record.fields": ("著录项", "Description"),
    "web.finding.hash-mismatch": ("{file}：内容与归档时记录的哈希值不一致", "{file}: its content no longer matches the hash it was archived with"),
    "web.finding.missing-file": ("{file}：文件缺失", "{file}: the file is missing"),
    "web.finding.bag-mismatch": ("{file}：与归档包清单不一致", "{file}: it does not agree with the bag's manifest"),
    "web.finding.catalogue-mismatch": ("{file}：目录中的哈希值与归档包清单不一致", "{file}: the catalogue's hash differs from the bag's manifest"),
    "web.finding.record-without-bag": ("{file}：归档包缺失", "{file}: the bag is missing"),
    "web.finding.unreadable": ("{file}：无法读取", "{file}: it cannot be read"),
    "web.finding.symlink": ("{file}：是符号链接，不是归档文件", "{file}: a symbolic link, not an archived file"),
    "web.finding.stray": ("{file}：不是本系统写入的文件", "{file}: not a file written by workplan"),
    "web.role.source": ("数据文件", "Data file"),
    "web.role.pdf": ("PDF", "PDF"),
    "web.role.docx": ("Word 文件", "Word file"),
    "web.role.original": ("原件", "Original"),
    "web.role.preview": ("原件的PDF版", "PDF of the original"),
    "web.role.metadata": ("元数据", "Metadata"),
    "web.role.text": ("文本", "Text"),
    "web.record.size": ("大小", "Size"),
    "web.record.download": ("下载", "Download"),
    "web.record.preview": ("预览", "Preview"),
    "web.record.preview_none": ("此文件没有PDF版本可供预览。", "This document has no PDF to preview."),
    "web.record.preview_fallback": ("浏览器无法显示PDF时，请下载：", "If your browser cannot show the PDF, download it:"),
    "web.record.events": ("审计记录", "Audit trail"),
    "web.record.event": ("事件", "Event"),
    "web.record.time": ("时间", "Time"),
    "web.record.outcome": ("结果", "Outcome"),
    "web.record.agent": ("操作者", "Agent"),
    "web.record.json": ("JSON 数据", "JSON data"),
    "web.event.init": ("建立档案库", "archive created"),
    "web.event.ingestion": ("归档", "archived"),
    "web.event.new-version": ("新版本归档", "new version"),
    "web.event.rebuild-catalogue": ("重建目录", "catalogue rebuilt"),
    "web.event.fixity-check": ("完整性检查", "fixity check"),
    "web.event.disposal": ("销毁", "disposal"),
    "web.event.replication": ("复制", "replication"),
    "web.event.export": ("移交导出", "export"),
    "web.outcome.success": ("成功", "success"),
    "web.outcome.failure": ("失败", "failure"),
    "web.fixity.title": ("完整性检查", "Fixity check"),
    "web.fixity.explain": ("重新计算本件所有版本文件的 SHA-256 并与归档清单核对；检查结果记入审计记录。",
                "Recomputes the SHA-256 of every file of every version and compares it with the bag's manifest; the check is recorded in the audit trail."),
    "web.fixity.button": ("运行完整性检查", "Run a fixity check"),
    "web.fixity.ok": ("完整：所有文件与归档时的哈希值一致。", "Intact: every file matches the hash it was archived with."),
    "web.fixity.bad": ("发现 {n} 个问题：", "{n} problem(s) found:"),
    "web.fixity.damaged_tag": ("完整性检查未通过", "failed its fixity check"),
    "web.fixity.withheld": ("此件在 {when} 的完整性检查（审计记录 #{event}）中未通过，其文件不予提供。发现的问题：",
                            "This record failed its fixity check of {when} (event #{event}); its files are not "
                            "handed out. What was found:"),
    "web.fixity.damaged": ("此件未通过最近一次完整性检查（{when}，审计记录 #{event}）：",
                           "This record failed its last fixity check ({when}, event #{event}):"),
    "web.fixity.last_ok": ("最近一次检查：{when}，完整（审计记录 #{event}）。", "Last checked {when}: intact (event #{event})."),
    "web.fixity.never": ("尚未单独检查过。", "Not checked on its own yet."),
    "web.fixity.event": ("已记入审计记录 #{id}。", "Recorded as event #{id} in the audit trail."),
    "web.compile.title": ("年度汇编", "Annual volume"),
    "web.compile.explain": ("选择年度和筛选条件，生成汇编（封面、目录、统计、归档文件目录及各文件原样页面）。生成前核对每件文件的完整性；任何一件不完整则不生成。",
                "Choose a year and filters to make the volume (cover, contents, statistics, catalogue and every document's archived pages). Every record is fixity-checked first; if one fails, no volume is made."),
    "web.compile.year": ("年度", "Year"),
    "web.compile.unit": ("单位（可选）", "Unit (optional)"),
    "web.compile.kind": ("类别（可选）", "Kind (optional)"),
    "web.compile.any": ("全部", "any"),
    "web.compile.format": ("格式", "Format"),
    "web.compile.lang": ("汇编语言", "Volume language"),
    "web.compile.button": ("生成汇编", "Make the volume"),
    "web.compile.noyears": ("档案中还没有文件。", "The archive holds no documents yet."),
    "web.job.title": ("汇编任务", "Volume job"),
    "web.job.queued": ("排队中…", "Waiting…"),
    "web.job.running": ("正在生成…", "Being made…"),
    "web.job.done": ("已完成", "Done"),
    "web.job.failed": ("未生成", "Not made"),
    "web.job.download": ("下载汇编", "Download the volume"),
    "web.job.summary": ("{documents} 件文件，共 {pages} 页", "{documents} document(s), {pages} page(s)"),
    "web.job.again": ("重新选择", "Make another"),
    "web.job.refresh": ("刷新状态", "Refresh the status"),
    "web.login.title": ("登录", "Sign in"),
    "web.login.explain": ("此站点需要访问令牌。", "This site needs an access token."),
    "web.login.token": ("访问令牌", "Access token"),
    "web.login.button": ("登录", "Sign in"),
    "web.login.wrong": ("令牌不正确。", "That token is not right."),
    # people and roles (archive.accounts): sign-in by account, what a role may not do
    "web.login.explain_accounts": ("请用您的账户登录。", "Sign in with your account."),
    "web.login.single_user": ("单用户模式：此站点只有一个共用的访问令牌。", "Single-user mode: this site has one shared access token."),
    "web.login.name": ("账户名", "Account name"),
    "web.login.password": ("密码", "Password"),
    "web.login.wrong_account": ("账户名或密码不正确。", "That name or password is not right."),
    "web.diff.title": ("版本差异", "What changed"),
    "web.diff.between": ("第 {a} 版 → 第 {b} 版", "version {a} → version {b}"),
    "web.diff.what": ("对象", "Where"),
    "web.diff.field": ("字段", "Field"),
    "web.diff.old": ("原值", "Before"),
    "web.diff.new": ("新值", "After"),
    "web.diff.same": ("数据相同。", "The data is the same."),
    "web.diff.nodata": ("两个版本并非都有数据文件：只比较了文件。", "Not both versions have a data file: only the files are compared."),
    "web.diff.files": ("文件变化", "Files that differ"),
    "web.diff.text.title": ("正文对照", "The text side by side"),
    "web.diff.text.link": ("对照两个版本的正文", "Compare the text of the two versions"),
    "web.diff.text.none": ("两个版本没有相同的PDF文本可比较。", "The two versions have no PDF rendition in common to compare."),
    "web.diff.text.same": ("正文相同。", "The text is the same."),
    "web.diff.link": ("与上一版比较", "Compare with the previous version"),
    "web.diff.change.added": ("新增", "added"),
    "web.diff.change.removed": ("删除", "removed"),
    "web.diff.change.changed": ("修改", "changed"),
    "web.record.person": ("人员", "Who"),
    "web.record.reason": ("原因", "Why"),
    "web.event.sign-in": ("登录", "sign-in"),
    "web.event.sign-in-failed": ("登录失败", "failed sign-in"),
    "web.event.sign-out": ("退出", "sign-out"),
    "web.event.account-added": ("新增账户", "account added"),
    "web.event.account-role": ("变更角色", "role changed"),
    "web.event.account-disabled": ("停用账户", "account disabled"),
    "web.nav.person": ("{person}（{role}）", "{person} ({role})"),
    "web.role.clerk": ("文书", "clerk"),
    "web.role.archivist": ("档案员", "archivist"),
    "web.role.auditor": ("审计员", "auditor"),
    "web.role.administrator": ("管理员", "administrator"),
    "web.action.read": ("查阅档案", "read the archive"),
    "web.action.verify": ("进行完整性检查", "run fixity checks"),
    "web.action.download": ("下载文件", "download files"),
    "web.action.compile": ("生成年度汇编", "compile volumes"),
    "web.action.add": ("归档文件", "add records"),
    "web.action.dispose": ("销毁档案", "dispose of records"),
    "web.via.web": ("网页", "web"),
    "web.via.cli": ("命令行", "command line"),
    "web.action.version": ("添加新版本", "add new versions"),
    "web.change.version_title": ("添加新版本", "Add a new version"),
    "web.change.version_explain": ("上传此件修改后的数据文件：它须是同一份文件（同一发文机关和文号），将按现行版本的语种和格式生成，现行版本保留并标为已替代。",
                                   "Upload the changed data file of this record: it must be the same document (same issuer and document number); it is built in the languages and formats of the current version, which is kept, marked superseded."),
    "web.change.file": ("数据文件", "Data file"),
    "web.change.file_types": ("数据文件的格式：", "A data file is one of:"),
    "web.change.reason": ("原因（必填）", "Reason (required)"),
    "web.change.version_reason_help": ("改了什么、为什么改；记入审计记录。", "What changed and why; kept in the audit trail."),
    "web.change.version_button": ("添加新版本", "Add the new version"),
    "web.change.version_link": ("添加新版本", "Add a new version"),
    "web.change.dispose_link": ("销毁", "Dispose of it"),
    "web.change.dispose_title": ("销毁档案", "Dispose of a record"),
    "web.change.dispose_explain": ("销毁将删除此件所有版本的文件，只保留记载其著录项和哈希值的销毁记录。此操作不可撤销。",
                                   "Disposal removes the files of every version of this record; a tombstone keeps their description and hashes. It cannot be undone."),
    "web.change.dispose_reason_help": ("鉴定结论及批准人；记入销毁记录和审计记录。", "The appraisal decision and who approved it; kept in the tombstone and the audit trail."),
    "web.change.dispose_confirm": ("我确认销毁 {code} 的全部版本", "I confirm the disposal of every version of {code}"),
    "web.change.dispose_button": ("销毁", "Dispose"),
    "web.change.expires": ("保管期限（{retention}）自 {date} 起，至 {end} 届满。", "The retention period ({retention}) from {date} ends on {end}."),
    "web.change.not_expired": ("保管期限未满，{end} 之后方可销毁。", "The retention period has not ended: it can be disposed of after {end}."),
    "web.change.permanent": ("永久保存的档案不能销毁。", "A record kept permanently is never disposed of."),
    "web.change.not_active": ("此件已销毁，不能再更改。", "This record has been disposed of: it cannot change."),
    "web.change.no_file": ("请选择要上传的数据文件。", "Choose the data file to upload."),
    "web.change.no_confirm": ("请勾选确认框。", "Tick the box to confirm."),
    "web.change.no_reason": ("请填写原因。", "Give the reason."),
    "web.change.refused": ("未作更改：", "Nothing was changed:"),
    "web.change.added": ("已添加第 {version} 版。", "Version {version} was added."),
    "web.change.disposed": ("已销毁。", "The record was disposed of."),
    "version.not_active": ("{code} 已销毁，不能添加新版本", "{code} was disposed of: it takes no new versions"),
    "version.no_reason": ("新版本须说明原因；未作更改", "a new version needs a reason; nothing was changed"),
    "version.no_reason_hint": ("写明改了什么、为什么改", "say what changed and why"),
    "version.not_data": ("{name} 不是数据文件（.yaml、.yml 或 .json）", "{name} is not a data file (.yaml, .yml or .json)"),
    "version.not_data_hint": ("上传此件的数据文件；其他文件用 `workplan archive add` 归档",
                              "upload the record's data file; archive other files with `workplan archive add`"),
    "version.other_document": ("{name} 是另一份文件（{title}），不是 {code} 的新版本",
                               "{name} is another document ({title}), not a new version of {code}"),
    "version.other_document_hint": ("新版本须与此件的发文机关和文号相同；另一份文件请作为新档案归档",
                                    "a new version has the same issuer and document number; archive another document as a new record"),
    "web.refused.role": ("{person}（{role}）无权{action}。可以这样做的角色：{roles}。如需此权限，请联系管理员。",
                         "{person} ({role}) may not {action}. The roles that may: {roles}. Ask an administrator "
                         "if you need to."),
    "web.error.400": ("请求有误", "Bad request"),
    "web.error.401": ("需要登录", "Sign-in required"),
    "web.error.403": ("禁止访问", "Forbidden"),
    "web.error.404": ("未找到", "Not found"),
    "web.error.405": ("不支持的请求方法", "Method not allowed"),
    "web.error.409": ("无法执行", "Conflict"),
    "web.error.413": ("请求过大", "Request too large"),
    "web.error.414": ("网址过长", "Address too long"),
    "web.error.429": ("请求过多", "Too many requests"),
    "web.error.500": ("服务器内部错误", "Internal error"),
    "web.error.503": ("暂时无法处理", "Busy"),
    "web.error.back": ("返回检索", "Back to search"),
    "web.error.internal": ("出现了意外错误，已记录在服务器日志中。请稍后再试。",
                "Something unexpected went wrong; it was logged on the server. Please try again."),
    "web.param.year_of": ("{name}：一个四位数的年份，如 2023", "{name}: a year of four digits, e.g. 2023"),
    "web.param.too_many": ("{name}：最多 {n} 个值", "{name}: at most {n} values"),
    "web.param.text": ("{name}：应为文字", "{name}: a text value"),
    "web.param.too_long": ("{name}：最多 {n} 个字符", "{name}: at most {n} characters"),
    "web.param.control": ("{name}：不能含有控制字符", "{name}: control characters are not allowed"),
    "web.param.choice": ("{name}：应为以下之一：{choices}", "{name}: one of {choices}"),
    "web.param.whole": ("{name}：应为 {lo} 到 {hi} 之间的整数", "{name}: a whole number from {lo} to {hi}"),
    "web.param.year": ("year：一个年份或范围，如 2023 或 2021-2023", "year: a year or a range, e.g. 2023 or 2021-2023"),
    "web.param.code": ("不是档号（应如 J001-WS·2024-D30-BGS-0001）", "not an archival code (e.g. J001-WS·2024-D30-BGS-0001)"),
    "web.param.role": ("不是文件用途（应如 pdf:zh）", "not a file role (e.g. pdf:zh)"),
    "web.param.job": ("不是汇编任务编号", "not a job id"),
    "web.param.json": ("请求内容不是有效的 JSON：请发送一个 JSON 对象，如 {example}",
                       "the body is not valid JSON: send one JSON object, e.g. {example}"),
    "web.param.json_object": ("请以 JSON 对象发送选项，如 {example}", "send the options as a JSON object, e.g. {example}"),
    "web.param.json_flat": ("选项应为名称和值组成的单层 JSON 对象", "the options are a flat JSON object of names and values"),
    "web.param.required": ("{name}：必须填写", "{name}: required"),
    "web.refused.host": ("此站点不接受这个主机名：请用 workplan serve 显示的地址打开（或以 --allow-host 名称启动）",
                         "this site does not answer to that host name: open it by the address `workplan serve` "
                         "printed (or start it with --allow-host NAME)"),
    "web.refused.origin": ("表单不是从本站页面提交的：请在本站打开页面后重新提交",
                           "the form did not come from this site: open the page on this site and send it again"),
    "web.refused.csrf": ("表单已过期或不是从本站提交的：请刷新页面后重试",
                         "the form has expired or did not come from this site: reload the page and try again"),
    "web.refused.body": ("请求内容最多 {kb} KB", "at most {kb} KB"),
    "web.refused.url": ("网址过长", "the address is too long"),
    "web.refused.fixity": ("本机的完整性检查过于频繁：请一分钟后再试",
                           "too many fixity checks from this computer: wait a minute and try again"),
    "web.refused.login": ("输错次数过多：请 {s} 秒后再试", "too many wrong attempts: try again in {s} s"),
    "web.refused.busy": ("已有两本汇编正在生成：请等其中一本完成", "two volumes are being made already: wait for one to finish"),
    "web.error.notfound": ("没有这个页面。", "There is no such page."),
    # the search query language's messages (workplan search prints the English; the site shows either)
    # the search's warnings (workplan search prints the English; the site shows either)
    "search.warn.no_unit": ("索引中没有与 {value} 相符的单位", "no unit in the index matches {value}"),
    "search.warn.no_unit_close": ("索引中没有与 {value} 相符的单位；是否要找 {close}？",
                                  "no unit in the index matches {value}; did you mean {close}?"),
    "search.warn.stale": ("检索索引落后于档案（{why}）：结果可能不是最新的；运行 `workplan search reindex` 从档案重建索引",
                          "the search index is behind the archive ({why}): results may be out of date; "
                          "run `workplan search reindex` to rebuild it from the archive"),
    # the annual volume's refusals and warnings (workplan compile prints the English; the site shows either)
    "compile.refuse.no_records": ("没有符合条件（{filters}）的归档文件（见 `workplan archive list`）",
                                  "no archived records match {filters} (see `workplan archive list`)"),
    "compile.refuse.no_records.hint": ("请核对年度、单位和类别：汇编只收已归档的文件",
                                       "check the year, unit and kind; a volume is only made from archived documents"),
    "compile.refuse.fixity": ("{code}（{title}）未通过完整性检查：{problem}",
                              "record {code} ({title}) failed its fixity check: {problem}"),
    "compile.refuse.not_written": ("汇编没有生成：汇编只收完好的文件",
                                   "the volume was not written: a compilation only includes intact records"),
    "compile.refuse.not_written.hint": ("运行 `workplan archive verify` 查看详情，并从备份恢复受损文件，"
                                        "或用 --unit/--kind 不收该文件",
                                        "run `workplan archive verify` for details and restore the damaged files from "
                                        "a backup, or leave the record out with --unit/--kind"),
    "compile.refuse.no_english_name": ("汇编单位“{compiler}”没有英文名称（英文汇编的题名和封面需要）",
                                       "no English name for the compiling unit '{compiler}' (the English volume's "
                                       "title and cover)"),
    "compile.refuse.no_english_name.hint": ("用 --compiler 'Jiangbei County ...' 给出（或在 archive.json 中为档案馆"
                                            "设置一次 \"fonds_name_en\"），或用 --title 给出整个题名",
                                            "give it with --compiler 'Jiangbei County ...' (or once for the archive: "
                                            "\"fonds_name_en\" in archive.json), or the whole title with --title"),
    "compile.warn.no_rendition": ("{code}（{title}）没有{what}文本：列入目录，但不收入正文页",
                                  "{code} ({title}) has no {what} rendition; it is listed but its pages are not included"),
    "compile.warn.no_report_data": ("{code}：工作总结没有存档的数据文件，不计算其完成情况",
                                    "{code}: the report has no archived data file; its attainment is not counted"),
    "compile.warn.report_unreadable": ("{code}：无法读取工作总结的数据（{problem}），不计算其完成情况",
                                       "{code}: cannot read the report data ({problem}); its attainment is not counted"),
    "query.at": ("检索式第 {at} 个字处", "at character {at}"),
    "query.not_year": ("{value} 不是年份", "{value} is not a year"),
    "query.not_year.hint": ("写一个年份（2023）或一个范围（2021-2023）", "write a year (2023) or a range (2021-2023)"),
    "query.year_backwards": ("年份范围 {value} 的终止年早于起始年", "the year range {value} ends before it starts"),
    "query.year_backwards.hint": ("写作 {hi}-{lo}", "write {hi}-{lo}"),
    "query.unknown_field": ("没有“{name}”这个字段", "unknown field '{name}'"),
    "query.unknown_field.hint": ("可用字段：年度、单位、类别、保管期限、语种、档号、题名、责任者、方案（也可写 {fields}）；"
                                 "要按原文检索，请加引号",
                                 "fields: {fields}; to search for the text literally, put it in quotes"),
    "query.needs_value": ("“{name}:” 后面需要一个值", "'{name}:' needs a value"),
    "query.field.year": ("年度:年份或范围，如 年度:2023、年度:2021-2023", "year: a year or a range: year:2023, year:2021-2023"),
    "query.field.unit": ("单位:单位代号或（部分）中文名称，如 单位:消防大队",
                         "unit: a unit id or (part of) its Chinese name: unit:fire_station, unit:消防大队"),
    "query.field.kind": ("类别:工作方案、创建标准、工作总结或其他文件", "kind: one of program, standards, report, legacy"),
    "query.field.retention": ("保管期限:永久、30年或10年", "retention: one of Y (永久), D30, D10"),
    "query.field.lang": ("语种:中文或英文（有该语种文本的文件）", "lang: zh or en: documents that have text in that language"),
    "query.field.code": ("档号:完整的档号", "code: an archival code, exactly"),
    "query.field.title": ("题名:题名中的词或短语，如 题名:防火", "title: words or a phrase in the title: title:防火"),
    "query.field.issuer": ("责任者:责任者名称中的词，如 责任者:社区", "issuer: words in the issuer's name: issuer:社区"),
    "query.field.program": ("方案:工作方案的档号（找出关于它的工作总结）", "program: a program's archival code: the reports on it"),
    "query.unknown_kind": ("没有 {value} 这个类别", "unknown kind {value}"),
    "query.unknown_kind.hint": ("类别：工作方案、创建标准、工作总结、其他文件", "kinds: program, standards, report, legacy"),
    "query.unknown_retention": ("没有 {value} 这个保管期限", "unknown retention {value}"),
    "query.unknown_retention.hint": ("保管期限：永久、30年或10年", "retention: Y (永久), D30 or D10"),
    "query.unknown_lang": ("没有 {value} 这个语种", "unknown language {value}"),
    "query.unknown_lang.hint": ("语种：中文或英文", "lang: zh or en"),
    "query.lone_minus": ("单独的“-”不排除任何内容", "a lone '-' excludes nothing"),
    "query.lone_minus.hint": ("要排除一个词，写 -词（减号后不空格），如：消防 -演练",
                              "write -word to exclude a word (no space after the minus), e.g. fire -drill"),
    "query.not_option": ("这里不能用“{option}”", "'{option}' is not an option here"),
    "query.not_option.hint": ("在检索式中写字段，如 年度:2023 类别:工作方案；或使用页面上的筛选",
                              "options go before or after the query words: --year, --unit, --kind, "
                              "--retention, --lang, --all-versions, --limit, --json"),
    "query.unbalanced_quote": ("引号不成对：短语开始后没有结束", "unbalanced quote: a phrase is opened but never closed"),
    "query.unbalanced_quote.hint": ("用配对的引号结束短语，如：\"消防安全\"",
                                    "close the phrase with a matching quote, e.g. \"fire safety\""),
    "query.empty_phrase": ("空短语 \"\"", "empty phrase \"\""),
    "query.empty_phrase.hint": ("在引号之间写上词语，如：\"消防安全\"", "put the words between the quotes, e.g. \"fire safety\""),
    "query.only_punctuation": ("{value} 只有标点，没有可检索的内容", "{value} has nothing to search for (only punctuation)"),
    "query.only_punctuation.hint": ("请检索词语或字；标点和空格会被忽略",
                                    "search for words or characters; punctuation and spaces are ignored"),
    "query.or_start": ("检索式开头的 OR 左边没有词", "OR at the start of the query has nothing on its left"),
    "query.or_end": ("检索式末尾的 OR 右边没有词", "OR at the end of the query has nothing on its right"),
    "query.or_or": ("连续两个 OR", "OR OR: two ORs in a row"),
    "query.or.hint": ("OR 写在两个词之间：消防 OR 防火", "write OR between two words: fire OR flood"),
    "query.or_not": ("排除项（-词）不能作为 OR 的一边", "an exclusion (-word) cannot be one side of OR"),
    "query.or_not.hint": ("把排除项单独写：消防 OR 防火 -演练", "exclude it on its own: fire OR flood -drill"),
}


# the terms that are spacing, blank (or empty) in a language
SEPARATORS = frozenset({"label_gap", "member_sep", "member_bit_sep"})


def term(key: str, lang: str, **fields: object) -> str:
    """The text of ``key`` in ``lang`` (English for "en", Chinese for "zh" and "zh-en"), with
    ``{field}`` placeholders filled from ``fields``."""
    zh, en = TERMS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


class Said(str):
    """A message of the language table, as a string in English (what the CLI prints and the JSON
    carries) that can be said again in another language: ``said.say("zh")``."""

    key: str
    values: dict

    def __new__(cls, key: str, **values: object) -> "Said":
        self = super().__new__(cls, term(key, "en", **values))
        self.key, self.values = key, values
        return self

    def say(self, lang: str) -> str:
        return term(self.key, lang, **self.values)

    def __reduce__(self):  # pickled as its key and values (a child process's refusal travels back)
        return (_said_again, (self.key, self.values))


def _said_again(key: str, values: dict) -> Said:
    return Said(key, **values)


def said(message: object, lang: str) -> str:
    """A message in ``lang`` when it is a :class:`Said`, else as it is."""
    return message.say(lang) if isinstance(message, Said) else str(message)


def quantity(number: str, unit: str, lang: str) -> str:
    """A number with its unit: English puts a space between them, except before % (5 cases, 95%);
    Chinese none (5起)."""
    space = " " if lang == "en" and unit not in ("", "%") else ""
    return f"{number}{space}{unit}"


def language_tag(lang: str, *, region: bool = False) -> str:
    """The BCP 47 tag of an output language: zh and zh-en → zh-CN; en → en (en-US with ``region``)."""
    if lang == "en":
        return "en-US" if region else "en"
    return "zh-CN"


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


def article_number(kind: str, n: int, lang: str) -> str:
    """The label of the n-th chapter or article of a regulations-style document: 第一章 / 第一条
    (a full-width space before the text) or Chapter 1 / Article 1."""
    if lang == "en":
        return f"{'Chapter' if kind == 'chapter' else 'Article'} {n} "
    return f"第{zh_number(n)}{'章' if kind == 'chapter' else '条'}\u3000"


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


# --- groups -----------------------------------------------------------------------------
# What a group is called in the fixed wording ("领导小组下设办公室", the roster's title), by the end
# of its own name: a 工作专班 is not a 领导小组. Longest first; a name ending otherwise is a 领导小组.
GROUP_KINDS: tuple[tuple[str, str], ...] = (
    ("领导小组", "Leading Group"), ("工作专班", "Task Force"), ("专班", "Task Force"),
    ("指挥部", "Headquarters"), ("工作组", "Working Group"), ("委员会", "Committee"),
)


def group_kind(zh_name: str | None, lang: str) -> str:
    """领导小组 / 工作专班 / … (Leading Group / Task Force / …) from a group's Chinese name."""
    for zh, en in GROUP_KINDS:
        if zh_name and zh_name.strip().endswith(zh):
            return en if lang == "en" else zh
    return GROUP_KINDS[0][1] if lang == "en" else GROUP_KINDS[0][0]


# --- typography --------------------------------------------------------------------------
_OPENS_AFTER = set(" \t\n([{“‘—–/-") | {"\u00a0"}


def typographic_quotes(text: str) -> str:
    """English text with typographic quotes and apostrophes: ' → ’ (don't, Liu'an, residents')
    or ‘ where a quotation opens; " → “ or ” by the same rule. A quote opens at the start, or
    after a space, an opening bracket, a dash or another opening quote."""
    if "'" not in text and '"' not in text:
        return text
    out: list[str] = []
    prev = ""
    for i, c in enumerate(text):
        if c == "'":
            elided_year = text[i + 1:i + 3].isdigit()  # '90s
            c = "‘" if (not prev or prev in _OPENS_AFTER) and not elided_year else "’"
        elif c == '"':
            c = "“" if (not prev or prev in _OPENS_AFTER) else "”"
        out.append(c)
        prev = c
    return "".join(out)


_PHONE = _re.compile(r"(?<![0-9A-Za-z.])\(?\+?\d[\d()-]*(?: \(?\d[\d()-]*)+(?![0-9A-Za-z]|\.\d)")
NBSP = "\u00a0"


def phones_kept_together(text: str) -> str:
    """Phone numbers whose groups are separated by spaces ("0571 8888 1234", "139 0851 2234",
    "(0851) 522 1234") get no-break spaces between their groups, so no writer breaks a line inside
    one. A run counts as a phone number when it has 7 to 15 digits in groups of two or more."""
    if " " not in text:
        return text

    def fix(m: "_re.Match[str]") -> str:
        run = m.group()
        digits = sum(c.isdigit() for c in run)
        groups = run.split(" ")
        if 7 <= digits <= 15 and all(sum(c.isdigit() for c in g) >= 2 for g in groups):
            return run.replace(" ", NBSP)
        return run
    return _PHONE.sub(fix, text)
