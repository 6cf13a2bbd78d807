// The manager app (/): sign in with a key, pick a unit and a period, read its figures; a rep's own
// page. Routes (in the hash, so the daemon serves one page):
//   #/unit/<unit id>?p=month&d=2026-11-15&m=sales_amount   a unit's dashboard
//   #/rep/<rep id>?p=month&d=...                             a rep's page
// The session is the HttpOnly cookie POST /session sets; the page never stores the key. The
// key's role shows in the daemon's refusals ("key "x" (role screen) may not call ..."); a rep key
// sees one rep (GetOrgInfo is scoped), which is its own.
import {ApiError, call, signOut} from './api.js';
import {formatPeriod} from './format.js';
import {locale, t} from './i18n.js';
import {loadOrg} from './org.js';
import * as sections from './sections.js';
import {dayBounds} from './time.js';
import {askForKey, el, showRefusal} from './ui.js';

const kPeriodKinds = ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];
const kRankingMetrics = ['sales_amount', 'attainment:sales_amount', 'signings', 'payments',
                         'new_customers', 'win_rate', 'actions', 'collection_rate', 'avg_deal_size',
                         'sales_cycle', 'overdue_follow_ups'];
// Scorecards are one call each: a unit page shows its first reps' only.
const kMaxScorecards = 30;

const root = document.getElementById('root');
let org = null;
// True while showing the page home() chose, so a rep key refused there goes on to its own page.
let landing = false;

/** The key's role as a refusal names it ("(role screen)"); '' when it does not. */
function roleOf(error) {
  return /\(role (\w+)\)/.exec(error?.message ?? '')?.[1] || '';
}

/** The rep whose page is the key's own: the only rep it sees. */
function ownRep() {
  return org.reps.size === 1 ? [...org.reps.keys()][0] : '';
}

/** The route in the hash: {page: 'unit'|'rep'|'', id, period, metric}. */
function route() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [page = '', id = ''] = path.split('/').map(decodeURIComponent);
  const q = new URLSearchParams(query);
  const kind = (q.get('p') ?? 'month').toUpperCase();
  const period = {kind: kPeriodKinds.includes(kind) ? kind : 'MONTH'};
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(q.get('d') ?? '');
  if (m) period.date = {year: +m[1], month: +m[2], day: +m[3]};
  return {page, id, period, metric: q.get('m') || 'sales_amount'};
}

function href(page, id, period, metric) {
  const q = new URLSearchParams({p: period.kind.toLowerCase()});
  const d = period.date;
  if (d) q.set('d', `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`);
  if (metric && metric !== 'sales_amount') q.set('m', metric);
  return `#/${page}/${encodeURIComponent(id)}?${q}`;
}

/** The header: unit and period pickers, the signed-in key's own page, sign out. */
function header(r) {
  const units = [...org.units.values()];
  const unitSelect = el('select', {id: 'unit', 'aria-label': t('nav.unit'),
                                   onchange: (e) => { location.hash = href('unit', e.target.value, r.period, r.metric); }},
                        r.page === 'rep' ? el('option', {value: ''}, '—') : null,
                        units.map((u) => el('option', {value: u.unitId, selected: r.page === 'unit' && u.unitId === r.id},
                                            u.name || u.unitId)));
  const kindSelect = el('select', {id: 'period', 'aria-label': t('nav.period'),
                                   onchange: (e) => { location.hash = href(r.page, r.id, {...r.period, kind: e.target.value}, r.metric); }},
                        kPeriodKinds.map((k) => el('option', {value: k, selected: k === r.period.kind}, t(`kind.${k}`))));
  const d = r.period.date;
  const dateInput = el('input', {type: 'date', id: 'date', 'aria-label': t('nav.date'),
                                 value: d ? `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}` : '',
                                 onchange: (e) => {
                                   const [y, mo, da] = e.target.value.split('-').map(Number);
                                   const period = y ? {kind: r.period.kind, date: {year: y, month: mo, day: da}} : {kind: r.period.kind};
                                   location.hash = href(r.page, r.id, period, r.metric);
                                 }});
  const me = ownRep() ? el('a', {href: href('rep', ownRep(), r.period)}, t('nav.me')) : null;
  const out = el('button', {type: 'button', id: 'signout', onclick: async () => {
    await signOut();
    location.hash = '';
    location.reload();
  }}, t('signin.signout'));
  return el('header', {class: 'topbar'}, el('strong', {}, t('app.title')), unitSelect, kindSelect,
            dateInput, me, out);
}

/** Runs the calls of a page; a section whose call is refused shows the refusal in its place. */
async function settle(promises) {
  const results = await Promise.allSettled(promises);
  return results.map((r) => (r.status === 'fulfilled' ? r.value : {error: r.reason}));
}

function failed(error) {
  return el('section', {class: 'refusal inline', 'data-code': error.code}, error.message);
}

async function unitPage(r) {
  const subject = {unitId: r.id};
  const kpis = await call('KpiService', 'GetKpis', {subject, period: r.period});
  const reps = org.repsUnder(r.id).slice(0, kMaxScorecards);
  const [f, board, overdue, ...cards] = await settle([
    call('KpiService', 'GetFunnel', {subject, period: r.period}),
    call('LeaderboardService', 'GetLeaderboard',
         {board: {unitId: r.id, metric: r.metric, period: r.period}, top: 50}),
    call('KpiService', 'ListFollowUps', {subject, state: 'OVERDUE', limit: 10000}),
    ...reps.map((rep) => call('KpiService', 'GetScorecard', {subject: {repId: rep.repId}, period: r.period})),
  ]);
  const stageName = (id) => (f.stages ?? []).find((s) => s.stageId === id)?.name ?? id;
  const metrics = [...new Set([r.metric, ...kRankingMetrics])];
  return [
    el('h1', {}, kpis.subjectName || org.nameOf(r.id), ' · ', formatPeriod(kpis.period, locale)),
    el('p', {class: 'as-of', id: 'as-of'}, t('as_of', {seq: kpis.seq ?? '0'})),
    sections.kpiCards(kpis, org),
    f.error ? failed(f.error) : sections.funnel(f),
    sections.stageDurations(kpis, stageName),
    board.error ? failed(board.error)
                : sections.ranking(board, org, r.metric, metrics,
                                   (m) => { location.hash = href('unit', r.id, r.period, m); }),
    sections.scorecards(reps.map((rep, i) => [rep.repId, cards[i]]), org),
    overdue.error ? failed(overdue.error) : sections.overdueByRep(overdue, org),
    reportSection(subject, r.period),
  ];
}

async function repPage(r) {
  const subject = {repId: r.id};
  const kpis = await call('KpiService', 'GetKpis', {subject, period: r.period});
  const unitId = org.reps.get(r.id)?.unitId;
  const [from, to] = dayBounds(org.timeZone);
  const [rank, today, card] = await settle([
    unitId ? call('LeaderboardService', 'GetLeaderboard',
                  {board: {unitId, metric: r.metric, period: r.period}, memberId: r.id})
           : Promise.reject(new ApiError('not_found', 'no unit', 0)),
    call('KpiService', 'ListFollowUps', {subject, from, to}),
    call('KpiService', 'GetScorecard', {subject, period: r.period}),
  ]);
  const unitName = org.nameOf(unitId ?? '');
  const entry = rank.entries?.[0];
  const rankText = entry?.rank
      ? t('rank.of', {rank: entry.rank, members: rank.info?.members ?? '?', unit: unitName})
      : t('rank.unranked', {unit: unitName});
  return [
    el('h1', {}, kpis.subjectName || org.nameOf(r.id), ' · ', formatPeriod(kpis.period, locale)),
    el('p', {class: 'as-of', id: 'as-of'}, t('as_of', {seq: kpis.seq ?? '0'})),
    el('section', {class: 'card-section', id: 'rank'}, el('h2', {}, t('section.rank')),
       el('p', {class: 'rank-line'}, rank.error ? rank.error.message : rankText)),
    sections.kpiCards(kpis, org),
    today.error ? failed(today.error) : sections.todaysFollowUps(today, org),
    sections.scorecards([[r.id, card]], org),
  ];
}

/** The evaluation report (GetReport) for download in each format the daemon renders. */
function reportSection(subject, period) {
  const message = el('p', {class: 'message'});
  const button = (format, label, ext) => el('button', {type: 'button', 'data-format': format, onclick: async () => {
    try {
      // Money in the page's language (CSV keeps minor units for spreadsheets).
      const report = await call('KpiService', 'GetReport', {subject, period, format, locale});
      const bytes = Uint8Array.from(atob(report.content ?? ''), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([bytes], {type: report.contentType || 'application/octet-stream'}));
      const a = el('a', {href: url, download: report.filename || `report.${ext}`});
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      message.textContent = t('report.failed', {message: e.message});
    }
  }}, label);
  return el('section', {class: 'card-section', id: 'report'}, el('h2', {}, t('section.report')),
            button('CSV', t('report.csv'), 'csv'), button('MARKDOWN', t('report.md'), 'md'),
            button('HTML', t('report.html'), 'html'), message);
}

/** The page the key starts on: the first top unit it sees (a rep key is sent on to its own page
 * when the unit's figures are refused), else its rep's page. */
function home() {
  const top = [...org.units.values()].find((u) => !org.units.has(u.parentUnitId))?.unitId;
  if (top) return href('unit', top, {kind: 'MONTH'});
  return ownRep() ? href('rep', ownRep(), {kind: 'MONTH'}) : '';
}

async function render() {
  const r = route();
  if (!r.page) {
    const h = home();
    if (h) {
      landing = true;
      location.replace(h);
      return;
    }
  }
  const main = el('main', {class: 'page', 'aria-busy': 'true'}, el('p', {}, t('loading')));
  root.replaceChildren(header(r), main);
  try {
    const content = r.page === 'rep' ? await repPage(r) : await unitPage(r);
    main.replaceChildren(...content);
    main.setAttribute('aria-busy', 'false');
    landing = false;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.code === 'unauthenticated') {
      await askForKey(root);
      return start();
    }
    if (landing && e.code === 'permission_denied' && ownRep()) {
      landing = false;
      location.replace(href('rep', ownRep(), r.period));
      return;
    }
    showRefusal(main, e, roleOf(e));
    main.setAttribute('aria-busy', 'false');
  }
}

/** Loads the org (asking for a key until one is accepted), then shows the route. */
async function start() {
  for (;;) {
    try {
      org = await loadOrg();
      break;
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'unauthenticated') {
        showRefusal(root, e, roleOf(e));
        return;
      }
      await askForKey(root);
    }
  }
  await render();
}

document.title = t('app.title');
window.addEventListener('hashchange', () => { if (org) render(); });
start();
