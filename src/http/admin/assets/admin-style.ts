/** The dashboard's stylesheet, served as /assets/admin.css: one column on a phone, a grid above. */
export const ADMIN_STYLE = `
:root { --bg: #f5f6f8; --card: #fff; --text: #1c2330; --muted: #5f6b7a; --line: #dde1e7; --accent: #2563eb; --danger: #c62828; --ok: #1b7f3b; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
main { max-width: 1120px; margin: 0 auto; padding: 16px; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; padding: 10px 16px; background: #111827; color: #e5e7eb; }
.top a { color: #e5e7eb; text-decoration: none; }
.brand { font-weight: 700; letter-spacing: .02em; }
.top nav { display: flex; flex-wrap: wrap; gap: 4px; flex: 1 1 auto; order: 3; width: 100%; }
.top nav a { padding: 6px 10px; border-radius: 6px; white-space: nowrap; }
.top nav a[aria-current="page"] { background: #374151; }
.logout { margin-left: auto; display: flex; align-items: center; gap: 8px; font-size: .85rem; }
.who { color: #9ca3af; max-width: 40vw; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
@media (min-width: 760px) { .top nav { order: 0; width: auto; } .logout { margin-left: 0; } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px; margin: 0 0 16px; }
.narrow { max-width: 380px; margin: 8vh auto; }
.muted { color: var(--muted); }
.heading { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 8px; }
.ranges { display: flex; gap: 4px; }
.ranges a { padding: 4px 10px; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; background: var(--card); font-size: .85rem; }
.ranges a[aria-current="page"] { background: var(--accent); color: #fff; border-color: var(--accent); }
.time-zone { font-size: .85rem; }
.time-zone select { font: inherit; padding: 4px 6px; border: 1px solid #c3c9d2; border-radius: 7px; background: #fff; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-bottom: 16px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
.stat span { display: block; color: var(--muted); font-size: .8rem; }
.stat strong { font-size: 1.05rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr)); gap: 0 16px; }
.chart { margin: 0 0 16px; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.chart-box { position: relative; height: 260px; }
.table-wrap { overflow-x: auto; padding: 0; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: .8rem; color: var(--muted); font-weight: 600; white-space: nowrap; }
tbody tr:last-child td, tbody tr:last-child th { border-bottom: 0; }
.num { text-align: right; white-space: nowrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; word-break: break-all; }
form { margin: 0; }
.field { display: block; margin: 0 0 12px; border: 0; padding: 0; }
.field > span, legend { display: block; font-weight: 600; margin-bottom: 4px; }
.field small { display: block; color: var(--muted); margin-top: 2px; }
.field small.error, .error { color: var(--danger); }
input[type=text], input[type=email], input[type=password], input[type=search], input:not([type]), textarea { width: 100%; padding: 9px 10px; font: inherit; border: 1px solid #c3c9d2; border-radius: 7px; background: #fff; }
textarea { resize: vertical; }
.invalid input, .invalid textarea { border-color: var(--danger); }
.check { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
button { font: inherit; padding: 9px 16px; border-radius: 7px; border: 0; background: var(--accent); color: #fff; cursor: pointer; }
button.small { padding: 4px 10px; font-size: .85rem; }
button.danger { background: var(--danger); }
button.secondary { background: var(--muted); }
button.link { background: none; color: #e5e7eb; padding: 0; text-decoration: underline; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 220px), 1fr)); gap: 0 14px; }
.inline { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px; }
.inline .field { flex: 1 1 240px; margin: 0; }
.errors { background: #fdecea; border: 1px solid #f5c2c0; color: #8a1c1c; border-radius: 8px; padding: 10px 12px; margin: 0 0 12px; }
.errors p, .errors ul { margin: 0; }
.notice { background: #e7f6ec; border: 1px solid #b7e1c4; color: var(--ok); border-radius: 8px; padding: 10px 12px; }
.secret { border-color: #f0b429; background: #fffaeb; }
.copy { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.copy code { flex: 1 1 240px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: .8rem; }
.revoked { background: #eef0f3; color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.transcript { list-style: none; padding: 0; margin: 0; }
.exchange { margin: 0 0 14px; display: flex; flex-direction: column; gap: 6px; }
.bubble { max-width: min(680px, 88%); padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.bubble p { margin: 0 0 4px; }
.bubble small { color: var(--muted); font-size: .75rem; }
.filters { display: flex; gap: 12px; margin: 0 0 12px; flex-wrap: wrap; }
form.filters { align-items: flex-end; }
form.filters label { display: flex; flex-direction: column; gap: 4px; font-size: .85rem; color: var(--muted); }
form.filters label.grow { flex: 1 1 14rem; }
select, input[type=date] { font: inherit; padding: 8px; border: 1px solid #c3c9d2; border-radius: 7px; background: #fff; }
.ticks { margin-left: 6px; font-size: .8rem; color: var(--muted); }
.ticks[data-delivery="read"], .ticks[data-delivery="played"] { color: #1d8fd8; }
.ticks[data-delivery="failed"] { color: var(--danger); }
.user { align-self: flex-start; background: var(--card); border: 1px solid var(--line); }
.bot { align-self: flex-end; background: #dbeafe; }
.tool { align-self: center; max-width: min(560px, 80%); background: #f5f3ff; border: 1px dashed #c4b5fd; font-size: .85rem; white-space: normal; }
.tool[data-state="failed"], .tool[data-state="invalid"] { border-color: var(--danger); }
.tool[data-state="unknown"] { border-color: #d97706; }
.tool pre { margin: 4px 0; white-space: pre-wrap; font-size: .8rem; }
.tool summary { cursor: pointer; color: var(--muted); font-size: .8rem; }
.agent { align-self: flex-end; background: #dcfce7; border: 1px solid #b7e1c4; }
.handoff .inline { margin-top: 8px; }
.handoff p { margin: 0 0 4px; }
.waiting { color: #9a3412; }
.reply { margin-top: 16px; }
.queue { list-style: none; margin: 0; padding: 0; }
.queue li { padding: 6px 0; border-bottom: 1px solid var(--line); }
.queue li:last-child { border-bottom: 0; }
.pager { display: flex; gap: 16px; }
td[data-participant] { white-space: nowrap; }
.message { max-width: 560px; }
`;
