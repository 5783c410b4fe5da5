"""classify_dispute / normalize_dispute_value: lexicon coverage, typos, Traditional input, priorities, offsets."""

from __future__ import annotations

import pytest

from triage import DISPUTE_TYPE_LABELS, DISPUTE_TYPES, DisputeMatch, classify_dispute, normalize_dispute_value

# (text, expected type); each type has plain, colloquial, typo/homophone and Traditional examples.
CASES = [
    # land_contract
    ("村里要把我家的承包地收回去", "land_contract"),
    ("我家责任田被村长给别人种了", "land_contract"),
    ("征地补偿款一直没发", "land_contract"),
    ("俺家口粮田的成包地合同找不到了", "land_contract"),
    ("成包地到期了村里不续", "land_contract"),  # typo
    ("土地承包合同到期了", "land_contract"),
    ("土地承包經營權能不能轉讓", "land_contract"),  # Traditional
    # homestead
    ("我家宅基地被人占了", "homestead"),
    ("他在我家房基地上盖了猪圈", "homestead"),
    ("宅机地的证办不下来", "homestead"),  # typo
    ("我家宅機地被佔了", "homestead"),  # Traditional
    ("老宅子的地兄弟几个都想要", "homestead"),
    ("庄基地批不下来", "homestead"),  # Shaanxi dialect
    # marriage_family
    ("我想离婚他不同意", "marriage_family"),
    ("女方家要二十万彩礼", "marriage_family"),
    ("订婚的财礼能要回来吗", "marriage_family"),  # typo 财礼
    ("離婚後孩子跟誰", "marriage_family"),  # Traditional
    ("娃他爹不给抚养费", "marriage_family"),
    ("孩子归谁我们谈不拢", "marriage_family"),
    # support_elderly
    ("儿子不赡养我", "support_elderly"),
    ("三个儿子都不管老人", "support_elderly"),
    ("子女不善养老人怎么办", "support_elderly"),  # typo 善养
    ("兒子不贍養老人", "support_elderly"),  # Traditional
    ("儿女都不给生活费", "support_elderly"),
    # inheritance
    ("爹留下的遗产怎么分", "inheritance"),
    ("老人走了留下的房兄弟要分", "inheritance"),
    ("我妈有遗嘱但是大哥不认", "inheritance"),
    ("这个遗铲我能继成吗", "inheritance"),  # typos
    ("父親的遺產怎麼繼承", "inheritance"),  # Traditional
    # wage_arrears
    ("干了一年活老板不给工钱", "wage_arrears"),
    ("包工头跑了工资没拿到", "wage_arrears"),
    ("包公头欠新半年了", "wage_arrears"),  # typos
    ("老闆拖欠工資三個月", "wage_arrears"),  # Traditional
    ("在工地干活摔伤了", "wage_arrears"),
    ("公司没签劳动合同就把我辞退了", "wage_arrears"),
    # neighbor
    ("邻居家的房檐滴水到我家院子", "neighbor"),
    ("隔壁天天晚上放音乐噪音太大", "neighbor"),
    ("林居把路堵了", "neighbor"),  # homophone 林居
    ("鄰居家蓋房擋光", "neighbor"),  # Traditional
    ("两家为地界吵了好几年", "neighbor"),
    # personal_injury
    ("被人打伤了住院", "personal_injury"),
    ("邻居家的狗咬了我孩子", "personal_injury"),
    ("在他家摔伤了医要费谁出", "personal_injury"),  # typo 医要费
    ("被打傷了醫藥費誰出", "personal_injury"),  # Traditional
    ("骨折了要他赔", "personal_injury"),
    # traffic_accident
    ("出了车祸对方跑了", "traffic_accident"),
    ("三轮车被追尾了", "traffic_accident"),
    ("交通是故责任怎么划分", "traffic_accident"),  # ASR homophone
    ("肇事司機逃逸了", "traffic_accident"),  # Traditional
    ("他骑摩托把我撞了", "traffic_accident"),
    # debt
    ("借钱给亲戚三年了不还", "debt"),
    ("他打了借条到期不还", "debt"),
    ("借了高利待利息太高", "debt"),  # typo
    ("他欠我錢不還有欠條", "debt"),  # Traditional
    ("我给他做了担保现在银行找我要钱还说我欠款", "debt"),
    # consumer
    ("买了假种子一颗都不发芽", "consumer"),
    ("买的化肥是假化肥", "consumer"),
    ("卖家以次冲好不给退货", "consumer"),  # typo
    ("買到假農藥", "consumer"),  # Traditional
    ("商家不给退", "consumer"),
    # property_mgmt
    ("物业费太贵了", "property_mgmt"),
    ("小区物业不管事", "property_mgmt"),
    ("务业乱收费", "property_mgmt"),  # typo
    ("物業把電梯停了", "property_mgmt"),  # Traditional
    ("小区的电梯坏了没人修", "property_mgmt"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_classify_dispute(text: str, expected: str) -> None:
    match = classify_dispute(text)
    assert match is not None, text
    assert match.value == expected


def test_every_type_but_other_has_at_least_three_cases() -> None:
    counts = {kind: sum(1 for _, expected in CASES if expected == kind) for kind in DISPUTE_TYPES}
    assert counts.pop("other") == 0
    assert min(counts.values()) >= 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("出了车祸受伤了医药费谁出", "traffic_accident"),  # traffic > personal_injury
        ("被车撞了打伤了腿", "traffic_accident"),
        ("邻居占了我家宅基地", "homestead"),  # homestead > neighbor
        ("隔壁盖房占了我家宅基", "homestead"),
        ("老人去世后留下的房子，我一直赡养他", "inheritance"),  # inheritance > support_elderly
        ("离婚的时候遗产怎么算", "inheritance"),  # inheritance > marriage_family
        ("老板欠工资打了欠条", "wage_arrears"),  # wage > debt
        ("承包地地界和邻居有争议", "land_contract"),  # land > neighbor
        ("老公家暴打伤了我", "marriage_family"),  # domestic > personal injury
        ("邻居把我打伤了", "personal_injury"),  # injury > neighbor
        ("小区里邻居噪音", "neighbor"),  # weak 小区 loses to strong 邻居
        ("借钱给邻居不还", "debt"),  # debt > neighbor
    ],
)
def test_priorities(text: str, expected: str) -> None:
    match = classify_dispute(text)
    assert match is not None
    assert match.value == expected


@pytest.mark.parametrize("text", ["", "   ", "你好", "请问在吗", "谢谢", "\ud800", "12345"])
def test_no_match_returns_none_never_other(text: str) -> None:
    assert classify_dispute(text) is None


@pytest.mark.parametrize(
    ("text", "keyword", "span"),
    [
        ("我家宅基地被占了", "宅基地", "宅基地"),
        ("我家宅機地被佔了", "宅机地", "宅機地"),
        ("\x00\x01我 家 宅 基 地", "宅基地", "宅 基 地"),
        ("ＡＢ車禍了", "车祸", "車禍"),
    ],
)
def test_offsets_index_original_text(text: str, keyword: str, span: str) -> None:
    match = classify_dispute(text)
    assert isinstance(match, DisputeMatch)
    assert match.keyword == keyword
    assert text[match.start : match.end] == span


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("homestead", "homestead"),
        ("Homestead", "homestead"),
        ("LAND_CONTRACT", "land_contract"),
        ("land contract", "land_contract"),
        ("宅基地", "homestead"),
        ("宅機地", "homestead"),
        ("欠工钱", "wage_arrears"),
        ("婚姻家庭", "marriage_family"),
        ("赡养抚养", "support_elderly"),
        ("其他", "other"),
        ("other", "other"),
        ("交通事故", "traffic_accident"),
        ("借贷", "debt"),
        ("物业", "property_mgmt"),
        ("divorce", "marriage_family"),
        (" 邻里 ", "neighbor"),
        ("", None),
        ("随便", None),
        (None, None),
    ],
)
def test_normalize_dispute_value(raw: str, expected: str | None) -> None:
    assert normalize_dispute_value(raw) == expected


def test_labels_cover_all_types_and_round_trip() -> None:
    assert set(DISPUTE_TYPE_LABELS) == set(DISPUTE_TYPES)
    for kind, label in DISPUTE_TYPE_LABELS.items():
        assert normalize_dispute_value(label) == kind
        assert normalize_dispute_value(kind) == kind
