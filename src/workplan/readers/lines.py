"""The one intermediate every format reader produces: a list of source lines (paragraphs)
with the style hints the structure recogniser uses, and the text normalisation used for
matching (never for the text that is kept)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Line:
    """One paragraph of the source (a DOCX paragraph or table row, a rejoined PDF line, a TXT line)."""

    text: str
    line: int                       # 1-based: TXT line, DOCX body paragraph, PDF line of the extracted text
    page: int | None = None         # PDF page (1-based)
    bold: bool = False              # every visible run is bold
    centered: bool = False
    size: float | None = None       # largest font size in points
    heading: int | None = None      # 1.. from a Heading N style; 0 for the Title style
    list_level: int | None = None   # Word numbering level (numPr/ilvl)
    list_label: str | None = None   # the number Word would draw (not in the paragraph text)
    table: bool = False             # a table row (cells joined)
    meta: dict = field(default_factory=dict)


@dataclass
class Extracted:
    """What a format reader returns."""

    lines: list[Line]
    fmt: str                         # txt / docx / pdf
    pages: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # page numbers / running headers removed
    left_out: list[str] = field(default_factory=list)  # lines of the source left out on purpose (a table of contents)
    source: list[Line] = field(default_factory=list)  # every line before anything is left out (what coverage counts)


# --- matching form: one output character per input character, so offsets carry over ------
_TRAD = (
    "與与導导組组織织實实施施驟骤時时間间務务標标體体檢检查查獎奖懲惩關关於于發发轉转領领長长員员"
    "單单責责配配牽牵頭头階阶號号舉举障障範范圍围會会議议區区縣县鎮镇鄉乡街街辦办黨党員员設设傳传"
    "宣宣動动進进開开總总結结報报處处證证維维穩稳綜综治治衛卫災灾險险隱隐患患電电話话點点項项"
    "規规劃划計计劃划畫画類类個个們们為为無无從从來来對对這这應应該该將将當当爭争創创級级條条"
    "歲岁經经濟济據据據据產产業业優优勢势專专職职權权屬属護护確确認认識识練练習习學学歷历歸归"
    "齊齐態态營营門门戶户樓楼東东車车輛辆馬马鐵铁銷销錄录鍵键鏈链閱阅隊队陽阳陰阴雲云靜静響响"
    "頁页項项順顺須须顧顾風风飛飞養养館馆點点齡龄龍龙觀观記记許许設设訊讯訪访評评詢询試试詳详"
    "誌志說说調调論论諸诸謀谋謝谢講讲證证識识譜谱護护變变讓让豐丰貝贝負负財财貫贯質质貸贷費费"
    "資资賦赋賴赖趕赶跡迹踐践躍跃軍军軟软較较載载輔辅輕轻輸输轄辖辦办農农這这遠远適适遞递邊边"
    "鄰邻醫医釋释針针錯错鍛锻長长閉闭間间閑闲闆板際际陳陈隨随險险雖虽雙双雜杂離离難难韓韩額额"
    "願愿類类顯显飾饰餘余驗验體体髮发鬥斗麼么黃黄齊齐數数據据漢汉滅灭準准澤泽濟济災灾為为煙烟"
    "熱热爭争爾尔牆墙狀状獨独獲获現现環环產产畢毕異异療疗盡尽監监盤盘眾众碼码礎础禮礼種种稱称"
    "穩稳競竞築筑範范簡简節节糧粮約约紀纪紅红納纳紙纸級级統统絡络給给維维綱纲網网緊紧線线練练"
    "組组編编縣县績绩總总織织繼继續续罰罚義义習习聯联聲声職职膽胆與与舊旧興兴藝艺蘇苏處处虛虚"
    "衝冲補补裝装製制複复見见規规視视親亲覺觉覽览認认訓训託托計计討讨議议護护讀读貨货販贩購购"
    "賽赛趨趋躉趸車车軌轨輪轮轉转辭辞遲迟運运過过達达違违遺遗還还鄭郑酬酬醜丑釘钉鈴铃銀银錢钱"
    "鎮镇鐘钟門门閃闪問问闖闯陣阵陸陆隸隶雞鸡電电霧雾靈灵韋韦頂顶預预領领頻频題题顏颜願愿顆颗"
    "風风飯饭飲饮馬马駐驻騎骑驚惊魚鱼鳥鸟鹽盐麥麦黨党齒齿億亿價价儀仪優优兒儿內内兩两冊册凍冻"
    "則则劑剂勞劳勵励勢势勳勋匯汇區区協协參参雙双叢丛吳吴員员問问啟启單单嚴严園园圖图團团圍围"
    "執执堅坚報报場场塊块壞坏壓压壯壮夢梦奪夺奮奋婦妇孫孙寧宁審审寫写寬宽實实對对導导屆届層层"
    "歷历歲岁幹干廣广廠厂彈弹徵征徹彻恆恒惡恶態态慶庆憲宪應应懷怀戰战擔担據据擴扩擁拥擊击擬拟"
    "擇择攜携敵敌斷断於于時时晝昼暫暂曆历會会東东極极構构槍枪樂乐權权橫横機机檔档歡欢殘残殺杀"
    "氣气決决況况淨净淺浅減减測测湯汤溝沟滬沪滿满漁渔潔洁濕湿灣湾燈灯燒烧爐炉爲为牽牵獎奖玀猡"
    "瑪玛畝亩畫画當当疊叠癒愈發发盜盗確确禍祸禦御稅税穀谷窮穷競竞筆笔範范篩筛節节籌筹簽签籃篮"
    "罷罢羅罗聞闻膚肤臺台舉举艱艰莊庄葉叶蔣蒋蘭兰號号蟲虫術术衆众補补襲袭訂订計计訴诉詞词該该"
    "誠诚誤误請请諾诺謂谓譽誉讚赞貓猫貿贸賀贺賓宾賣卖賤贱質质賬账賞赏贊赞贏赢趙赵跡迹軒轩輝辉"
    "鬧闹鍋锅鎖锁錦锦鏡镜門门開开閣阁闊阔闡阐隴陇雇雇響响頒颁頓顿領领頭头頸颈頻频顧顾飄飘餐餐"
    "駕驾駛驶騰腾驅驱髒脏鬆松魯鲁鮮鲜鳳凤麗丽齋斋龜龟啓启彙汇衛卫並并佈布併并這这裡里週周"
)
_TRANS = {ord(a): b for a, b in zip(_TRAD[0::2], _TRAD[1::2])}
_TRAD_ONLY = dict(_TRANS)


def simplified(s: str) -> str:
    """Traditional characters as simplified (nothing else changed; same length as ``s``)."""
    return s.translate(_TRAD_ONLY)
for _c in range(0xFF01, 0xFF5F):
    _TRANS[_c] = chr(_c - 0xFEE0)  # full-width ASCII → ASCII
_TRANS.update({0x3000: " ", 0x3002: "。", 0x2014: "-", 0x2013: "-", 0x2015: "-", 0x2212: "-", 0xFF5E: "~",
               0x301C: "~", 0x3014: "(", 0x3015: ")", 0x3010: "(", 0x3011: ")", 0xFE50: ",", 0xFF0E: ".",
               0x00A0: " ", 0x3001: "、", 0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})


def ascii_form(s: str) -> str:
    """Simplified characters, ASCII punctuation and digits; same length as ``s``."""
    out = s.translate(_TRANS)
    return out if len(out) == len(s) else s


def match_form(s: str) -> str:
    """:func:`ascii_form` in lower case (for vocabulary look-ups)."""
    return ascii_form(s).lower()


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def guess_lang(texts: list[str]) -> str:
    han = sum(len(_HAN.findall(t)) for t in texts)
    latin = sum(len(_LATIN.findall(t)) for t in texts)
    return "zh" if han * 3 >= latin else "en"


_WIDE = set("—…“”‘’·")


def width_units(s: str) -> float:
    """Display width: CJK and full-width characters count 1, others ½."""
    return sum(1.0 if ord(c) > 0x2E7F or c in _WIDE else 0.5 for c in s)


_END = tuple("。！？；：:!?;…」”』\"")
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")
_SPACED = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def unspace_cjk(text: str) -> str:
    """Some PDF text layers put a space after every Chinese character: 指 导 思 想 → 指导思想."""
    han = len(_CJK_CHAR.findall(text))
    if han >= 4 and len(_SPACED.findall(text)) >= han * 0.6:
        return _SPACED.sub("", text)
    return text


def _join(a: str, b: str) -> str:
    if a.endswith("-") and a[-2:-1].isalpha() and b[:1].islower():
        return a[:-1] + b
    if _CJK_CHAR.match(a[-1:]) or _CJK_CHAR.match(b[:1]):
        return a + b
    return a + " " + b


def rejoin(lines: list[Line], *, only_if_wrapped: bool = False) -> list[Line]:
    """Join lines that a layout broke inside a sentence: the previous line is (nearly) full
    width, does not end a sentence, and the next one does not start with a number.
    ``only_if_wrapped``: do nothing unless many lines share the full width (hard-wrapped text)."""
    from .numbering import numbering
    body = [width_units(ln.text) for ln in lines if not ln.table and width_units(ln.text) > 8]
    if not body:
        return lines
    body.sort()
    full = body[int(len(body) * 0.9)]
    if only_if_wrapped:
        near = sum(1 for w in body if w >= full * 0.9)
        if near < max(5, len(body) * 0.3):
            return lines
    out: list[Line] = []
    prev_full = False
    for ln in lines:
        # (a line that starts indented begins a paragraph: never the rest of the one above;
        # a table-of-contents entry ends at its page number)
        if (out and prev_full and not ln.table and not out[-1].table and not out[-1].text.endswith(_END)
                and not ln.meta.get("indented") and not _TOC_ENTRY_END.search(out[-1].text)
                and numbering(ln.text) is None):
            out[-1].text = _join(out[-1].text, ln.text)
        else:
            out.append(ln)
        prev_full = width_units(ln.text) >= full * 0.85
    return out


_TOC_HEAD = re.compile(r"^(?:目\s*[录錄]|目\s*次|contents|table of contents)$", re.I)
_TOC_PAGE = re.compile(r"(?:[\t .…·．_\-—]{2,}|\t|\s)\s*\d{1,3}$|(?<=[\u4e00-\u9fff])\d{1,3}$")
_TOC_LEADER = re.compile(r"[.…·．_]{3,}")
# a page number as a page's furniture, in a text copied from a PDF: "— — — 2 —", "- 3 -", "第 2 页 共 5 页"
# (a bare number is not: it may be a table cell of a flattened table)
PAGE_MARK = re.compile(r"^(?:[-—–]\s*){1,4}\d{1,4}\s*(?:[-—–]\s*){1,4}$|^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$")
_TOC_ENTRY_END = re.compile(r"[.…·．_]{3,}\s*\d{0,3}$")


def strip_toc(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """A table of contents (目录 / Contents and the entries after it: headings with page numbers
    or dot leaders, or headings that the body repeats further on) is not the document: remove it.
    The table ends where the body starts: at the line that repeats its first entry, or at the
    first line that is no entry (too long, or neither paged nor repeated later)."""
    from .numbering import numbering
    for k, ln in enumerate(lines[:60]):  # noqa: B007 - k is where the contents start (used below)
        if _TOC_HEAD.match(ln.text.strip()) and not ln.table:
            break
    else:
        return lines, []

    def key(t: str) -> str:
        bare = _TOC_LEADER.sub("", _TOC_PAGE.sub("", t.strip())).strip()
        return re.sub(r"[\s\W_]", "", match_form(bare))
    last_at: dict[str, int] = {}
    for j in range(k + 1, len(lines)):
        last_at[re.sub(r"[\s\W_]", "", match_form(lines[j].text))] = j
    end = k + 1
    first_key = None
    while end < len(lines):
        t = lines[end].text.strip()
        bare = _TOC_LEADER.sub("", _TOC_PAGE.sub("", t)).strip()
        kk = key(t)
        if lines[end].table or not bare or not kk or width_units(bare) > 40:
            break
        if first_key is not None and kk == first_key and not (_TOC_PAGE.search(t) or _TOC_LEADER.search(t)):
            break  # the body starts with the first entry's heading
        paged = bool(_TOC_PAGE.search(t)) or bool(_TOC_LEADER.search(t))
        seen_later = last_at.get(kk, -1) > end  # repeated further on (not the line itself)
        nxt = lines[end + 1].text.strip() if end + 1 < len(lines) else ""
        if not (paged or seen_later) and numbering(t) is not None and _TOC_LEADER.search(nxt) \
                and numbering(nxt) is None and width_units(_TOC_LEADER.sub("", _TOC_PAGE.sub("", nxt))) <= 20:
            end += 2   # an entry wrapped before its dot leader: （二）实施…贮存处置 / 总量趋零增长……9
            continue
        if not (paged or seen_later):
            break
        if paged and not seen_later and not any(kk in x for x, j in last_at.items() if j > end):
            break  # "…2024" at the end of a sentence, not an entry
        if first_key is None:
            first_key = kk
        end += 1
    if end - k < 2:
        return lines, []
    return lines[:k] + lines[end:], [ln.text for ln in lines[k:end]]
