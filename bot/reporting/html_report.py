"""The report as one self-contained HTML file: inline CSS and SVG, no
script, no external asset, so it opens from disk, from the staff page or as
a mail attachment, and a Content-Security-Policy forbids loading anything.
Every user text is escaped."""

from __future__ import annotations

import math
from html import escape
from typing import List, Sequence, Tuple

from bot.reporting.conversations import Outcome
from bot.reporting.figures import Day, ReportData

COLORS = {
    "conversations": "#5b8def",
    "questions": "#1f3d7a",
    Outcome.ANSWERED: "#2e9d5b",
    Outcome.CLARIFIED: "#e0a526",
    Outcome.DECLINED: "#d0463b",
}
LABELS = {Outcome.ANSWERED: "直接回答", Outcome.CLARIFIED: "请用户确认（猜你想问）", Outcome.DECLINED: "无法回答"}

CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px auto;max-width:1000px;
color:#222;padding:0 16px;line-height:1.5}
h1{font-size:1.6em;margin-bottom:4px}\
h2{font-size:1.2em;margin-top:32px;border-bottom:2px solid #1f3d7a;padding-bottom:4px}
.meta{color:#666;font-size:.9em}.note{background:#fff6dd;border-left:4px solid #e0a526;padding:6px 10px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:1.6em}.card span{color:#666;font-size:.85em}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{border:1px solid #ddd;padding:5px 8px;text-align:left;
vertical-align:top}th{background:#f2f4f8}td.n{text-align:right;white-space:nowrap}
.legend span{display:inline-block;margin-right:14px;font-size:.85em}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
svg text{font-size:11px;fill:#444}
"""


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


TICKS = 4


def _nice_max(value: int) -> int:
    """The axis top: TICKS equal whole-number steps just above `value`."""
    raw = max(value, 1) / TICKS
    if raw <= 10:
        return TICKS * math.ceil(raw)
    magnitude = 10 ** int(math.floor(math.log10(raw)))
    # Steps in halves of the magnitude: 15, 20, 25 ... or 150, 200 ...
    return TICKS * int(math.ceil(raw * 2 / magnitude) * magnitude // 2)


def _label_every(n: int) -> int:
    return max(1, math.ceil(n / 15))


def bars_svg(days: Sequence[Day], series: Sequence[Tuple[str, str]], width: int = 960, height: int = 260) -> str:
    """Grouped bars per day, one per (attribute, colour)."""
    if not days:
        return "<p>所选时间段内没有对话。</p>"
    left, bottom, top = 40, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    top_value = _nice_max(max(max(getattr(d, a) for a, _ in series) for d in days))
    slot = plot_w / len(days)
    bar = max(1.0, slot * 0.8 / len(series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'viewBox="0 0 {width} {height}">'
    ]
    for tick in range(TICKS + 1):
        value = top_value * tick // TICKS
        y = top + plot_h - plot_h * tick / TICKS
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    every = _label_every(len(days))
    for i, d in enumerate(days):
        x0 = left + i * slot + slot * 0.1
        for j, (attr, color) in enumerate(series):
            value = getattr(d, attr)
            h = plot_h * value / top_value
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{d.day} {attr}: {value}</title></rect>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{d.day.strftime("%m-%d")}</text>'
            )
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/></svg>')
    return "".join(parts)


def rates_svg(days: Sequence[Day], width: int = 960, height: int = 240) -> str:
    """100%-stacked bars per day: answered, clarified, declined shares of the questions."""
    if not any(d.questions for d in days):
        return "<p>所选时间段内没有提问。</p>"
    left, bottom, top = 40, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    slot = plot_w / len(days)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'viewBox="0 0 {width} {height}">'
    ]
    for tick in range(5):
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{25 * tick}%</text>'
        )
    every = _label_every(len(days))
    for i, d in enumerate(days):
        x = left + i * slot + slot * 0.1
        y = top + plot_h
        for outcome in Outcome:
            share = d.rate(outcome) or 0.0
            h = plot_h * share
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
                f'fill="{COLORS[outcome]}"><title>{d.day} {LABELS[outcome]}: '
                f"{getattr(d, outcome.value)}/{d.questions}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{d.day.strftime("%m-%d")}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(items: Sequence[Tuple[str, str]]) -> str:
    return (
        '<p class="legend">'
        + "".join(f'<span><i style="background:{c}"></i>{escape(label)}</span>' for label, c in items)
        + "</p>"
    )


def _card(value: str, label: str) -> str:
    return f'<div class="card"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def render(data: ReportData, faq_title=lambda fid: fid or "") -> str:
    t = data.totals
    period = f"{data.days[0].day} 至 {data.days[-1].day}" if data.days else "（无数据）"
    useless, useful = data.ratings_total.get("useless", 0), data.ratings_total.get("useful", 0)
    out: List[str] = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        # No script, no remote anything, even when the file is opened from disk.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>新冠疫苗接种问答助手 · 对话报告</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>新冠疫苗接种问答助手 · 对话报告</h1>",
        f'<p class="meta">时间段：{escape(period)}（北京时间）· 生成于 {data.generated:%Y-%m-%d %H:%M} · '
        "对话编号已加盐哈希，问题中的长串数字（电话、证件号）已遮盖。</p>",
        '<div class="cards">',
        _card(str(t.conversations), "对话"),
        _card(str(t.questions), "提问"),
        _card(_pct(t.answered, t.questions), "直接回答"),
        _card(_pct(t.clarified, t.questions), "请用户确认"),
        _card(_pct(t.declined, t.questions), "无法回答"),
        _card(f"{useful} / {useless}", "有用 / 没用 评价"),
        "</div>",
        "<h2>每日对话与提问</h2>",
        _legend([("对话", COLORS["conversations"]), ("提问", COLORS["questions"])]),
        bars_svg(data.days, [("conversations", COLORS["conversations"]), ("questions", COLORS["questions"])]),
        "<h2>回答、确认与无法回答的比例（按日）</h2>",
        _legend([(LABELS[o], COLORS[o]) for o in Outcome]),
        rates_svg(data.days),
    ]
    if t.clarified:
        resolved = data.clarify_resolved
        out.append(
            f"<p>请用户确认的 {t.clarified} 个问题中：点选了某个问题 {resolved.get('answered', 0)} 个，"
            f"点“都不是” {resolved.get('declined', 0)} 个，未点选 {resolved.get('none', 0)} 个。</p>"
        )
    out.append("<h2>最常见的无法回答的问题（按相似度分组）</h2>")
    out.append(f'<p class="{"note" if data.grouping_fallback else "meta"}">{escape(data.grouping_note)}</p>')
    if data.reference is not None:
        covered, uncovered = data.reference
        out.append(
            f'<p class="meta">“相似度”是与最接近的问答的余弦相似度，越高越接近。作为参照（eval/dev.yml）：'
            f"资料能回答的问题中位数 {covered:.2f}，资料未涵盖的问题中位数 {uncovered:.2f}。"
            "接近前者的组可能是机器人本应回答的说法，可用 --suggest 审核后加入训练数据。</p>"
        )
    if data.declined_groups:
        out.append(
            '<table><tr><th>#</th><th class="n">次数</th><th>问题（同组的不同说法）</th>'
            '<th>最接近的问答</th><th class="n">相似度</th></tr>'
        )
        for i, g in enumerate(data.declined_groups, 1):
            examples = "<br>".join(f"{escape(text)}" + (f"（{n}次）" if n > 1 else "") for text, n in g.examples[:8])
            more = f"<br>……另有 {len(g.examples) - 8} 种说法" if len(g.examples) > 8 else ""
            out.append(
                f'<tr><td class="n">{i}</td><td class="n">{g.count}</td><td>{examples}{more}</td>'
                f"<td>{escape(faq_title(g.nearest_faq))}<br><small>{escape(g.nearest_faq or '')}</small></td>"
                f'<td class="n">{g.nearest_score:.2f}</td></tr>'
            )
        out.append("</table>")
    else:
        out.append("<p>所选时间段内没有无法回答的问题。</p>")
    out.append("<h2>被标为“没用”的回答</h2>")
    marked = [r for r in data.rated if r.useless]
    if marked:
        out.append(
            '<table><tr><th>回答</th><th class="n">没用</th><th class="n">有用</th><th>被标为没用时用户的提问</th></tr>'
        )
        for r in marked:
            asked = "<br>".join(escape(q) for q in r.questions[:10])
            out.append(
                f"<tr><td>{escape(r.title)}<br><small>{escape(r.answer_id)}</small></td>"
                f'<td class="n">{r.useless}</td><td class="n">{r.useful}</td><td>{asked}</td></tr>'
            )
        out.append("</table>")
    else:
        out.append("<p>所选时间段内没有回答被标为“没用”。</p>")
    out.append(
        '<p class="meta">明细见同目录下的 CSV 文件：daily.csv、questions.csv、declined_groups.csv、'
        "rated_answers.csv。</p></body></html>"
    )
    return "\n".join(out)
