/**
 * The archive pack's summary.html: one self-contained page, readable offline (inline CSS, no
 * scripts, charts as PNG data URIs rendered from the console's chart options), worded with `t`.
 * It shows the KPI tiles against their targets exactly as the console words them, the review,
 * its follow-ups, and every file of the pack with its SHA-256.
 */
import { chartPng } from '../charts/render.js';
import type { Translator } from '../i18n/translator.js';
import { meetingDataView } from '../web/console/view.js';
import type { PackEntry } from './archive-content.js';
import type { MeetingReview, ReviewSection } from './meeting-review.js';

export interface SummaryInput {
  review: MeetingReview;
  sections: ReviewSection[];
  followUps: string[];
  files: readonly PackEntry[];
  builtBy: string;
  builtAt: Date;
  forcedReason: string | null;
  /** Close-out items still open when a forced pack was built. */
  openItems: readonly string[];
  perMinuteTarget: number;
  fontFile?: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:980px;color:#222;line-height:1.55;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:2px solid #5b8ff9;padding-bottom:4px;margin-top:32px}
.meta{color:#666;font-size:14px}.forced{background:#fff4e5;border-left:4px solid #f6a23c;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}th{background:#f5f7fa}
.green{color:#2a9d5c;font-weight:bold}.amber{color:#d48806;font-weight:bold}.red{color:#d9363e;font-weight:bold}.none{color:#888}
.how{color:#555;font-size:13px}.charts img{max-width:100%;border:1px solid #eee;margin:8px 0}
ul{padding-left:20px}code{font-size:12px;word-break:break-all}
`;

export function summaryHtml(t: Translator, input: SummaryInput): string {
  const { review } = input;
  const meeting = review.meeting;
  const view = meetingDataView(t, meeting, review.kpis, input.perMinuteTarget);
  const tiles = view.tiles
    .map(
      (tile) => `<tr><td>${escape(tile.label)}</td><td class="${tile.status}">${escape(tile.value)}</td><td>${escape(tile.target)}</td><td class="${tile.status}">${escape(tile.statusText)}</td>` +
        `<td class="how">${tile.how.map(escape).join('<br>')}${tile.parts.length ? `<br>${tile.parts.map((p) => `${escape(p.label)}: ${escape(p.value)}`).join(' · ')}` : ''}</td></tr>`,
    )
    .join('\n');
  const charts = Object.values(view.charts)
    .filter((c) => !c.empty)
    .map((c) => `<img alt="" src="data:image/png;base64,${chartPng(c.option, {}, input.fontFile).toString('base64')}">`)
    .join('\n');
  const sections = input.sections.map((s) => `<h3>${escape(s.title)}</h3><ul>${s.lines.map((l) => `<li>${escape(l.trim())}</li>`).join('')}</ul>`).join('\n');
  const followUps = input.followUps.length
    ? `<ol>${input.followUps.map((f) => `<li>${escape(f)}</li>`).join('')}</ol><p class="meta">${escape(t.t('archive.summary.followUpHow', { id: meeting.id }))}</p>`
    : `<p>${escape(t.t('review.noFollowUps'))}</p>`;
  const files = input.files.map((f) => `<tr><td>${escape(f.name)}</td><td>${f.size}</td><td><code>${f.sha256}</code></td></tr>`).join('\n');
  const forced = input.forcedReason
    ? `<div class="forced">${escape(t.t('archive.summary.forced', { reason: input.forcedReason, count: input.openItems.length }))}${input.openItems.length ? `<ul>${input.openItems.map((i) => `<li>${escape(i)}</li>`).join('')}</ul>` : ''}</div>`
    : '';
  return `<!DOCTYPE html>
<html lang="${escape(t.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(t.t('archive.summary.title', { id: meeting.id, title: meeting.title }))}</title><style>${STYLE}</style></head>
<body>
<h1>${escape(t.t('archive.summary.title', { id: meeting.id, title: meeting.title }))}</h1>
<p class="meta">${escape(view.meeting.line)}<br>${escape(t.t('archive.summary.built', { at: input.builtAt, by: input.builtBy }))}</p>
${forced}
<h2>${escape(t.t('archive.summary.kpis'))}</h2>
<table><thead><tr><th>${escape(t.t('archive.summary.kpi'))}</th><th>${escape(t.t('archive.summary.value'))}</th><th>${escape(t.t('archive.summary.target'))}</th><th>${escape(t.t('archive.summary.status'))}</th><th>${escape(t.t('archive.summary.how'))}</th></tr></thead>
<tbody>
${tiles}
</tbody></table>
<h2>${escape(t.t('archive.summary.charts'))}</h2>
<div class="charts">${charts || `<p class="none">${escape(t.t('archive.summary.noCharts'))}</p>`}</div>
<h2>${escape(t.t('archive.summary.review'))}</h2>
${sections}
<h3>${escape(t.t('review.followUpsTitle'))}</h3>
${followUps}
<h2>${escape(t.t('archive.summary.files'))}</h2>
<table><thead><tr><th>${escape(t.t('archive.summary.file'))}</th><th>${escape(t.t('archive.summary.bytes'))}</th><th>SHA-256</th></tr></thead>
<tbody>
${files}
</tbody></table>
</body></html>
`;
}
