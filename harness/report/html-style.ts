/** The HTML report's whole stylesheet, inlined so the page is one self-contained file. */
export const HTML_REPORT_STYLE = `
:root { --ok: #1f7a3d; --ok-bg: #dcf5e3; --deny: #3d5a80; --deny-bg: #e3ebf5; --bad: #b42318; --bad-bg: #fde3e1;
  --warn: #9a6700; --warn-bg: #fff4c2; --skip-bg: #eaeef2;
  --line: #d0d7de; --muted: #59636e; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
body { margin: 0 auto; padding: 24px; max-width: 1200px; line-height: 1.45; }
h1 { margin: 0; font-size: 1.6rem; display: flex; align-items: center; gap: 12px; }
h2 { margin-top: 32px; font-size: 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; white-space: pre-wrap; word-break: break-all; }
.badge { font-size: 0.9rem; font-weight: 700; color: #fff; border-radius: 999px; padding: 2px 12px; }
.badge.pass { background: var(--ok); } .badge.fail { background: var(--bad); } .badge.incomplete { background: var(--warn); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; }
.summary { font-weight: 600; }
.grid-wrap { overflow-x: auto; }
table.grid { border-collapse: separate; border-spacing: 4px; }
table.grid th { font-weight: 600; text-align: center; padding: 4px 8px; }
table.grid th[scope="row"] { text-align: left; white-space: nowrap; position: sticky; left: 0; background: #fff; }
.method { display: inline-block; min-width: 4em; font-weight: 700; font-size: 0.8em; color: var(--muted); }
.req { font-size: 0.8em; color: var(--muted); font-weight: 400; }
.why { font-size: 0.8em; color: var(--muted); font-weight: 400; font-style: italic; margin-top: 2px; }
td.cell, td.hcell { min-width: 88px; text-align: center; border-radius: 6px; padding: 6px 8px; border: 2px solid transparent; }
td.cell a, td.hcell a { color: inherit; text-decoration: none; display: block; }
td.cell .status, td.hcell .status { display: block; font-weight: 700; font-size: 1.05rem; }
td.cell .expect, td.hcell .expect { display: block; font-size: 0.75rem; }
td.allow-ok { background: var(--ok-bg); color: var(--ok); }
td.deny-ok { background: var(--deny-bg); color: var(--deny); }
td.mismatch { background: var(--bad-bg); color: var(--bad); border-color: var(--bad); }
td.inconclusive { background: var(--warn-bg); color: var(--warn); border: 2px dashed var(--warn); }
td.missing { background: #f6f8fa; color: var(--muted); }
td.hcell.passed { background: var(--ok-bg); color: var(--ok); }
td.hcell.blocking { background: var(--bad-bg); color: var(--bad); border-color: var(--bad); }
td.hcell.below-threshold { background: var(--warn-bg); color: var(--warn); border-color: var(--warn); }
td.hcell.inconclusive { background: var(--warn-bg); color: var(--warn); border: 2px dashed var(--warn); }
td.hcell.skipped { background: var(--skip-bg); color: var(--muted); }
td.hcell.not-run { background: #f6f8fa; color: var(--muted); }
table.hostile-grid th[scope="row"] { white-space: normal; min-width: 260px; max-width: 420px; }
.sev, .tag { display: inline-block; font-size: 0.72rem; font-weight: 700; border-radius: 4px; padding: 0 6px; vertical-align: 1px; text-transform: uppercase; letter-spacing: 0.02em; }
.sev-critical { background: var(--bad); color: #fff; } .sev-high { background: var(--bad-bg); color: var(--bad); border: 1px solid var(--bad); }
.sev-policy { background: var(--warn-bg); color: var(--warn); border: 1px solid var(--warn); } .sev-advisory { background: var(--skip-bg); color: var(--muted); border: 1px solid var(--line); }
.tag { background: #fff; border: 1px solid var(--line); color: var(--muted); }
.tag.blocking { border-color: var(--bad); color: var(--bad); } .tag.below-threshold { border-color: var(--warn); color: var(--warn); }
.legend { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; font-size: 0.9em; }
.legend span::before { content: ""; display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 6px; vertical-align: -2px; }
.legend .allow-ok::before { background: var(--ok-bg); border: 1px solid var(--ok); }
.legend .deny-ok::before { background: var(--deny-bg); border: 1px solid var(--deny); }
.legend .mismatch::before { background: var(--bad-bg); border: 2px solid var(--bad); }
.legend .passed::before { background: var(--ok-bg); border: 1px solid var(--ok); }
.legend .blocking::before { background: var(--bad-bg); border: 2px solid var(--bad); }
.legend .below-threshold::before { background: var(--warn-bg); border: 2px solid var(--warn); }
.legend .inconclusive::before { background: var(--warn-bg); border: 2px dashed var(--warn); }
.legend .skipped::before { background: var(--skip-bg); border: 1px solid var(--muted); }
article.failure { border-left: 4px solid var(--bad); padding: 4px 16px; margin: 16px 0; }
article.failure h3, article.finding h3 { margin: 4px 0; font-size: 1rem; }
article.finding { border-left: 4px solid var(--bad); padding: 4px 16px; margin: 16px 0; }
article.finding.below-threshold { border-left-color: var(--warn); }
article.finding .case-title, article.finding .reference { color: var(--muted); font-size: 0.9em; }
article.finding dd { min-width: 0; } article.finding dd pre { margin: 0; }
.ssrf { border: 2px solid var(--bad); background: var(--bad-bg); border-radius: 6px; padding: 4px 16px; margin: 16px 0; }
.ssrf h3 { margin: 8px 0 4px; font-size: 1rem; color: var(--bad); }
#incomplete { border: 2px solid var(--warn); background: var(--warn-bg); border-radius: 6px; padding: 4px 16px 8px; margin: 16px 0; }
#incomplete h2 { margin-top: 8px; color: var(--warn); border-bottom-color: var(--warn); }
table.incomplete { background: #fff; } table.incomplete th[scope="row"] { font-weight: 600; white-space: nowrap; }
table.findings { border-collapse: collapse; margin-bottom: 16px; } table.findings th, table.findings td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; }
details summary { cursor: pointer; font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 12px 0; font-size: 0.9em; }
.filters output { color: var(--muted); }
td.cell.filtered-out { opacity: 0.15; }
td.own { background: #f6f8fa; color: var(--muted); }
table.peer-grid th[scope="row"] + th[scope="row"] { position: static; }
`;
