"""The pages read in Streamlit's dark theme: the menu offers the choice (System / Light / Dark) and the switch needs no
rerun; in a browser that prefers dark (the default "System"), every page the navigation offers has a dark background,
its text (cards, banners, captions) contrasts with what lies under it, no chart keeps a light background of its own,
and the text drawn in the charts contrasts with the page. Screenshots at 1400 px go to artifacts/e2e/dark/."""

from __future__ import annotations

import tomllib

import pytest
from e2e_browser import ROOT, full_screenshot, open_page, settle

# WCAG 2 contrast: 4.5 for text; 3 for the text drawn inside charts (bold titles, labels beside marks and
# WCAG's figure for graphics). Streamlit's own captions and badges are above both.
TEXT_CONTRAST = 4.5
CHART_TEXT_CONTRAST = 3.0
# Text in the dark theme's primary colour (a selected tab, a selected option) stands on the page, while the same
# colour is the background of a primary button's white text: no colour gives both 4.5, the buttons come first
# (white on it is held to TEXT_CONTRAST like any text) and the primary-coloured text to this.
PRIMARY_TEXT_CONTRAST = 3.9
DARK_PRIMARY = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]["dark"]["primaryColor"]


def _rgb(hex_colour: str) -> str:
    """'#3575d0' as the browser writes a computed colour: 'rgb(53, 117, 208)'."""
    return "rgb({}, {}, {})".format(*(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)))


# In the page: each element with text of its own, its colour over the background it stands on (the translucent
# backgrounds of its ancestors laid over each other, down to the first opaque one), as WCAG contrast.
_TEXT_CONTRASTS = """() => {
  const rgba = (s) => { const m = s.match(/[\\d.]+/g) || [0, 0, 0, 0];
    return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg; };
  const out = [];
  for (const el of document.querySelectorAll('[data-testid=stMain] *')) {
    if (el.closest('svg, canvas, [data-testid=stPlotlyChart], [data-testid=stDataFrame]')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || +st.opacity === 0) continue;
    const bg = background(el), fg = over(rgba(st.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({text: el.textContent.trim().slice(0, 60), contrast: (hi + 0.05) / (lo + 0.05), color: st.color});
  }
  return out;
}"""

# Each chart: its paper and plot-area backgrounds, and the fill of every text it draws, against the page.
_CHARTS = """() => {
  const rgba = (s) => { const m = (s || '').match(/[\\d.]+/g) || [0, 0, 0, 0];
    return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const page = rgba(getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor);
  return [...document.querySelectorAll('[data-testid=stPlotlyChart]')].map((chart, i) => {
    const fills = [...chart.querySelectorAll('.main-svg')].map(s => rgba(s.style.background))
      .concat([...chart.querySelectorAll('.bglayer rect.bg')].map(r => rgba(r.style.fill)));
    const light = fills.filter(c => c[3] > 0.5 && lum(c) > 0.6).length;
    const texts = [];
    for (const t of chart.querySelectorAll('text')) {
      const s = t.textContent.trim();
      // texts inside a funnel's bars stand on the bar (Plotly picks a contrasting colour), not on the page
      if (!s || t.closest('.hoverlayer, .heatmaplayer, .modebar, .funnellayer')) continue;
      // the names written on the tiles and the heatmap's cells stand on their own colour, not on the page
      if (t.closest('.annotation') && getComputedStyle(t).fill === 'rgb(255, 255, 255)') continue;
      const c = rgba(getComputedStyle(t).fill);
      const [hi, lo] = [lum(c), lum(page)].sort((a, b) => b - a);
      texts.push({text: s.slice(0, 40), contrast: (hi + 0.05) / (lo + 0.05)});
    }
    return {chart: i, light_backgrounds: light, texts};
  });
}"""


def _page_background_luminance(page) -> float:
    return page.evaluate(
        """() => { const m = getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor
          .match(/[\\d.]+/g).map(Number);
          const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
          return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]); }"""
    )


@pytest.fixture
def dark(browser):
    """A fresh profile whose system prefers dark: the app's default theme choice, "System", follows it."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark", locale="vi-VN")
    ctx.set_default_timeout(60_000)
    yield ctx
    ctx.close()


def test_the_menu_switches_to_the_dark_theme_and_the_charts_follow_without_a_rerun(context, server):
    visit = open_page(context, server.url, "roadmap", "lang=vi")
    page = visit.page
    assert _page_background_luminance(page) > 0.8  # a light system: light
    page.locator("[data-testid=stMainMenuButton]").click()
    for choice in ("System", "Light", "Dark"):
        assert page.locator(f"[data-testid=stMainMenuItem-theme-{choice}]").count() == 1, choice
    # the switch is the browser's alone: the script does not run again (so nothing may wait for a rerun)
    page.evaluate(
        """() => { window.__ran = false; const app = document.querySelector('[data-testid=stApp]');
          new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__ran = true; })
            .observe(app, {attributes: true}); }"""
    )
    page.locator("[data-testid=stMainMenuItem-theme-Dark]").click()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor !== 'rgb(255, 255, 255)'"
    )
    settle(page)
    assert page.evaluate("() => window.__ran") is False
    assert _page_background_luminance(page) < 0.05
    charts = page.evaluate(_CHARTS)
    assert charts and all(c["light_backgrounds"] == 0 for c in charts), charts
    # the timeline's item titles: the theme's light text, not a dark grey of the chart's own
    low = [t for c in charts for t in c["texts"] if t["contrast"] < CHART_TEXT_CONTRAST]
    assert not low, low[:10]
    assert not visit.problems()


@pytest.mark.slow  # every page again in the dark theme (about 2.5 min): run under CI=true (and --run-slow), not by a local make test
def test_every_page_reads_in_the_dark_theme(dark, server, page_paths, artifacts):
    folder = artifacts / "dark"
    folder.mkdir(exist_ok=True)
    failures = []
    for path in [p for p in page_paths if p]:
        visit = open_page(dark, server.url, path, "lang=vi")
        page = visit.page
        if _page_background_luminance(page) > 0.05:
            failures.append(f"{path}: the page is not dark")
        low = [
            t
            for t in page.evaluate(_TEXT_CONTRASTS)
            if t["contrast"] < (PRIMARY_TEXT_CONTRAST if t["color"] == _rgb(DARK_PRIMARY) else TEXT_CONTRAST)
        ]
        failures += [f"{path}: text {t['text']!r} at {t['contrast']:.2f}:1" for t in low[:5]]
        for chart in page.evaluate(_CHARTS):
            if chart["light_backgrounds"]:
                failures.append(f"{path}: chart {chart['chart']} keeps a light background")
            dim = [t for t in chart["texts"] if t["contrast"] < CHART_TEXT_CONTRAST]
            failures += [f"{path}: chart {chart['chart']} text {t['text']!r} at {t['contrast']:.2f}:1" for t in dim[:3]]
        failures += [f"{path}: {p}" for p in visit.problems()]
        full_screenshot(page, folder / f"{path}_dark_1400_vi.png", 1400)
        page.close()
    assert not failures, "\n".join(failures)
