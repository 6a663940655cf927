// One stylesheet for the studio and the dashboard, served from this server (the CSP allows no
// inline style). Plain CSS, no build step.

export const STUDIO_CSS = `
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2937; background: #f5f7fb; }
a { color: #1d4ed8; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid #f59e0b; outline-offset: 2px; }
[hidden] { display: none !important; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; }

/* header and navigation */
.top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 8px 16px;
  background: #1e3a8a; color: #fff; padding: 8px 24px; }
.top .brand { font-weight: 700; color: #fff; text-decoration: none; letter-spacing: .01em; }
.top .who { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; font-size: 14px; }
.top .who a { color: #dbeafe; }
.top .role { background: #1d4ed8; border: 1px solid #93c5fd; border-radius: 999px; padding: 0 8px; font-size: 12px; }
.top form { display: inline; margin: 0; }
.top button { background: transparent; color: #fff; border: 1px solid #93c5fd; padding: 3px 12px; }
nav.main { background: #fff; border-bottom: 1px solid #e2e8f0; padding: 0 24px; overflow-x: auto; }
nav.main ul { list-style: none; display: flex; gap: 4px; margin: 0; padding: 0; }
nav.main a { display: block; padding: 10px 12px; text-decoration: none; color: #334155; border-bottom: 3px solid transparent; white-space: nowrap; }
nav.main a:hover { color: #1e3a8a; }
nav.main a[aria-current="page"] { color: #1e3a8a; border-bottom-color: #1e3a8a; font-weight: 600; }
.demo { background: #fef3c7; color: #78350f; border-bottom: 2px solid #f59e0b; margin: 0; padding: 8px 24px; }

main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 64px; }
main.wide { max-width: 1440px; }
h1 { margin: 8px 0 4px; font-size: 24px; }
h2 { font-size: 18px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 12px 0 6px; }
section, .panel { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 16px; margin: 16px 0; }
section section { border: 0; padding: 0; margin: 12px 0; }
.muted, small { color: #64748b; }
.muted { margin: 4px 0 12px; }
.notice { background: #ecfdf5; border: 1px solid #6ee7b7; color: #065f46; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.alert, .error { background: #fef2f2; border: 1px solid #fca5a5; color: #991b1b; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.warn { background: #fffbeb; border: 1px solid #fcd34d; color: #78350f; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.secret { font: 600 20px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; letter-spacing: .08em; background: #fff; border: 1px dashed #1e3a8a; padding: 6px 12px; display: inline-block; user-select: all; }

/* tables */
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
th { font-size: 13px; color: #475569; }
.num { text-align: right; white-space: nowrap; }
td form { display: inline-flex; flex-wrap: wrap; gap: 4px; margin: 0 4px 4px 0; align-items: center; }
td .code { font-family: ui-monospace, monospace; }
pre.json { margin: 0; white-space: pre-wrap; word-break: break-word; font-size: 12px; max-width: 36ch; }

/* forms */
label { font-weight: 600; display: block; margin: 12px 0 4px; }
label.inline { display: inline-flex; gap: 6px; align-items: center; font-weight: 400; margin: 0; }
input, select, textarea { font: inherit; color: inherit; }
input[type=text], input[type=search], input[type=url], input[type=password], input[type=datetime-local], input:not([type]), select, textarea {
  width: 100%; padding: 6px 8px; border: 1px solid #94a3b8; border-radius: 6px; background: #fff; }
textarea { min-height: 5em; resize: vertical; }
.hint { font-size: 13px; color: #64748b; margin: 2px 0 0; }
.field-warning { color: #92400e; font-size: 14px; margin: 4px 0 0; }
.field-warning:empty { display: none; }
.field-error { color: #991b1b; font-size: 14px; margin: 4px 0 0; font-weight: 600; }
[aria-invalid="true"] { border-color: #dc2626 !important; background: #fef2f2 !important; }
button, .button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #1e3a8a; background: #1e3a8a; color: #fff; cursor: pointer;
  text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: #1e3a8a; }
button.danger { background: #b91c1c; border-color: #b91c1c; }
button.small { padding: 2px 10px; font-size: 13px; }
.row { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-end; }
.row > * { flex: 1 1 180px; }
.row > .shrink { flex: 0 0 auto; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0 0; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; margin: 8px 0; }
form.filters > div { flex: 1 1 160px; }
form.filters label { margin-top: 0; }
fieldset { border: 1px solid #e2e8f0; border-radius: 8px; margin: 16px 0 0; padding: 8px 12px 12px; }
legend { font-weight: 600; padding: 0 4px; }
.variant { margin: 8px 0; }
.variant-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.variant-head label { margin: 0; }
.pager { display: flex; gap: 12px; margin: 12px 0 0; }
.login { max-width: 380px; margin: 48px auto; background: #fff; padding: 24px; border: 1px solid #e2e8f0; border-radius: 8px; }
.login button { margin-top: 16px; width: 100%; }
.picture { margin: 16px 0 0; }
.video { margin: 16px 0 0; }
.video-info { margin: 6px 0; }
.upload { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin: 8px 0 0; }
.upload label { flex: 1 0 100%; margin: 0; font-weight: 400; font-variant-numeric: tabular-nums; }
.upload progress { flex: 1 1 240px; height: 14px; }
input[type=file]:disabled { opacity: .6; }
.thumb-current { max-width: 240px; max-height: 160px; border-radius: 6px; border: 1px solid #e2e8f0; display: block; margin: 6px 0; }

/* post editor: the form and its live preview side by side */
.editor { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 440px); gap: 24px; align-items: start; }
.editor > section { margin-top: 0; }
.preview-panel { background: #f8fafc; }
.editor .preview-panel { position: sticky; top: 8px; max-height: calc(100vh - 16px); overflow-y: auto; }
@media (max-width: 960px) { .editor { grid-template-columns: 1fr; } .editor .preview-panel { position: static; max-height: none; } }
.card { display: flex; gap: 10px; background: #fff; border: 1px solid #e2e8f0; border-radius: 10px; padding: 10px; }
.card .thumb { width: 96px; height: 96px; object-fit: cover; border-radius: 8px; flex: none; background: #e2e8f0; }
.card-media { position: relative; flex: none; width: 96px; height: 96px; }
.card-media .thumb { display: block; }
.card .no-poster { display: block; background: #334155; }
.video-mark { position: absolute; left: 4px; bottom: 4px; background: rgba(15, 23, 42, .82); color: #fff; font-size: 12px; font-weight: 600;
  line-height: 1.4; padding: 0 6px; border-radius: 999px; font-variant-numeric: tabular-nums; }
.video-note { margin: 0 0 6px; font-size: 13px; color: #78350f; background: #fffbeb; border: 1px solid #fcd34d; border-radius: 6px; padding: 4px 8px; }
.card-body { min-width: 0; }
.card-title { margin: 0; font-size: 15px; }
.card-meta { margin: 2px 0 4px; font-size: 12px; color: #475569; display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.card-text { margin: 0; font-size: 13px; white-space: pre-wrap; display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; }
.badge { border-radius: 999px; padding: 0 8px; font-size: 11px; font-weight: 700; text-transform: uppercase; }
.badge-mandatory { background: #fee2e2; color: #991b1b; }
.badge-priority { background: #fef3c7; color: #92400e; }
.status { border-radius: 999px; padding: 0 8px; font-size: 12px; font-weight: 600; background: #e2e8f0; color: #334155; white-space: nowrap; }
.status-submitted { background: #dbeafe; color: #1e40af; }
.status-changes_requested { background: #fef3c7; color: #92400e; }
.status-approved, .status-scheduled { background: #e0e7ff; color: #3730a3; }
.status-published { background: #dcfce7; color: #166534; }
.status-withdrawn { background: #fee2e2; color: #991b1b; }
.platform h3 { margin-top: 16px; }
ol.variants { margin: 0; padding: 0; list-style: none; }
ol.variants li { margin: 0 0 10px; }
.variant-label { margin: 0; font-size: 12px; color: #64748b; }
pre.inserted { margin: 2px 0; white-space: pre-wrap; word-break: break-word; font: 14px/1.45 system-ui, sans-serif; background: #fff; border: 1px solid #e2e8f0;
  border-radius: 8px; padding: 8px 10px; }
.x-count { margin: 0; font-size: 13px; color: #334155; }
.x-count.over strong { color: #b91c1c; }
.x-cut { margin: 0; font-size: 13px; color: #991b1b; }
ul.warnings { margin: 0; padding-left: 18px; color: #92400e; }
.preview-warnings h3 { margin-top: 12px; }

/* post page */
.meta-list { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
.meta-list dt { color: #64748b; }
.meta-list dd { margin: 0; }
ol.comments { list-style: none; padding: 0; margin: 0; }
ol.comments li { border-left: 3px solid #cbd5e1; padding: 4px 10px; margin: 8px 0; }
ol.comments li.request_changes { border-left-color: #f59e0b; background: #fffbeb; }
ol.comments p { margin: 2px 0; white-space: pre-wrap; }
.action-forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.action-forms form { border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 12px; background: #f8fafc; }
.action-forms label { margin-top: 0; }
.action-forms button { margin-top: 8px; }
.key { font-family: ui-monospace, monospace; word-break: break-all; }
code { font-family: ui-monospace, monospace; background: #f1f5f9; padding: 0 4px; border-radius: 4px; }

/* dashboard */
section.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; background: none; border: 0; padding: 0; }
.cards .card { display: block; }
.cards .card span { display: block; color: #64748b; font-size: 13px; }
.cards .card strong { font-size: 26px; }
meter { width: 80px; vertical-align: middle; }
.chart { width: 100%; height: auto; font-size: 11px; }
.chart .bar { fill: #2563eb; }
.chart .axis { stroke: #94a3b8; }
.chart text { fill: #64748b; }
.alerts { border-color: #f87171; }
`;
