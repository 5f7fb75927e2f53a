"""Import test documents, written for this project in the styles of real programs (see
/work/shared/reference/README.md): each case is a list of blocks that generate.py renders as
TXT, DOCX (python-docx) and PDF (LibreOffice from the DOCX), and the expected outline.

Blocks:
  ("title", text)                     centred, large, bold
  ("line", text)                      a front/back line (document number, recipients, signature, date)
  ("para", text)                      a body paragraph
  ("h1", type, label, heading, runin[, n]) a top-level heading; ``label`` its number as typed
                                      ("一、", "One, ", "" for none); ``runin`` text glued to it;
                                      ``n`` the items expected when the run-in text holds them
                                      (targets stated in one sentence)
  ("h2", label, heading, text)        a numbered item (heading may be "")
  ("h3", label, heading, text)        a deeper item
  ("table", [[cell, ...], ...])       a table (DOCX/PDF; TXT writes rows with tabs)
Options per case: heading_style (DOCX Heading 1/2 styles), bold_h1 (headings in bold),
trad (traditional characters written directly in the texts).
"""

CASES: dict[str, dict] = {}

CASES["runin_headings"] = {
    "lang": "zh",
    "blocks": [
        ("title", "青禾镇2024年农村道路交通安全整治工作方案"),
        ("line", "青禾镇发〔2024〕7号"),
        ("line", "各村委会、镇直各单位："),
        ("para", "为减少农村道路交通事故，保护群众出行安全，根据县道路交通安全委员会的统一部署，结合我镇情况，特制定本方案。"),
        ("h1", "ideology", "一、", "指导思想", "坚持人民至上，把农村道路交通安全摆在突出位置，源头防范与集中整治相结合，切实压降事故总量。"),
        ("h1", "objectives", "二、", "工作目标", "通过半年整治，农村道路交通秩序明显好转。"),
        ("h2", "（一）", "", "农村道路交通事故起数同比下降10%"),
        ("h2", "（二）", "", "群众交通安全知晓率达90%以上"),
        ("h1", "leadership", "三、", "组织领导", "镇里成立农村道路交通安全整治工作领导小组。"),
        ("para", "组长：周文涛（镇长）"),
        ("para", "副组长：王海燕（副镇长）、李建民（派出所所长）"),
        ("para", "成员：孙立、钱芳、吴晓东"),
        ("h1", "tasks", "四、", "主要任务", ""),
        ("h2", "（一）", "排查道路隐患", "对辖区急弯陡坡、临水临崖路段逐条排查，建立隐患清单，限期完成整改。（此项由镇安监站牵头，各村委会、镇交管站配合）"),
        ("h2", "（二）", "整治突出违法", "重点查处农用车违法载人、无证驾驶和酒后驾驶行为，每月至少开展两次集中行动。（此项由镇派出所牵头，镇交管站配合）"),
        ("h2", "（三）", "加强宣传教育", "利用赶集日、村广播和微信群宣传交通安全常识，组织学校开展一次主题班会。（此项由镇宣传办牵头，镇中心校、各村委会配合）"),
        ("h1", "phases", "五、", "实施步骤", ""),
        ("h2", "（一）", "动员部署阶段（2024年3月1日—3月15日）", "召开动员会，印发方案，明确分工。"),
        ("h2", "（二）", "集中整治阶段（2024年3月16日—7月31日）", "全面开展隐患排查和违法整治。"),
        ("h2", "（三）", "总结提升阶段（2024年8月1日—8月31日）", "总结成效，建立长效管理制度。"),
        ("h1", "requirements", "六、", "工作要求", "各村各单位要把整治工作列入重要议事日程，确保人员、措施、经费三到位；每月25日前将工作进展报镇安监站。"),
        ("line", "青禾镇人民政府"),
        ("line", "2024年2月26日"),
    ],
}

CASES["machine_translation_en"] = {
    "lang": "en",
    "blocks": [
        ("title", "Work Program for Flood Season Safety in Willow Bank Community"),
        ("para", "In order to do a good job of the flood season safety work of the community, effectively protect the life and property of the residents, according to the arrangements of the street, combined with the reality of the community, the following program is formulated."),
        ("h1", "ideology", "One, ", "the guiding ideology", ""),
        ("para", "Adhere to the principle of prevention first and combining prevention with rescue, take the safety of the masses as the first goal, do solid work on hidden danger investigation and emergency preparation, and strive to achieve no casualties in the flood season."),
        ("h1", "objectives", "(ii) ", "Work objectives", ""),
        ("h2", "1, ", "", "The rectification rate of hidden dangers found in the investigation reaches 100%."),
        ("h2", "2, ", "", "Each building has a designated flood prevention contact person, and the coverage rate is not less than 95%."),
        ("h1", "leadership", "(C) ", "Organizational leadership", ""),
        ("para", "The community set up a flood season safety work leading group, the secretary of the community party committee as the leader, the director of the residents' committee as the deputy leader, the grid members as the members."),
        ("h1", "tasks", "Fourth, ", "the main tasks", ""),
        ("h2", "(1) ", "Investigate hidden dangers", "the grid members check basements, low-lying courtyards and old walls one by one, and register the problems found."),
        ("h2", "(2) ", "Prepare materials", "the community stores sandbags, pumps and life jackets in the warehouse and checks them every week."),
        ("h2", "(3) ", "Organize drills", "before the end of June, organize an emergency evacuation drill with the participation of residents."),
        ("h1", "requirements", "Five, ", "work requirements", ""),
        ("para", "All grids should strengthen the duty during the flood season, keep the communication open for 24 hours, and report dangerous situations to the community at the first time, and must not conceal or delay reporting."),
        ("line", "Willow Bank Community Residents' Committee"),
        ("line", "May 10, 2024"),
    ],
}

CASES["forwarding_notice"] = {
    "lang": "zh",
    "blocks": [
        ("title", "关于印发《东湖街道2024年夏季消防安全检查工作方案》的通知"),
        ("line", "东街办发〔2024〕15号"),
        ("line", "各社区居委会，街道各科室："),
        ("para", "现将《东湖街道2024年夏季消防安全检查工作方案》印发给你们，请结合实际认真抓好落实。"),
        ("line", "东湖街道办事处"),
        ("line", "2024年5月20日"),
        ("title", "东湖街道2024年夏季消防安全检查工作方案"),
        ("para", "为防范夏季高温时段火灾事故，根据区消防安全委员会的工作安排，制定本方案。"),
        ("h1", "objectives", "一、", "检查目标", "通过全面检查，及时发现并消除各类火灾隐患，杜绝较大火灾事故发生。"),
        ("h1", "tasks", "二、", "检查重点", ""),
        ("h2", "（一）", "", "沿街商铺的电气线路和灭火器配置情况。"),
        ("h2", "（二）", "", "老旧小区楼道堆放杂物和电动自行车充电情况。"),
        ("h2", "（三）", "", "学校、养老机构等人员密集场所的疏散通道情况。"),
        ("h1", "phases", "三、", "时间安排", ""),
        ("h2", "（一）", "自查阶段（2024年6月1日—6月15日）", "各社区组织辖区单位开展自查。"),
        ("h2", "（二）", "检查阶段（2024年6月16日—8月15日）", "街道组织联合检查组逐一检查。"),
        ("h1", "requirements", "四、", "工作要求", "检查中发现的问题要登记造册，整改一处销号一处；重大隐患要及时报告街道安全办。"),
        ("line", "东湖街道办事处"),
        ("line", "2024年5月20日"),
    ],
}

CASES["traditional"] = {
    "lang": "zh",
    "blocks": [
        ("title", "南山社區2024年治安防控工作實施方案"),
        ("para", "為進一步加強社區治安防控工作，提升居民安全感，結合本社區實際，制定本方案。"),
        ("h1", "ideology", "一、", "指導思想", ""),
        ("para", "堅持群防群治，完善巡邏防控網絡，依靠群眾維護社區平安穩定。"),
        ("h1", "objectives", "二、", "工作目標", ""),
        ("para", "居民安全感滿意率達到95%以上，刑事案件發案數明顯下降。"),
        ("h1", "tasks", "三、", "主要任務", ""),
        ("h2", "（一）", "健全巡邏隊伍", "組建由樓棟長和志願者參加的巡邏隊，每晚分組巡查。"),
        ("h2", "（二）", "完善技防設施", "在小區出入口和停車場增設監控攝像頭，實現重點部位全覆蓋。"),
        ("h2", "（三）", "開展矛盾排查", "每月開展一次矛盾糾紛排查，做到小事不出樓、大事不出社區。"),
        ("h1", "inspection", "四、", "檢查考核", ""),
        ("para", "社區每季度對各網格工作情況進行檢查，檢查結果與年終評先掛鉤。"),
        ("line", "南山社區居民委員會"),
        ("line", "二〇二四年三月八日"),
    ],
}

CASES["hard_breaks_long"] = {
    "lang": "zh",
    "blocks": [
        ("title", "石桥县2024年安全生产大排查大整治工作方案"),
        ("para", "为深刻吸取近期各地安全生产事故教训，全面排查整治各类风险隐患，坚决遏制重特大事故发生，切实保障人民群众生命财产安全和社会大局稳定，经县政府同意，决定在全县范围内开展安全生产大排查大整治行动，现制定如下方案。"),
        ("h1", "ideology", "一、", "总体要求", ""),
        ("para", "坚持安全发展理念，坚持问题导向和目标导向，按照“全覆盖、零容忍、严执法、重实效”的要求，全面排查各行业领域存在的风险隐患和突出问题，集中力量整治一批重大隐患，依法打击一批非法违法行为，推动企业安全生产主体责任落到实处，推动全县安全生产形势持续稳定好转。"),
        ("h1", "tasks", "二、", "整治重点", ""),
        ("h2", "（一）", "危险化学品领域", "重点排查危险化学品生产、储存、使用企业的重大危险源管控情况，以及安全距离、自动化控制系统和应急处置设施的运行情况，严厉打击非法储存和违规经营行为。"),
        ("h3", "1.", "", "督促企业全面辨识重大危险源，落实包保责任人，确保监测监控系统正常运行。"),
        ("h3", "2.", "", "对停产停业企业开展专项检查，防止擅自复产引发事故。"),
        ("h2", "（二）", "建筑施工领域", "重点检查深基坑、高支模、起重机械等危险性较大的分部分项工程，严查违法分包转包、无证上岗和违章指挥行为，督促施工单位落实安全生产费用。"),
        ("h2", "（三）", "道路交通领域", "重点整治客货运输企业动态监控不落实、驾驶人疲劳驾驶和车辆带病运行等问题，加强对临水临崖等危险路段的隐患治理，完善安全防护设施。"),
        ("h1", "phases", "三、", "时间步骤", ""),
        ("h2", "（一）", "动员部署（2024年4月1日—4月10日）", "各乡镇和县直有关部门制定具体实施方案，召开动员部署会议，明确目标任务和工作措施。"),
        ("h2", "（二）", "排查整治（2024年4月11日—9月30日）", "各行业主管部门组织开展全覆盖排查，建立隐患清单和整改台账，实行闭环管理。"),
        ("h2", "（三）", "巩固提升（2024年10月1日—10月31日）", "对整治情况开展督查验收，总结经验做法，建立健全长效机制。"),
        ("h1", "safeguards", "四、", "保障措施", ""),
        ("h2", "（一）", "压实工作责任", "各乡镇和县直有关部门主要负责人是本地本部门大排查大整治工作的第一责任人，要亲自部署、亲自督促，确保各项任务落到实处。"),
        ("h2", "（二）", "强化督导检查", "县安委办组织督导组对各地各部门工作开展情况进行不定期暗查暗访，对工作不力的予以通报批评。"),
        ("line", "石桥县安全生产委员会办公室"),
        ("line", "2024年3月25日"),
    ],
}

CASES["bold_headings"] = {
    "lang": "zh",
    "bold_h1": True,
    "blocks": [
        ("title", "枫林社区2024年居家养老服务安全工作计划"),
        ("para", "为保障辖区老年人居家生活安全，提升养老服务质量，社区结合工作实际，制定本计划。"),
        ("h1", "ideology", "", "指导思想", ""),
        ("para", "以老年人需求为导向，整合社区、物业和社会组织力量，织密居家养老安全防护网。"),
        ("h1", "objectives", "", "工作目标", ""),
        ("para", "独居和空巢老人定期探访覆盖率100%，年内不发生因照护缺失导致的安全事故。"),
        ("h1", "tasks", "", "具体措施", ""),
        ("para", "建立独居老人探访台账，网格员每周上门或电话探访一次。"),
        ("para", "为高龄老人免费安装燃气报警器和紧急呼叫装置。"),
        ("para", "联合社区卫生服务站每季度开展一次健康安全讲座。"),
        ("h1", "safeguards", "", "保障措施", ""),
        ("para", "社区将养老服务安全经费纳入年度预算，并积极争取辖区单位支持。"),
        ("line", "枫林社区居民委员会"),
        ("line", "2024年1月15日"),
    ],
}

CASES["heading_styles_table"] = {
    "lang": "zh",
    "heading_style": True,
    "blocks": [
        ("title", "白鹭湾街道2024年平安建设重点任务分工方案"),
        ("line", "各社区、街道各部门："),
        ("para", "为统筹推进年度平安建设工作，明确责任分工，街道平安建设领导小组研究制定本方案。"),
        ("h1", "objectives", "一、", "目标任务", ""),
        ("para", "全年群众安全感测评位居全区前列，重大矛盾纠纷化解率达到98%以上。"),
        ("h1", "tasks", "二、", "任务分工", "", 3),
        ("para", "各项重点任务及责任单位见下表。"),
        ("table", [["序号", "重点任务", "牵头单位", "配合单位"],
                   ["1", "纠纷化解", "综治中心", "司法所"],
                   ["2", "重点人员管理", "派出所", "各社区"],
                   ["3", "校园周边整治", "城管科", "市场监管所"]]),
        ("h1", "inspection", "三、", "督查考核", ""),
        ("para", "街道平安办每半年对任务落实情况进行一次督查，督查结果纳入年度绩效考核。"),
        ("line", "白鹭湾街道平安建设领导小组"),
        ("line", "2024年2月2日"),
    ],
}

CASES["multiline_title_halfwidth"] = {
    "lang": "zh",
    "blocks": [
        ("title", "江州县2024年“平安家庭”"),
        ("title", "创建活动实施方案"),
        ("para", "为深入推进平安家庭创建活动,以家庭平安促进社会和谐,根据县平安建设工作要点,制定本方案."),
        ("h1", "principles", "一,", "基本原则", ""),
        ("h2", "(一)", "坚持群众主体", "发动家庭成员广泛参与,做到人人知晓、户户参与."),
        ("h2", "(二)", "坚持因地制宜", "结合城乡不同特点,分类开展创建活动."),
        ("h1", "tasks", "二,", "创建内容", ""),
        ("h2", "1.", "", "开展家庭安全知识进万家活动,发放宣传资料不少于5000份."),
        ("h2", "2.", "", "评选一批平安家庭示范户,发挥典型引领作用."),
        ("h2", "3.", "", "开展家庭矛盾排查调处,及时化解婚姻家庭纠纷."),
        ("h1", "rewards", "三,", "表彰奖励", ""),
        ("para", "对创建活动中表现突出的家庭和个人,由县妇联给予通报表扬."),
        ("line", "江州县妇女联合会"),
        ("line", "2024-3-8"),
    ],
}

CASES["roman_alpha_en"] = {
    "lang": "en",
    "blocks": [
        ("title", "Implementation Plan for Campus Safety Rectification in Green Hill Town"),
        ("para", "This plan is formulated to further strengthen the safety management of schools in the town and to create a safe and orderly environment for teachers and students."),
        ("h1", "ideology", "I. ", "Guiding Ideology", ""),
        ("para", "Put the safety of teachers and students first, combine daily management with special rectification, and build a long-term mechanism of campus safety."),
        ("h1", "leadership", "II. ", "Organization and Leadership", ""),
        ("para", "Team leader: Zhang Wei (Deputy Mayor)"),
        ("para", "Deputy team leader: Liu Min (Director of the Education Office)"),
        ("para", "Members: Chen Jie, Huang Lei, Zhou Qing"),
        ("h1", "tasks", "III. ", "Main Tasks", ""),
        ("h2", "A. ", "Campus security", "Every school employs full-time guards and installs anti-collision facilities at the gate."),
        ("h3", "(a) ", "", "Guards are on duty at the gate when students arrive and leave."),
        ("h3", "(b) ", "", "Visitors are registered and checked before entering."),
        ("h2", "B. ", "Surrounding environment", "Unlicensed stalls within two hundred meters of schools are cleared."),
        ("h2", "C. ", "Safety education", "Each class holds one safety lesson a month."),
        ("h1", "phases", "IV. ", "Implementation Steps", ""),
        ("para", "The work is carried out from March to June and is reviewed at the end of June."),
        ("h1", "inspection", "V. ", "Inspection and Assessment", ""),
        ("para", "The town education office inspects the schools every quarter and publishes the results."),
        ("line", "Green Hill Town People's Government"),
        ("line", "February 28, 2024"),
    ],
}

CASES["parts_and_articles"] = {
    "lang": "zh",
    "blocks": [
        ("title", "云溪镇网格化服务管理工作方案"),
        ("para", "为提升基层治理精细化水平，结合我镇网格化服务管理工作实际，制定本方案。"),
        ("h1", "free", "第一部分 ", "网格划分", ""),
        ("h2", "一、", "划分原则", "按照地域相邻、人口相近、便于管理的原则划分网格。"),
        ("h2", "二、", "网格规模", "城镇社区每个网格三百户左右，农村以村民小组为单位划分。"),
        ("h1", "leadership", "第二部分 ", "组织机构", ""),
        ("h2", "一、", "镇网格化管理中心", "负责全镇网格化工作的统筹协调和考核。"),
        ("h2", "二、", "村（社区）网格工作站", "负责本村（社区）网格员的日常管理。"),
        ("h1", "requirements", "第三部分 ", "工作要求", ""),
        ("para", "一是网格员要每日巡查，及时上报发现的问题；二是各村（社区）要落实网格员待遇；三是镇网格化管理中心要每月通报工作情况。"),
        ("line", "云溪镇人民政府"),
        ("line", "2024年4月2日"),
    ],
}

CASES["red_header_official"] = {
    "lang": "zh",
    "blocks": [
        ("line", "清河县社会治安综合治理委员会文件"),
        ("line", "清综治委〔2023〕3号"),
        ("title", "清河县2023年"),
        ("title", "电信网络诈骗防范宣传工作实施方案"),
        ("line", "各乡镇综治中心，县综治委各成员单位："),
        ("para", "为有效遏制电信网络诈骗案件高发势头，提高群众识骗防骗能力，现就全县防范宣传工作制定如下方案。"),
        ("h1", "objectives", "一、", "工作目标：", "全年电信网络诈骗发案数同比下降15%，群众防骗知识知晓率达到85%以上。", 2),
        ("h1", "tasks", "二、", "重点工作", ""),
        ("h2", "（一）", "宣传进村入户", "各乡镇组织网格员入户发放防骗提示卡，做到户户见卡。（责任单位：各乡镇综治中心）"),
        ("h3", "1．", "", "每月开展一次集中宣传。"),
        ("h3", "2．", "", "在村务公开栏张贴典型案例。"),
        ("h2", "（二）", "重点人群提醒", "对老年人、在校学生和企业财务人员开展专场讲座。（牵头单位：县公安局；配合单位：县教育局、县老龄办）"),
        ("h1", "safeguards", "三、", "保障措施", ""),
        ("h2", "（一）", "", "县财政安排专项经费，保障宣传资料印制。"),
        ("h2", "（二）", "", "县综治委将宣传工作纳入平安建设考评。"),
        ("line", "附件：防骗宣传资料发放登记表"),
        ("line", "清河县社会治安综合治理委员会"),
        ("line", "二〇二三年二月十四日"),
        ("line", "抄送：县委政法委，县公安局。"),
        ("line", "清河县综治委办公室 2023年2月14日印发"),
    ],
}

CASES["ordinal_headings_en"] = {
    "lang": "en",
    "blocks": [
        ("title", "Maple Street Community Work Plan for Fire Prevention in Winter and Spring"),
        ("para", "In order to effectively prevent fire accidents in the winter and spring, ensure the safety of residents, the community according to the requirements of the superior, the development of this plan."),
        ("h1", "ideology", "First, ", "the guiding ideology", ""),
        ("para", "Adhere to the policy of prevention first, the combination of prevention and elimination, implement the fire safety responsibility system, and comprehensively improve the ability of the community to resist fire."),
        ("h1", "objectives", "Second, ", "the work objectives", ""),
        ("para", "Through the rectification, the fire hazards of the community are basically eliminated, and no major fire accidents occur."),
        ("h1", "leadership", "Third, ", "organizational leadership", ""),
        ("para", "Team leader: Wang Fang"),
        ("para", "Members: Li Qiang, Zhao Lin, Sun Hao"),
        ("h1", "tasks", "Fourth, ", "the main measures", ""),
        ("h2", "1. ", "", "Carry out a general inspection of the electric vehicle charging places in the community."),
        ("h2", "2. ", "", "Clean up the debris in the corridors and fire passages."),
        ("h2", "3. ", "", "Organize a fire evacuation drill for the residents."),
        ("h1", "requirements", "Fifth, ", "work requirements", ""),
        ("para", "First, all grid members should attach great importance to it; second, the inspection must be careful and not go through the motions."),
        ("line", "Maple Street Community Committee"),
        ("line", "December 1, 2023"),
    ],
}
