/** The console's one stylesheet, served as /console.css (the CSP allows styles from 'self' only). */
export const CONSOLE_CSS = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #dde1ea; --bg: #f6f7fa; --card: #fff;
  --accent: #3b4fd8; --ok: #137a3c; --warn: #9a5b00; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 24px; align-items: center; padding: 10px 24px; background: #1d2330; color: #fff; }
header a { color: #cfd6ff; text-decoration: none; }
header a:hover { color: #fff; }
header .brand { font-weight: 600; color: #fff; }
header .server { margin-left: auto; color: #aab3c5; font-size: 12px; }
main { padding: 20px 24px; max-width: 1200px; }
h1 { font-size: 20px; margin: 0 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef0f5; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { margin: 4px 0 0; padding: 8px 10px; background: #f1f3f8; border: 1px solid var(--line); border-radius: 4px;
  white-space: pre-wrap; word-break: break-word; max-height: 320px; overflow: auto; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 0 0 14px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid #c3c9d6; border-radius: 4px; background: #fff; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #e8ebf3; }
.status.completed { background: #dff3e6; color: var(--ok); }
.status.failure { background: #fbe3e1; color: var(--bad); }
.status.suspended, .status.paused { background: #fff1d6; color: var(--warn); }
.status.running, .status.backing-off { background: #e2e7ff; color: var(--accent); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: var(--card); border: 1px solid var(--line); padding: 12px 16px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.timeline { list-style: none; padding: 0; margin: 0; }
.timeline li { background: var(--card); border: 1px solid var(--line); border-left: 3px solid var(--accent); padding: 8px 12px; margin: 0 0 8px; }
.timeline li.notification { border-left-color: #8a93a8; }
.timeline .head { display: flex; gap: 12px; align-items: baseline; }
.timeline .index { color: var(--muted); font-variant-numeric: tabular-nums; }
.timeline .time { margin-left: auto; color: var(--muted); font-size: 12px; }
.value { margin: 6px 0 0; }
.value .label { font-size: 12px; color: var(--muted); }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 3px; margin-left: 6px; vertical-align: 1px; }
.badge.decrypted { background: #dff3e6; color: var(--ok); }
.badge.plaintext { background: #fff1d6; color: var(--warn); }
.badge.unreadable { background: #fbe3e1; color: var(--bad); }
.reason { color: var(--bad); }
.failure { color: var(--bad); }
.notice { background: #fff8e6; border: 1px solid #f0d9a0; padding: 8px 12px; border-radius: 4px; margin: 0 0 14px; }
.error { background: #fdecea; border: 1px solid #f3b8b2; padding: 10px 14px; border-radius: 4px; color: var(--bad); }
.progress { color: var(--muted); font-size: 12px; margin: 0; }
.pager { display: flex; gap: 16px; margin: 12px 0; }
.muted { color: var(--muted); }
.login { max-width: 420px; background: var(--card); border: 1px solid var(--line); padding: 20px; border-radius: 6px; }
.login input { width: 100%; margin: 8px 0 12px; }
`;
