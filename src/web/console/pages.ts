/**
 * The console's HTML: the list of a person's meetings with their KPI tiles, and the shell of one
 * meeting's page, which `static/console.js` fills from the data routes and keeps live. Every word
 * comes from the catalogues; the few the script needs travel in a JSON block (not executed, so the
 * page's script-src 'self' policy holds).
 */
import { DIETARY } from '../../../cards/meeting-cards.js';
import type { Translator } from '../../i18n/translator.js';
import type { MeetingRow } from '../../services/meetings.js';
import { escapeHtml, renderPage } from '../html.js';
import { meetingLine, type TileView } from './view.js';

const e = escapeHtml;
// The browser asks for a favicon otherwise (a 404 per page).
const HEAD = '<link rel="icon" href="data:,"><link rel="stylesheet" href="/console/static/console.css">';

function header(t: Translator, title: string, back: boolean): string {
  return `<header class="bar">
  ${back ? `<a class="back" href="/console">${e(t.t('console.page.back'))}</a>` : ''}
  <h1>${e(title)}</h1>
  <button type="button" id="sign-out" class="link">${e(t.t('console.page.signOut'))}</button>
</header>`;
}

export function tilesHtml(tiles: readonly TileView[]): string {
  return tiles
    .map(
      (tile) => `<div class="tile ${e(tile.status)}" data-kpi="${e(tile.id)}" tabindex="0">
  <div class="tile-label">${e(tile.label)}</div>
  <div class="tile-value">${e(tile.value)}</div>
  <div class="tile-target">${e(tile.target)} · <span class="tile-status">${e(tile.statusText)}</span></div>
  ${tile.parts.length ? `<ul class="tile-parts">${tile.parts.map((p) => `<li class="${e(p.status)}"><span>${e(p.label)}</span><b>${e(p.value)}</b></li>`).join('')}</ul>` : ''}
  <div class="how">${tile.how.map((h) => `<p>${e(h)}</p>`).join('')}</div>
</div>`,
    )
    .join('\n');
}

export function meetingsPage(t: Translator, entries: ReadonlyArray<{ meeting: MeetingRow; tiles: TileView[] }>, admin: boolean, csrf: string): string {
  const list = entries.length
    ? entries
        .map(
          ({ meeting, tiles }) => `<section class="meeting" data-meeting="${meeting.id}">
  <h2><a href="/console/meetings/${meeting.id}">${e(meeting.title)}</a>${meeting.status === 'cancelled' ? ` <span class="badge">${e(t.t('console.page.cancelled'))}</span>` : ''}</h2>
  <p class="muted">${e(meetingLine(t, meeting))}</p>
  <div class="tiles compact">${tilesHtml(tiles)}</div>
  <a class="button" href="/console/meetings/${meeting.id}">${e(t.t('console.page.open'))}</a>
</section>`,
        )
        .join('\n')
    : `<p class="notice">${e(t.t('console.page.noMeetings'))}</p>`;
  const title = t.t(admin ? 'console.page.allMeetings' : 'console.page.myMeetings');
  return renderPage(t, {
    title: `${title} · ${t.t('console.page.title')}`,
    csrf,
    head: `${HEAD}<script src="/console/static/console.js" defer></script>`,
    body: `${header(t, title, false)}${list}`,
  });
}

function options(t: Translator, values: ReadonlyArray<[string, string]>): string {
  return [`<option value="">${e(t.t('console.filter.any'))}</option>`, ...values.map(([v, label]) => `<option value="${e(v)}">${e(label)}</option>`)].join('');
}

/** The words `console.js` needs at run time. */
function scriptWords(t: Translator): Record<string, unknown> {
  return {
    live: t.t('console.page.live'),
    reconnecting: t.t('console.page.reconnecting'),
    failed: t.t('console.action.failed', { error: '{error}' }),
    exportFullConfirm: t.t('console.action.exportFullConfirm'),
    empty: t.t('console.chart.empty'),
    pager: t.t('console.pager.summary', { total: '{total}', page: '{page}', pages: '{pages}' }),
    noAttendees: t.t('console.board.noAttendees'),
    noIncidents: t.t('console.board.noIncidents'),
    noTasks: t.t('console.board.noTasks'),
    noChecklist: t.t('console.board.noChecklist'),
    duration: {
      seconds: t.t('incident.duration.seconds', { s: '{s}' }),
      minutes: t.t('incident.duration.minutes', { m: '{m}', s: '{s}' }),
      hours: t.t('incident.duration.hours', { h: '{h}', m: '{m}' }),
    },
  };
}

export function meetingPage(t: Translator, meeting: MeetingRow, csrf: string): string {
  const answers: Array<[string, string]> = ['yes', 'no', 'maybe', 'pending', 'noAccount'].map((r) => [r, t.t(`meeting.response.${r}`)]);
  const meals: Array<[string, string]> = DIETARY.map((d) => [d, t.t(`meeting.dietary.${d}`)]);
  const yesNo: Array<[string, string]> = [['yes', t.t('console.filter.yes')], ['no', t.t('console.filter.no')]];
  const col = (k: string) => `<th>${e(t.t(`console.column.${k}`))}</th>`;
  const words = JSON.stringify(scriptWords(t)).replace(/</g, '\\u003c');
  const chart = (id: string) => `<div class="chart-box"><div class="chart" id="chart-${id}"></div><p class="chart-empty muted" hidden>${e(t.t('console.chart.empty'))}</p></div>`;
  return renderPage(t, {
    title: `#${meeting.id} ${meeting.title} · ${t.t('console.page.title')}`,
    csrf,
    head: `${HEAD}<script type="application/json" id="console-words">${words}</script>
<script src="/console/static/echarts.min.js" defer></script>
<script src="/console/static/console.js" defer></script>`,
    body: `${header(t, meeting.title, true)}
<div id="console" data-meeting="${meeting.id}">
<p class="muted"><span id="meeting-line">${e(meetingLine(t, meeting))}</span> · <span id="live" class="live">…</span> <span id="updated" class="muted"></span></p>
<h2>${e(t.t('console.page.tiles'))}</h2>
<div class="tiles" id="tiles"></div>
<h2>${e(t.t('console.page.charts'))}</h2>
<div class="charts">${['arrivals', 'funnel', 'satisfaction', 'incidents'].map(chart).join('')}</div>

<section class="panel" id="actions">
  <h2>${e(t.t('console.action.title'))}</h2>
  <div class="actions">
    <button type="button" id="follow-up">${e(t.t('console.action.followUp'))}</button>
    <form id="check-in" class="inline"><input name="name" required maxlength="100" placeholder="${e(t.t('console.action.checkInName'))}" aria-label="${e(t.t('console.action.checkInName'))}"><button type="submit">${e(t.t('console.action.checkIn'))}</button></form>
    <button type="button" id="export" data-full="0">${e(t.t('console.action.export'))}</button>
    <button type="button" id="export-full" data-full="1">${e(t.t('console.action.exportFull'))}</button>
  </div>
  <p id="action-result" class="result" role="status"></p>
</section>

<section class="panel" id="attendees">
  <h2>${e(t.t('console.board.attendees'))}</h2>
  <form id="attendee-filter" class="filters">
    <input name="q" type="search" maxlength="100" placeholder="${e(t.t('console.filter.search'))}" aria-label="${e(t.t('console.filter.search'))}">
    <label>${e(t.t('console.filter.answer'))} <select name="answer">${options(t, answers)}</select></label>
    <label>${e(t.t('console.filter.meal'))} <select name="meal">${options(t, meals)}</select></label>
    <label>${e(t.t('console.filter.room'))} <select name="room">${options(t, yesNo)}</select></label>
    <label>${e(t.t('console.filter.checkedIn'))} <select name="checkedIn">${options(t, yesNo)}</select></label>
  </form>
  <div class="table-wrap"><table><thead><tr>${['name', 'department', 'answer', 'meal', 'room', 'checkedIn', 'phone', 'idNumber'].map(col).join('')}</tr></thead><tbody id="attendee-rows"></tbody></table></div>
  <div class="pager"><button type="button" id="prev">${e(t.t('console.pager.prev'))}</button><span id="pager-text"></span><button type="button" id="next">${e(t.t('console.pager.next'))}</button></div>
</section>

<section class="panel"><h2>${e(t.t('console.board.incidents'))}</h2><ul class="board" id="incident-rows"></ul></section>
<section class="panel"><h2>${e(t.t('console.board.tasks'))}</h2><div id="task-groups"></div></section>
<section class="panel"><h2>${e(t.t('console.board.checklist'))}</h2><ul class="board" id="checklist-rows"></ul></section>
</div>`,
  });
}
