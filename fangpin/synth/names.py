"""Name pools: people, natural villages, employers, schools; all drawn with numpy indices.

Given-name characters differ by sex and by birth cohort (names of people born before 1965
sound different from those born after 1995). Place-name parts follow western-Hunan usage:
natural villages often end in 寨, 坪, 冲, 湾, 坡, 溪.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.synth._arrow import BoolArray, IntArray, choice_index, concat

__all__ = [
    "CHINESE_NUMERALS",
    "add_trailing",
    "employer_pool",
    "natural_village_names",
    "person_names",
]

_MALE = {
    "old": "德 福 贵 生 发 顺 清 永 忠 光 富 昌 明 金 银 宝 祥 海 山 林 成 才 "
    "文 武 春 秋 松 柏 茂 财 官 保 寿 喜",
    "mid": "军 勇 平 华 强 伟 国 建 志 斌 波 涛 龙 云 刚 兵 红 东 辉 俊 杰 亮 峰 超 荣",
    "young": "浩 宇 俊 博 轩 睿 子 梓 航 泽 晨 杰 鹏 鑫 磊 豪 然 阳 逸 锦 宏 凯 文 "
    "振 鸿 瑞 辰 铭 皓 恒",
}
_FEMALE = {
    "old": "秀 英 兰 梅 花 玉 珍 凤 桂 翠 香 莲 菊 芝 金 银 妹 姣 娥 仙 爱 春 娇 满 巧 月",
    "mid": "芳 霞 燕 红 娟 丽 琴 敏 静 艳 群 平 英 华 梅 玲 琼 莉 萍 慧 丹 云 波",
    "young": "婷 雪 慧 颖 欣 怡 雨 涵 萱 琳 佳 思 梦 瑶 诗 悦 可 馨 蕾 晴 彤 妍 琪 倩 璐",
}


def _chars(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_POOLS: dict[tuple[bool, str], tuple[str, ...]] = {
    **{(True, era): _chars(text) for era, text in _MALE.items()},
    **{(False, era): _chars(text) for era, text in _FEMALE.items()},
}

CHINESE_NUMERALS: tuple[str, ...] = _chars(
    "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十"
)

_PLACE_FIRST = _chars(
    "龙 石 吴 麻 杨 田 彭 向 大 小 新 老 高 岩 茶 竹 枫 桃 黄 白 金 马 牛 板 排 董 夯 雅 "
    "补 卡 洞 冷 腊 苗 寨 油 桐 米 鸭 鹅 青 红 长 水 沙 雷 鼓 狮"
)
_PLACE_SECOND = _chars("头 木 板 门 子 家 桥 树 塘 水 角 湾 山 洞 坝 背 田 岩 坳 冲")
_PLACE_SUFFIX = _chars("寨 坪 冲 湾 坡 溪 坳 岭 场 坝")
_POSITION = _chars("上 下 中 新 老 大 小")

_EMPLOYER_CITIES = _chars(
    "东莞市 深圳市 广州市 佛山市 中山市 惠州市 宁波市 温州市 义乌市 杭州市 台州市 "
    "长沙市 株洲市 厦门市 晋江市 苏州市 吉首市"
)
_EMPLOYER_CITY_WEIGHTS = (18, 14, 9, 8, 6, 5, 6, 4, 4, 3, 3, 9, 3, 2, 2, 3, 1)
_EMPLOYER_BRAND = _chars(
    "宏达 鑫源 盛华 恒通 永信 精工 华美 新力 金泰 联丰 众诚 立信 鸿运 利达 天宇 嘉和 "
    "瑞丰 伟业 捷顺 安泰 德胜 汇丰 长城 星辉 海天 兴旺"
)
_EMPLOYER_TRADE = _chars(
    "电子 塑胶制品 五金制品 服装 鞋业 建筑工程 物流 家具 玩具 餐饮管理 电器 包装材料 "
    "汽车配件 纺织 印刷 光电 劳务 保安服务 食品"
)


def _era(birth_year: IntArray) -> IntArray:
    era: IntArray = np.where(birth_year < 1965, 0, np.where(birth_year < 1995, 1, 2))
    return era


def person_names(
    rng: np.random.Generator, surname: Any, is_male: BoolArray, birth_year: IntArray
) -> Any:
    """Full names: the given surname plus one (30%) or two (70%) sex- and era-typical characters."""
    n = is_male.size
    era = _era(birth_year)
    first = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    offsets: dict[tuple[bool, int], int] = {}
    flat: list[str] = []
    for male in (True, False):
        for era_index, era_name in enumerate(("old", "mid", "young")):
            offsets[(male, era_index)] = len(flat)
            flat.extend(_POOLS[(male, era_name)])
    for (male, era_index), start in offsets.items():
        size = len(_POOLS[(male, ("old", "mid", "young")[era_index])])
        rows = np.flatnonzero((is_male == male) & (era == era_index))
        first[rows] = start + rng.integers(0, size, rows.size)
        second[rows] = start + rng.integers(0, size, rows.size)
    pool = pa.array([*flat, ""], pa.string())
    two_chars = rng.random(n) < 0.7
    second = np.where(two_chars & (second != first), second, len(flat))
    return concat(surname, pool.take(pa.array(first)), pool.take(pa.array(second)))


def natural_village_names(rng: np.random.Generator, count: int) -> list[str]:
    """Plausible natural-village names, all different: 岩板坪, 龙家寨, 上麻冲 …"""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        style = rng.random()
        first = _PLACE_FIRST[rng.integers(len(_PLACE_FIRST))]
        suffix = _PLACE_SUFFIX[rng.integers(len(_PLACE_SUFFIX))]
        if style < 0.3:
            name = f"{first}家{suffix}"
        elif style < 0.45:
            name = f"{_POSITION[rng.integers(len(_POSITION))]}{first}{suffix}"
        else:
            name = f"{first}{_PLACE_SECOND[rng.integers(len(_PLACE_SECOND))]}{suffix}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def employer_pool(rng: np.random.Generator, size: int) -> tuple[list[str], IntArray]:
    """Employer names of migrant workers and Zipf-like weights (a few big employers)."""
    names: list[str] = []
    seen: set[str] = set()
    cities = choice_index(rng, _EMPLOYER_CITY_WEIGHTS, size * 2)
    for city in cities:
        brand = _EMPLOYER_BRAND[rng.integers(len(_EMPLOYER_BRAND))]
        trade = _EMPLOYER_TRADE[rng.integers(len(_EMPLOYER_TRADE))]
        name = f"{_EMPLOYER_CITIES[city]}{brand}{trade}有限公司"
        if name not in seen:
            seen.add(name)
            names.append(name)
        if len(names) == size:
            break
    weights = (1.0 / np.arange(1, len(names) + 1) ** 0.9 * 1000).astype(np.int64) + 1
    return names, weights


def add_trailing(values: Any, rows: IntArray, suffix: str) -> Any:
    """``values`` with ``suffix`` appended at ``rows`` (a few rows; used for messy names)."""
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.if_else(pa.array(mask), concat(values, suffix), values)
