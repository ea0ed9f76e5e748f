"""The fixed questions an unannounced visit team asks in every household (暗访问题清单).

DOMAIN.md §8.2: teams carry a fixed list of questions, go straight to the household without
guides (四不两直), and ask who is the poorest family here. The list is data: a county may
print its own; these cover the household's situation, 两不愁三保障 and drinking water,
assistance received, and the cadres' conduct.
"""

from __future__ import annotations

from typing import Final

__all__ = ["VISIT_QUESTIONS"]

VISIT_QUESTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("家庭情况", "家里现在有几口人？都住在家里吗？外出务工的在哪里、做什么？"),
    ("收入", "去年全家收入大概多少？主要从哪里来？有没有明显减少？"),
    ("吃穿", "平时吃穿有没有困难？"),
    ("医疗", "家里有没有人生大病、慢性病或住院？自己花了多少钱？报销了多少？"),
    ("医疗", "家里每个人都参加医保了吗？有没有因为看病借钱？"),
    ("义务教育", "有没有 6 到 15 岁的孩子没上学、休学或经常不去学校？"),
    ("住房", "房子安全吗？下雨漏不漏、墙有没有裂缝？有没有人来鉴定过？"),
    ("饮水", "吃水方便吗？水够不够用、干不干净？一年有没有断过水、断了多久？"),
    ("帮扶措施", "享受了哪些帮扶（产业、就业、小额信贷、公益岗位、低保、教育资助等）？"),
    ("作风", "帮扶干部多久来一次？上次来做了什么？"),
    ("作风", "有没有人事先告诉你今天怎么回答？"),
    ("程序", "村里评议、公示时你知道吗？对结果有没有意见？"),
    ("其他", "你觉得村里谁家现在最困难？为什么？"),
)
