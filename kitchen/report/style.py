"""The HTML report's stylesheet, inlined into every page (a report links to nothing)."""

CSS = """\
:root {
  --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --soft: #f6f7f9; --accent: #2f6fdb;
  --good: #137a43; --good-bg: #e8f6ee; --bad: #b42318; --bad-bg: #fdecea; --live-bg: #e8f0fd;
}
* { box-sizing: border-box; }
html { background: #fff; }
body {
  margin: 0; color: var(--ink); font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, "DejaVu Sans", sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 32px 28px 48px; }
header.top { border-bottom: 1px solid var(--line); padding-bottom: 14px; margin-bottom: 8px; }
.kicker {
  margin: 0; color: var(--accent); font-size: 12px; font-weight: 600; letter-spacing: .06em;
  text-transform: uppercase; }
h1 { margin: 4px 0 2px; font-size: 26px; line-height: 1.25; word-break: break-word; }
h2 {
  font-size: 18px; margin: 30px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
.sub { margin: 0; color: var(--muted); }
.lead { font-size: 15px; }
.muted { color: var(--muted); font-weight: 400; font-size: 13px; }
.note, .empty { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono",
  monospace;
  background: var(--soft); padding: 1px 5px; border-radius: 4px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px,
  1fr)); gap: 8px 24px;
  margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; margin: 6px 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td {
  text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th {
  font-weight: 600; color: var(--muted); font-size: 12px; background: var(--soft);
  white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fbfbfc; }
table.kv td:first-child { white-space: nowrap; color: var(--muted); width: 1%; }
table.samples td {
  max-width: 320px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12.5px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 14px; }
.grid.two { grid-template-columns: minmax(280px, 400px) minmax(300px, 1fr); align-items: start; }
.grid.one { grid-template-columns: minmax(0, 760px); }
figure.plot { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 6px; }
figure.plot svg { display: block; height: auto; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0 12px; }
.stat { background: var(--soft); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.stat .label { display: block; color: var(--muted); font-size: 11.5px; }
.stat .value { font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; }
.task {
  border: 1px solid var(--line); border-radius: 10px; padding: 4px 18px 12px; margin: 14px 0; }
.verdict { border-left: 4px solid var(--muted); background: var(--soft); padding: 8px 12px;
  border-radius: 0 6px 6px 0; margin: 8px 0; }
.verdict.good { border-color: var(--good); background: var(--good-bg); }
.compare-line { margin: 6px 0 0; }
.badge {
  display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: var(--soft); color: var(--muted); }
.badge.good { background: var(--good-bg); color: var(--good); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.live { background: var(--live-bg); color: var(--accent); }
details summary { cursor: pointer; color: var(--muted); font-size: 13px; margin: 8px 0 2px; }
footer {
  margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted);
  font-size: 12px; }
@media print { main { max-width: none; padding: 0; } .task, figure.plot { break-inside: avoid; } }
"""
