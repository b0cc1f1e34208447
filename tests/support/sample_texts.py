"""Sample user texts shared by the embedding tests."""

# Chinese questions a user might type: Simplified and Traditional, full-width
# punctuation and digits, the full-width tilde that plain NFKC would change.
CHINESE_STRINGS = [
    "新冠疫苗加强针什么时候打？",
    "接種疫苗後，可以喝酒嗎？",
    "打完疫苗能不能饮酒～",
    "两剂次间隔3～8周，对吗？",
    "孕妇可以打新冠疫苗吗！！",
    "台灣的疫苗接種率如何？",
    "（副作用）有哪些：发烧、头痛……",
    "「加强针」是什么？",
    "《新冠病毒疫苗接种技术指南》第一版",
    "６０岁以上老人需要打第三针吗？",
    "ＣＯＶＩＤ－１９ 灭活疫苗",
    "我有高血压, 能打吗?",
    "  疫苗   接种   点  在哪里  ",
    "腺病毒載體疫苗只需要接種一劑；",
    "query: 加强免疫是怎么回事",
    "passage: 国家卫健委：18岁以上人群可接种加强针。",
]
