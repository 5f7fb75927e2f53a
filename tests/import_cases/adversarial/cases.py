"""Adversarial import cases: layouts and habits of real office documents and machine
translations that the first set (../cases.py) does not cover. Same block language as
../cases.py, plus:

  ("toc", [entry, ...])               a table of contents (目录) to be ignored
  ("letterhead", [[left, right], ...]) a borderless 2-column layout table (DOCX/PDF); TXT: one cell a line
  ("runs", text)                       a paragraph typed as is in every format (a 一是…二是… line)
Options per case:
  h1_font       east-Asian font of the top-level headings (黑体), no bold, no Heading style
  autonum       DOCX: top-level (and h2) numbers drawn by Word's automatic numbering (numPr), not typed
  txt_encoding  gbk / utf-16-le (no BOM) ...; crlf: CRLF line ends; indent: paragraphs start with 　　
  wrap          TXT: body paragraphs hard-wrapped every N characters
  furniture     DOCX: a running header and a "— N —" page-number footer; PDF gets them printed
  justify       DOCX: body paragraphs justified
  expect_title  the expected title when it is not the title blocks joined
"""

CASES: dict[str, dict] = {}

CASES["parts_with_dun_inside"] = {
    "lang": "zh",
    "blocks": [
        ("title", "柳岸区2024年“八五”普法宣传教育实施方案"),
        ("line", "柳司发〔2024〕5号"),
        ("para", "为扎实推进全区法治宣传教育工作，提高全民法治素养，按照市普法办的统一安排，结合我区实际，制定本实施方案。"),
        ("h1", "free", "第一部分  ", "总体安排", ""),
        ("h2", "一、", "宣传重点", "重点宣传宪法、民法典以及与群众生产生活密切相关的法律法规。"),
        ("h2", "二、", "宣传对象", "以领导干部、青少年、农村居民和外来务工人员为重点对象。"),
        ("h1", "tasks", "第二部分  ", "主要任务", ""),
        ("h2", "一、", "抓好领导干部学法", "各单位每年至少组织两次集中学法活动，领导干部年度学法考试参考率达到100%。"),
        ("h2", "二、", "推进法治进校园", "每所中小学配备一名法治副校长，每学期上好一堂法治课。"),
        ("h2", "三、", "深化法治乡村建设", "每个村培养三至五名法律明白人，村规民约合法性审查全覆盖。"),
        ("h1", "safeguards", "第三部分  ", "保障措施", ""),
        ("h2", "一、", "落实经费", "区财政将普法经费列入年度预算，专款专用。"),
        ("h2", "二、", "强化考核", "普法工作纳入各单位年度绩效考核，考核结果向社会公开。"),
        ("line", "柳岸区司法局"),
        ("line", "2024年3月12日"),
    ],
}

CASES["colon_heading_next_line"] = {
    "lang": "zh",
    "blocks": [
        ("title", "桂花社区2024年防汛防台风应急工作方案"),
        ("line", "各网格、各小区物业服务企业："),
        ("para", "为切实做好今年汛期防汛防台风工作，最大限度减少灾害损失，结合社区实际，现制定本方案。"),
        ("h1", "ideology", "一、", "指导思想：", ""),
        ("para", "坚持以人为本、预防为主，立足防大汛、抢大险，确保辖区居民生命财产安全。"),
        ("h1", "leadership", "二、", "组织机构：", ""),
        ("para", "社区成立防汛防台风工作领导小组，负责统一指挥和协调。"),
        ("para", "组长：陈秀英"),
        ("para", "副组长：杨国强、刘晓梅"),
        ("para", "成员：各网格长、各物业项目经理"),
        ("h1", "tasks", "三、", "工作措施：", ""),
        ("h2", "（一）", "排查隐患", "对地下车库、低洼院落、危旧房屋逐一排查，登记造册。"),
        ("h2", "（二）", "储备物资", "备足沙袋、水泵、雨衣等防汛物资，专人保管。"),
        ("h2", "（三）", "转移安置", "提前确定两处临时避险场所，明确转移路线和责任人。"),
        ("h1", "requirements", "四、", "工作要求：", ""),
        ("para", "汛期实行二十四小时值班制度，遇有险情第一时间上报街道应急办，不得迟报、漏报、瞒报。"),
        ("line", "桂花社区居民委员会"),
        ("line", "2024年5月6日"),
    ],
}

CASES["heiti_font_headings"] = {
    "lang": "zh",
    "h1_font": "黑体",
    "blocks": [
        ("title", "松涛街道2024年燃气安全专项整治工作方案"),
        ("para", "为有效防范燃气安全事故，切实保障人民群众生命财产安全，根据区安委会部署，制定本方案。"),
        ("h1", "objectives", "一、", "整治目标", ""),
        ("para", "用户燃气报警器安装率达到80%以上，餐饮场所燃气隐患整改率达到100%。"),
        ("h1", "free", "二、", "整治范围", ""),
        ("para", "辖区内所有餐饮经营场所、老旧小区居民用户和瓶装液化气供应点。"),
        ("h1", "tasks", "三、", "整治内容", ""),
        ("h2", "（一）", "餐饮场所检查", "逐户检查燃气管道、阀门和连接软管，督促更换老化部件。"),
        ("h2", "（二）", "居民用户入户", "联合燃气公司开展入户安检，讲解安全用气常识。"),
        ("h2", "（三）", "液化气市场整治", "严厉打击非法充装、违规运输和无证经营行为。"),
        ("h1", "phases", "四、", "进度安排", ""),
        ("h2", "（一）", "摸底排查阶段（2024年4月1日至4月30日）", "建立隐患台账。"),
        ("h2", "（二）", "集中整治阶段（2024年5月1日至8月31日）", "对照台账逐项整改。"),
        ("h1", "requirements", "五、", "有关要求", ""),
        ("para", "各社区要明确专人负责，每月5日前报送上月整治进展。"),
        ("line", "松涛街道办事处"),
        ("line", "2024年3月20日"),
    ],
}

CASES["word_autonumbering"] = {
    "lang": "zh",
    "autonum": True,
    "blocks": [
        ("title", "杏园镇2024年校园及周边安全综合治理工作方案"),
        ("para", "为营造安全稳定的校园及周边环境，保障师生人身安全，经镇党委、政府研究，制定本方案。"),
        ("h1", "ideology", "一、", "总体思路", ""),
        ("para", "坚持预防为主、综合治理，落实学校主体责任和部门监管责任，构建齐抓共管的工作格局。"),
        ("h1", "tasks", "二、", "重点工作", ""),
        ("h2", "（一）", "加强校门安全防范", "上下学时段实行护学岗制度，派出所安排警力在校门口值守。"),
        ("h2", "（二）", "整治周边经营秩序", "清理校园周边二百米内的流动摊点和网吧、游戏厅。"),
        ("h2", "（三）", "排查校舍安全隐患", "对校舍、围墙、食堂和消防设施开展全面检查。"),
        ("h1", "inspection", "三、", "督导考核", ""),
        ("para", "镇综治办每学期组织一次督导检查，检查结果纳入学校年度考核。"),
        ("line", "杏园镇人民政府"),
        ("line", "2024年2月27日"),
    ],
}

CASES["letterhead_layout_table"] = {
    "lang": "zh",
    "blocks": [
        ("letterhead", [["鹿鸣县应急管理局", "鹿应急〔2024〕21号"], ["签发人：赵永刚", "2024年6月3日"]]),
        ("title", "鹿鸣县2024年度森林防灭火工作方案"),
        ("line", "各乡镇人民政府，县直有关单位："),
        ("para", "为全面做好本年度森林防灭火工作，严防重特大森林火灾发生，根据上级工作部署，制定本方案。"),
        ("h1", "objectives", "一、", "工作目标", ""),
        ("para", "全年森林火灾受害率控制在0.9‰以内，火灾发生后二十四小时扑灭率达到95%以上。"),
        ("h1", "tasks", "二、", "主要措施", ""),
        ("h2", "（一）", "严格野外火源管理", "在重点林区入口设立检查站，对进山人员实行登记。"),
        ("h2", "（二）", "加强扑火队伍建设", "每个乡镇组建一支不少于三十人的半专业扑火队。"),
        ("h1", "safeguards", "三、", "保障措施", ""),
        ("para", "县财政安排森林防火专项资金，保障扑火物资和队伍训练经费。"),
        ("line", "鹿鸣县应急管理局"),
        ("line", "2024年6月3日"),
    ],
}

CASES["three_line_title_issuer_first"] = {
    "lang": "zh",
    "blocks": [
        ("title", "青山区民政局"),
        ("title", "关于开展养老机构消防安全"),
        ("title", "专项整治的实施方案"),
        ("line", "各街道办事处，各养老机构："),
        ("para", "为消除养老机构消防安全隐患，保障入住老人生命安全，决定在全区养老机构开展消防安全专项整治。"),
        ("h1", "objectives", "一、", "整治目标", ""),
        ("para", "全区养老机构消防设施完好率达到100%，工作人员消防培训覆盖率达到100%。"),
        ("h1", "tasks", "二、", "整治任务", ""),
        ("h2", "（一）", "", "检查自动喷水灭火系统和火灾报警系统运行情况。"),
        ("h2", "（二）", "", "清理疏散通道和安全出口堆放的杂物。"),
        ("h2", "（三）", "", "每季度组织一次全员消防疏散演练。"),
        ("h1", "phases", "三、", "实施步骤", ""),
        ("h2", "（一）", "自查自改阶段（2024年7月1日—7月31日）", "各机构对照清单开展自查。"),
        ("h2", "（二）", "督查验收阶段（2024年8月1日—9月30日）", "区民政局会同消防救援大队逐一验收。"),
        ("line", "青山区民政局"),
        ("line", "2024年6月20日"),
    ],
}

CASES["notice_with_attachment_program"] = {
    "lang": "zh",
    "blocks": [
        ("title", "关于做好2024年度汛期地质灾害防治工作的通知"),
        ("line", "岩县自然资发〔2024〕9号"),
        ("line", "各乡镇人民政府，县直各有关单位："),
        ("para", "汛期临近，为切实做好地质灾害防治工作，现将有关事项通知如下，请认真贯彻执行。"),
        ("line", "附件：岩县2024年汛期地质灾害防治工作方案"),
        ("line", "岩县自然资源局"),
        ("line", "2024年4月15日"),
        ("line", "附件"),
        ("title", "岩县2024年汛期地质灾害防治工作方案"),
        ("h1", "objectives", "一、", "工作目标", ""),
        ("para", "确保汛期不发生因地质灾害造成的人员伤亡，隐患点监测覆盖率达到100%。"),
        ("h1", "tasks", "二、", "工作任务", ""),
        ("h2", "（一）", "开展汛前排查", "对全县已登记的地质灾害隐患点逐点核查，更新防灾明白卡。"),
        ("h2", "（二）", "落实群测群防", "每个隐患点落实一名监测员，雨天加密巡查。"),
        ("h2", "（三）", "组织避险演练", "各乡镇在五月底前至少组织一次避险转移演练。"),
        ("h1", "leadership", "三、", "组织保障", ""),
        ("para", "县里成立汛期地质灾害防治工作领导小组，由分管副县长任组长。"),
        ("line", "岩县自然资源局办公室"),
        ("line", "2024年4月15日"),
    ],
}

CASES["toc_document"] = {
    "lang": "zh",
    "blocks": [
        ("title", "云岭社区安全社区创建工作实施方案"),
        ("toc", ["一、指导思想\t1", "二、创建目标\t1", "三、组织机构\t2", "四、主要任务\t2", "五、实施步骤\t3"]),
        ("para", "为深入推进安全社区创建工作，提高社区安全管理水平，按照国家安全社区建设基本要求，制定本方案。"),
        ("h1", "ideology", "一、", "指导思想", ""),
        ("para", "以预防事故和伤害为核心，整合各方资源，持续改进社区安全状况。"),
        ("h1", "objectives", "二、", "创建目标", ""),
        ("para", "力争用两年时间达到安全社区建设标准，居民安全满意率达到90%以上。"),
        ("h1", "leadership", "三、", "组织机构", ""),
        ("para", "成立安全社区创建工作促进委员会，下设交通、消防、治安等八个工作组。"),
        ("h1", "tasks", "四、", "主要任务", ""),
        ("h2", "1．", "", "开展事故与伤害风险辨识，形成社区安全诊断报告。"),
        ("h2", "2．", "", "针对高风险人群和场所设计安全促进项目。"),
        ("h2", "3．", "", "建立事故与伤害监测制度，定期分析监测数据。"),
        ("h1", "phases", "五、", "实施步骤", ""),
        ("para", "分为启动、实施、自评和申报四个阶段，自2024年3月起至2025年12月止。"),
        ("line", "云岭社区居民委员会"),
        ("line", "2024年3月1日"),
    ],
}

CASES["mt_numbered_en"] = {
    "lang": "en",
    "blocks": [
        ("title", "Work Plan of Peach Blossom Street on Electric Bicycle Fire Safety Rectification"),
        ("para", "In order to effectively prevent and reduce fire accidents caused by electric bicycles, according to the deployment of the district, combined with the actual situation of the street, this plan is formulated."),
        ("h1", "ideology", "1. ", "Guiding ideology", ""),
        ("para", "Adhere to the people first, life first, focus on the outstanding problems of electric bicycle parking and charging, and resolutely curb fire accidents."),
        ("h1", "objectives", "2. ", "Work goals", ""),
        ("para", "By the end of the year, the centralized charging facilities cover all residential quarters, and the phenomenon of flying line charging is basically eliminated."),
        ("h1", "tasks", "3. ", "Main tasks", ""),
        ("h2", "(1) ", "Build charging facilities", "each community plans at least one centralized parking and charging place."),
        ("h3", "① ", "", "The property company is responsible for the daily maintenance."),
        ("h3", "② ", "", "The charging fee is publicized at the entrance."),
        ("h2", "(2) ", "Clean up illegal charging", "the grid staff checks corridors and stairwells every week."),
        ("h2", "(3) ", "Strengthen publicity", "distribute a letter to residents and hold a fire drill in each community."),
        ("h1", "requirements", "4. ", "Work requirements", ""),
        ("para", "All communities should attach great importance, implement responsibilities, and report the progress to the street safety office before the 25th of each month."),
        ("line", "Peach Blossom Street Office"),
        ("line", "April 8, 2024"),
    ],
}

CASES["fullwidth_digit_headings"] = {
    "lang": "zh",
    "blocks": [
        ("title", "银杏村2024年人居环境整治提升工作计划"),
        ("para", "为改善农村人居环境，建设宜居美丽乡村，村两委研究制定本计划。"),
        ("h1", "objectives", "１．", "工作目标", ""),
        ("para", "年底前生活垃圾收运处置体系覆盖全部自然村，卫生厕所普及率达到95%。"),
        ("h1", "tasks", "２．", "重点任务", ""),
        ("h2", "（１）", "", "清理村内积存垃圾和乱堆乱放的柴草杂物。"),
        ("h2", "（２）", "", "整治房前屋后的坑塘沟渠，恢复水体清洁。"),
        ("h2", "（３）", "", "在主干道两侧补植绿化苗木。"),
        ("h1", "leadership", "３．", "组织领导", ""),
        ("para", "村里成立人居环境整治工作小组，由村党支部书记任组长。"),
        ("h1", "inspection", "４．", "考核评比", ""),
        ("para", "每月开展一次“最美庭院”评比，评比结果在村务公开栏公布。"),
        ("line", "银杏村村民委员会"),
        ("line", "2024年1月22日"),
    ],
}

CASES["unicode_roman_headings"] = {
    "lang": "zh",
    "blocks": [
        ("title", "星河社区矛盾纠纷多元化解工作方案"),
        ("para", "为及时就地化解矛盾纠纷，维护社区和谐稳定，结合社区实际，制定本方案。"),
        ("h1", "principles", "Ⅰ、", "工作原则", ""),
        ("para", "坚持预防为先、调解优先，依法依规、公平公正，把矛盾化解在萌芽状态。"),
        ("h1", "tasks", "Ⅱ、", "主要措施", ""),
        ("h2", "（一）", "建立排查机制", "网格员每周入户走访，发现苗头及时上报。"),
        ("h2", "（二）", "完善调解网络", "在每个小区设立调解室，聘请退休法官和律师担任调解员。"),
        ("h1", "requirements", "Ⅲ、", "工作要求", ""),
        ("para", "各网格要建立矛盾纠纷台账，做到一事一档，调解成功率达到90%以上。"),
        ("line", "星河社区居民委员会"),
        ("line", "2024年4月18日"),
    ],
}

CASES["yishi_paragraphs_and_lists"] = {
    "lang": "zh",
    "blocks": [
        ("title", "梧桐镇2024年食品安全工作要点"),
        ("para", "为进一步提升全镇食品安全保障水平，现将2024年食品安全工作要点安排如下。"),
        ("h1", "objectives", "一、", "总体目标", ""),
        ("para", "全年不发生重大食品安全事故，群众食品安全满意度达到85%以上。"),
        ("h1", "tasks", "二、", "重点工作", ""),
        ("runs", "一是加强农村集体聚餐管理，实行申报备案和现场指导。"),
        ("runs", "二是开展校园食品安全守护行动，学校食堂明厨亮灶覆盖率达到100%。"),
        ("runs", "三是整治农村假冒伪劣食品，重点检查小超市和流动商贩。"),
        ("para", "各村要配合做好以下工作："),
        ("h2", "1.", "", "及时报告辖区内的集体聚餐信息。"),
        ("h2", "2.", "", "协助开展食品安全宣传周活动。"),
        ("h2", "3.", "", "发现问题食品立即报告镇市场监管所。"),
        ("h1", "safeguards", "三、", "保障措施", ""),
        ("runs", "一是落实属地责任，镇村两级签订食品安全责任书。二是加强队伍建设，每个村配备一名食品安全协管员。"),
        ("line", "梧桐镇食品安全委员会办公室"),
        ("line", "2024年2月5日"),
    ],
}

CASES["furniture_two_line_title_pdf"] = {
    "lang": "zh",
    "furniture": "平安枫桥建设文件汇编",
    "justify": True,
    "blocks": [
        ("title", "枫桥镇2024年平安建设"),
        ("title", "“网格连心”行动实施方案"),
        ("line", "枫平安〔2024〕2号"),
        ("para", "为深化新时代“枫桥经验”，推动网格化服务管理提质增效，把矛盾风险防范化解在基层、解决在萌芽状态，切实增强人民群众的获得感、幸福感、安全感，根据上级关于加强基层社会治理的部署要求，结合我镇工作实际，制定本实施方案。"),
        ("h1", "ideology", "一、", "指导思想", ""),
        ("para", "坚持党建引领、群众主体、服务为先，以网格为基本单元，以“网格连心”行动为载体，整合基层党建、综治、民政、城管、市场监管等各类力量，推动服务管理资源向网格下沉，形成横向到边、纵向到底、全面覆盖、不留死角的基层治理格局，不断提升基层治理体系和治理能力现代化水平。" * 2),
        ("h1", "objectives", "二、", "工作目标", ""),
        ("para", "到2024年底，全镇网格员配备率达到100%，网格事件按期办结率达到95%以上，群众对网格服务的满意率达到90%以上，矛盾纠纷就地化解率明显提高，平安建设群众满意度保持全县前列，力争创成省级平安乡镇。" * 2),
        ("h1", "tasks", "三、", "主要任务", ""),
        ("h2", "（一）", "优化网格设置", "按照规模适度、便于管理的原则调整网格，城镇社区每个网格三百至五百户，农村以自然村或村民小组为单位划分网格，同步明确专属网格和综合网格，做到网格边界清晰、责任主体明确、人员配备到位。"),
        ("h2", "（二）", "做实走访服务", "网格员每月对网格内住户至少走访一次，重点关注独居老人、困难家庭、刑满释放人员和社区矫正对象等群体，及时发现和上报矛盾纠纷、安全隐患和群众诉求，做到底数清、情况明、反应快。"),
        ("h2", "（三）", "完善运行机制", "建立网格事件“发现、上报、流转、处置、反馈、评价”闭环运行机制，一般事项由网格员就地解决，复杂事项通过平台流转到相关部门限时办理，办理结果及时反馈当事群众，并接受群众评价。"),
        ("h1", "safeguards", "四、", "保障措施", ""),
        ("para", "镇财政安排网格化服务管理专项经费，保障网格员报酬和工作经费；建立网格员培训制度，每季度组织一次业务培训；将网格工作成效纳入村（社区）年度综合考核，考核结果与评先评优和干部使用挂钩。" * 2),
        ("line", "枫桥镇平安建设领导小组"),
        ("line", "2024年3月28日"),
    ],
}

CASES["gbk_crlf_indented"] = {
    "lang": "zh",
    "txt_encoding": "gbk",
    "crlf": True,
    "indent": True,
    "blocks": [
        ("title", "石榴社区2024年禁毒宣传教育工作方案"),
        ("para", "为深入开展全民禁毒宣传教育，营造全社会共同参与禁毒斗争的良好氛围，结合社区实际，制定本方案。"),
        ("h1", "objectives", "一、", "工作目标", ""),
        ("para", "辖区居民禁毒知识知晓率达到90%以上，青少年毒品预防教育覆盖率达到100%。"),
        ("h1", "tasks", "二、", "工作内容", ""),
        ("h2", "（一）", "开展进家庭活动", "向每户居民发放一份禁毒宣传资料。"),
        ("h2", "（二）", "开展进学校活动", "联合辖区学校开展禁毒主题班会和知识竞赛。"),
        ("h2", "（三）", "开展进场所活动", "在娱乐场所张贴禁毒标语，督促经营者落实巡查制度。"),
        ("h1", "requirements", "三、", "工作要求", ""),
        ("para", "各网格要精心组织，注重实效，活动结束后一周内报送图片和文字材料。"),
        ("line", "石榴社区居民委员会"),
        ("line", "2024年6月1日"),
    ],
}

CASES["bold_headings_no_vocab"] = {
    "lang": "zh",
    "bold_h1": True,
    "blocks": [
        ("title", "荷塘村2024年移风易俗工作计划"),
        ("para", "为推进农村移风易俗，倡导文明新风，减轻群众人情负担，村两委结合本村实际，制定本计划。"),
        ("h1", "free", "", "修订完善村规民约", ""),
        ("para", "将婚事新办、丧事简办、孝老爱亲等内容写入村规民约，经村民代表大会表决通过后公布实施。"),
        ("h1", "free", "", "发挥红白理事会作用", ""),
        ("para", "红白理事会对村民操办婚丧喜庆事宜进行登记指导，明确宴席规模和随礼标准。"),
        ("h1", "free", "", "开展文明家庭评选", ""),
        ("para", "每半年评选一次文明家庭，在村文化广场张榜表彰，发挥示范带动作用。"),
        ("h1", "free", "", "加强宣传引导", ""),
        ("para", "利用村广播、宣传栏和微信群，宣传移风易俗的好做法和先进典型。"),
        ("line", "荷塘村村民委员会"),
        ("line", "2024年3月5日"),
    ],
}

CASES["chapters_articles_en"] = {
    "lang": "en",
    "blocks": [
        ("title", "Implementation Measures for Grid Management of Riverside Community"),
        ("h1", "free", "Chapter I ", "General Provisions", ""),
        ("h2", "Article 1 ", "", "These measures are formulated in order to standardize the grid management of the community and improve the level of service."),
        ("h2", "Article 2 ", "", "These measures apply to all grids, grid members and residents within the community."),
        ("h1", "leadership", "Chapter II ", "Organization and Responsibilities", ""),
        ("h2", "Article 3 ", "", "The community sets up a grid management leading group, with the secretary of the community party branch as the team leader."),
        ("h2", "Article 4 ", "", "Each grid is equipped with one full-time grid member who is responsible for information collection and service."),
        ("h1", "inspection", "Chapter III ", "Supervision and Assessment", ""),
        ("h2", "Article 5 ", "", "The community assesses the grid members every quarter, and the results are linked to their performance pay."),
        ("h1", "free", "Chapter IV ", "Supplementary Provisions", ""),
        ("h2", "Article 6 ", "", "These measures shall come into force on the date of issuance."),
        ("line", "Riverside Community Residents' Committee"),
        ("line", "January 10, 2024"),
    ],
}

CASES["utf16_nobom_runin"] = {
    "lang": "zh",
    "txt_encoding": "utf-16-le",
    "blocks": [
        ("title", "竹溪乡2024年防范溺水安全教育工作方案"),
        ("para", "为切实加强中小学生防溺水安全教育，坚决防止学生溺水事故发生，结合我乡实际，制定本方案。"),
        ("h1", "objectives", "一、", "工作目标", "确保全年不发生学生溺水死亡事故，防溺水安全教育覆盖率达到100%。"),
        ("h1", "tasks", "二、", "工作措施", ""),
        ("h2", "（一）", "", "各学校每周放学前开展一次防溺水提醒教育。"),
        ("h2", "（二）", "", "各村在河塘水库边设立警示牌，安排专人巡查。"),
        ("h1", "requirements", "三、", "工作要求", "各村各学校要高度重视，落实包保责任，确保各项措施落到实处。"),
        ("line", "竹溪乡人民政府"),
        ("line", "2024年5月15日"),
    ],
}

# --- second round: habits found after the first round passed ----------------------------

CASES["soft_line_breaks_docx"] = {
    "lang": "zh",
    "softbreaks": 24,
    "blocks": [
        ("title", "泉水社区2024年电动自行车安全管理工作方案"),
        ("para", "为规范社区电动自行车停放充电秩序，防范火灾事故发生，保障居民生命财产安全，结合本社区实际情况，制定本方案。"),
        ("h1", "objectives", "一、", "工作目标", ""),
        ("para", "年内实现各小区集中充电设施全覆盖，楼道违规停放和飞线充电现象基本消除，不发生电动自行车火灾亡人事故。"),
        ("h1", "tasks", "二、", "主要任务", ""),
        ("h2", "（一）", "建设充电设施", "各小区物业在年内至少建成一处集中停放充电场所，配备灭火器材和监控设备。"),
        ("h2", "（二）", "开展清理行动", "网格员每周对楼道、楼梯间进行巡查，发现违规停放和充电的当场劝导整改。"),
        ("h1", "requirements", "三、", "工作要求", ""),
        ("para", "各网格要明确责任人，建立工作台账，每月底前将工作进展报社区安全办。"),
        ("line", "泉水社区居民委员会"),
        ("line", "2024年3月18日"),
    ],
}

CASES["traditional_financial_numerals"] = {
    "lang": "zh",
    "blocks": [
        ("title", "和平里社區高齡長者居家安全關懷計畫"),
        ("para", "為落實高齡長者居家安全照顧，減少跌倒與用火意外，本社區結合志工服務資源，訂定本計畫。"),
        ("h1", "objectives", "壹、", "計畫目標", ""),
        ("para", "轄區獨居長者每月關懷訪視率達到100%，居家跌倒事件較去年減少兩成。"),
        ("h1", "tasks", "貳、", "實施內容", ""),
        ("h2", "一、", "", "志工每週電話問安一次，每月到府訪視一次。"),
        ("h2", "二、", "", "協助長者住家加裝扶手、止滑條及感應夜燈。"),
        ("h2", "三、", "", "結合消防分隊到府檢查瓦斯熱水器與電線。"),
        ("h1", "free", "參、", "經費來源", ""),
        ("para", "由社區發展協會年度預算及民間捐款支應。"),
        ("h1", "rewards", "肆、", "獎勵", ""),
        ("para", "服務表現優良之志工，於年終大會公開表揚。"),
        ("line", "和平里社區發展協會"),
        ("line", "2024年2月19日"),
    ],
}

CASES["paren_top_level"] = {
    "lang": "zh",
    "blocks": [
        ("title", "关于开展2024年“安全生产月”活动的工作安排"),
        ("line", "各科室、各下属单位："),
        ("para", "今年6月是全国第23个“安全生产月”，为切实抓好活动开展，现将有关工作安排如下："),
        ("h1", "objectives", "（一）", "活动目标", ""),
        ("para", "普及安全生产法律法规和应急避险知识，全员安全培训覆盖率达到100%。"),
        ("h1", "tasks", "（二）", "活动内容", ""),
        ("h2", "1.", "", "6月上旬组织一次安全生产专题学习。"),
        ("h2", "2.", "", "6月中旬开展一次消防应急疏散演练。"),
        ("h2", "3.", "", "6月下旬组织一次安全隐患自查自纠。"),
        ("h1", "requirements", "（三）", "有关要求", ""),
        ("para", "各单位于7月5日前将活动总结报局安全科。"),
        ("line", "县交通运输局办公室"),
        ("line", "2024年5月28日"),
    ],
}

CASES["outline_level_headings"] = {
    "lang": "zh",
    "outline_h1": True,
    "blocks": [
        ("title", "翠屏街道2024年网络安全宣传周活动方案"),
        ("para", "为提高辖区居民网络安全意识和防护技能，按照区委网信办统一部署，街道决定开展网络安全宣传周活动。"),
        ("h1", "objectives", "", "活动目标", ""),
        ("para", "通过集中宣传，使居民了解常见网络诈骗手法，掌握个人信息保护的基本方法。"),
        ("h1", "phases", "", "活动时间", ""),
        ("para", "2024年9月9日至9月15日，为期一周。"),
        ("h1", "tasks", "", "活动内容", ""),
        ("para", "在社区广场设置宣传展板，组织网络安全知识有奖问答，邀请民警开展防诈骗讲座。"),
        ("h1", "requirements", "", "工作要求", ""),
        ("para", "各社区要认真组织，做好活动记录，活动结束后三日内报送总结材料。"),
        ("line", "翠屏街道办事处"),
        ("line", "2024年8月26日"),
    ],
}

CASES["decimal_sections_en"] = {
    "lang": "en",
    "blocks": [
        ("title", "Implementation Scheme for Safe Campus Construction of Lakeside School District"),
        ("para", "This scheme is formulated in order to implement the requirements of the county education bureau on safe campus construction and to ensure the safety of teachers and students."),
        ("h1", "objectives", "1 ", "Objectives", ""),
        ("para", "All schools in the district meet the safe campus standards by the end of the year, and no serious safety accidents occur."),
        ("h1", "tasks", "2 ", "Key Tasks", ""),
        ("h2", "2.1 ", "Security staff", "every school is equipped with at least two full-time security guards."),
        ("h2", "2.2 ", "Food safety", "school canteens implement bright kitchens and sample retention for 48 hours."),
        ("h2", "2.3 ", "Traffic safety", "school buses are inspected monthly and drivers receive safety training."),
        ("h1", "safeguards", "3 ", "Safeguard Measures", ""),
        ("para", "The district office provides special funds and includes safe campus construction in the annual assessment of principals."),
        ("line", "Lakeside School District Office"),
        ("line", "March 4, 2024"),
    ],
}

CASES["bracket_headings_blank_lines"] = {
    "lang": "zh",
    "blank_lines": True,
    "blocks": [
        ("title", "白沙村2024年秸秆禁烧工作方案"),
        ("para", "为切实做好秸秆禁烧工作，改善空气质量，防止因焚烧秸秆引发火灾，结合本村实际，制定本方案。"),
        ("h1", "objectives", "【", "工作目标】", ""),
        ("para", "全年实现秸秆露天焚烧“零火点”，秸秆综合利用率达到92%以上。"),
        ("h1", "tasks", "【", "工作措施】", ""),
        ("para", "村两委干部分片包干，在重点时段昼夜巡查；组织农机手开展秸秆还田作业；设立秸秆临时堆放点。"),
        ("h1", "rewards", "【", "责任追究】", ""),
        ("para", "对责任区内出现火点的，视情节轻重追究包片干部责任。"),
        ("line", "白沙村村民委员会"),
        ("line", "2024年5月30日"),
    ],
}

# --- third round -------------------------------------------------------------------------

CASES["slogan_headings"] = {
    "lang": "zh",
    "blocks": [
        ("title", "关于进一步加强冬季安全生产工作的实施意见"),
        ("para", "入冬以来，全县安全生产形势总体平稳，但火灾、煤气中毒和道路交通事故风险明显上升。为切实做好冬季安全生产工作，提出如下意见。"),
        ("h1", "free", "一、", "提高思想认识，切实增强做好冬季安全生产工作的责任感", ""),
        ("para", "各乡镇、各部门要充分认识冬季安全生产工作的严峻性，克服麻痹思想和侥幸心理，把安全生产摆在更加突出的位置。"),
        ("h1", "tasks", "二、", "突出重点领域，全面排查整治各类安全隐患", ""),
        ("h2", "（一）", "", "加强城乡居民取暖安全管理，严防一氧化碳中毒。"),
        ("h2", "（二）", "", "加强冰雪天气道路交通安全管理，落实临时交通管制措施。"),
        ("h1", "free", "三、", "强化应急值守，确保突发事件得到及时有效处置", ""),
        ("para", "严格执行领导带班和二十四小时值班制度，遇有突发情况及时处置并按规定上报。"),
        ("line", "石门县人民政府办公室"),
        ("line", "2023年11月20日"),
    ],
}

CASES["alpha_paren_en"] = {
    "lang": "en",
    "blocks": [
        ("title", "Community Security Patrol Work Program of Sunny Garden"),
        ("para", "In order to further strengthen the public security prevention and control of the community and create a safe living environment, this program is hereby formulated."),
        ("h1", "objectives", "(A) ", "Work objectives", ""),
        ("para", "The incidence of theft in the community decreases by 20% compared with last year, and the satisfaction rate of residents reaches more than 90%."),
        ("h1", "tasks", "(B) ", "Work measures", ""),
        ("h2", "1. ", "", "Set up three patrol teams composed of security guards and volunteers."),
        ("h2", "2. ", "", "Patrol the key parts at night and record the patrol situation."),
        ("h1", "requirements", "(C) ", "Relevant requirements", ""),
        ("para", "The patrol teams should stick to their posts and report suspicious situations to the police station in time."),
        ("line", "Sunny Garden Community Neighborhood Committee"),
        ("line", "October 9, 2023"),
    ],
}

CASES["attachment_roster_after_date"] = {
    "lang": "zh",
    "blocks": [
        ("title", "凤凰社区2024年消防安全网格化管理工作方案"),
        ("para", "为落实消防安全网格化管理，夯实社区火灾防控基础，制定本方案。"),
        ("h1", "leadership", "一、", "组织领导", ""),
        ("para", "社区成立消防安全网格化管理工作领导小组，具体名单见附件。"),
        ("h1", "tasks", "二、", "工作任务", ""),
        ("h2", "（一）", "", "按楼栋划分消防安全网格，每个网格明确一名网格长。"),
        ("h2", "（二）", "", "网格长每月对网格内的出租屋、沿街商铺开展一次防火检查。"),
        ("h1", "requirements", "三、", "工作要求", ""),
        ("para", "各网格长要认真履职，检查情况每月报社区消防安全工作站。"),
        ("line", "附件：凤凰社区消防安全网格化管理工作领导小组名单"),
        ("line", "凤凰社区居民委员会"),
        ("line", "2024年2月29日"),
        ("line", "附件"),
        ("line", "凤凰社区消防安全网格化管理工作领导小组名单"),
        ("line", "组  长：何春生"),
        ("line", "副组长：罗小燕"),
        ("line", "成  员：各楼栋网格长"),
    ],
}
