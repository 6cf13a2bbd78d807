// The manager app's sections, each a function that takes what it shows (API answers as JSON) and
// returns its element: KPI cards, the funnel, stage durations, the ranking, scorecards, overdue
// follow-ups by rep, a rep's follow-ups. No calls here: app.js fetches, these render.
import {boardValue} from './board.js';
import {formatByKind, formatCount, formatMetric, formatMoney, formatPercent} from './format.js';
import {locale, metricLabel, t} from './i18n.js';
import {formatInstant} from './time.js';
import {el} from './ui.js';

// The cards a manager reads first, in this order; the rest of the figures follow in a table.
const kCardMetrics = ['sales_amount', 'signings', 'payments', 'collection_rate', 'win_rate',
                      'new_customers', 'avg_deal_size', 'actions'];
const kCardPointInTime = ['outstanding', 'overdue', 'open_pipeline'];

function section(id, title, ...children) {
  return el('section', {class: 'card-section', id}, el('h2', {}, title), ...children);
}

function table(headers, rows, attrs = {}) {
  return el('table', attrs, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
            el('tbody', {}, rows));
}

/** KPI cards from a GetKpisResponse. */
export function kpiCards(kpis, org) {
  const byName = new Map([...(kpis.metrics ?? []), ...(kpis.pointInTime ?? [])]
                             .map((m) => [m.name, m]));
  const cards = [...kCardMetrics, ...kCardPointInTime].filter((n) => byName.has(n)).map((n) => {
    const m = byName.get(n);
    return el('div', {class: 'kpi', 'data-metric': n},
              el('div', {class: 'label'}, metricLabel(n)),
              el('div', {class: 'figure'}, formatMetric(m, org.currency, locale,
                                                        {compact: true, unit: org.metric(n)?.unit})));
  });
  return section('kpis', t('section.kpis'), el('div', {class: 'kpis'}, cards));
}

/** The cohort funnel from a GetFunnelResponse: a bar per stage, its width the share of opened. */
export function funnel(f) {
  const opened = Number(f.opened ?? 0);
  const bar = (label, n, conversion, cls) => {
    const width = opened > 0 ? Math.max(2, Math.round((100 * Number(n)) / opened)) : 0;
    const fill = el('div', {class: 'fill'});
    fill.style.width = `${width}%`;
    return el('div', {class: `stage ${cls}`},
              el('div', {class: 'stage-label'}, label), el('div', {class: 'bar'}, fill),
              el('div', {class: 'stage-n'}, formatCount(n ?? 0, locale)),
              el('div', {class: 'stage-conv'},
                 conversion === undefined ? '' : `→ ${formatPercent(conversion, locale)}`));
  };
  return section('funnel', t('section.funnel'), el('div', {class: 'funnel'},
      bar(t('funnel.opened'), f.opened ?? 0, undefined, 'opened'),
      (f.stages ?? []).map((s) => bar(s.name || s.stageId, s.reached ?? 0, s.conversion, '')),
      bar(t('funnel.won'), f.won ?? 0, undefined, 'won')));
}

/** Time in stage (and the sales cycle) from a GetKpisResponse's distributions. */
export function stageDurations(kpis, stageName) {
  const d = (kpis.metrics ?? []).filter((m) => m.kind === 'DISTRIBUTION');
  const secs = (s) => formatByKind('DISTRIBUTION', s ?? 0, true, null, locale);
  const rows = d.map((m) => el('tr', {},
      el('td', {}, m.name.startsWith('stage_duration:') ? stageName(m.name.split(':')[1])
                                                         : metricLabel(m.name)),
      el('td', {class: 'num'}, formatCount(m.distribution?.count ?? 0, locale)),
      el('td', {class: 'num'}, m.defined ? secs(m.distribution?.meanSeconds) : '—'),
      el('td', {class: 'num'}, m.defined ? secs(m.distribution?.p50Seconds) : '—'),
      el('td', {class: 'num'}, m.defined ? secs(m.distribution?.p90Seconds) : '—')));
  return section('stages', t('section.stages'),
                 table(['', t('stages.count'), t('stages.mean'), t('stages.p50'), t('stages.p90')],
                       rows));
}

/** The ranking from a GetLeaderboardResponse; `onMetric` is called with a newly picked metric. */
export function ranking(board, org, metric, metrics, onMetric) {
  const kind = board.info?.kind ?? 'COUNT';
  const select = el('select', {id: 'ranking-metric', onchange: (e) => onMetric(e.target.value)},
                    metrics.map((n) => el('option', {value: n, selected: n === metric},
                                          metricLabel(n))));
  const rows = (board.entries ?? []).map((e) => el('tr', {'data-member': e.memberId},
      el('td', {class: 'num'}, e.rank ? String(e.rank) : '–'),
      el('td', {}, e.displayName || org.nameOf(e.memberId), el('span', {class: 'id'}, e.memberId)),
      el('td', {class: 'num'}, boardValue(e, kind, org.currency, locale,
                                          {unit: org.metric(metric)?.unit}))));
  // A point-in-time board is as of now whatever the period; an ascending one ranks fewest first.
  const notes = [board.info?.asOfNow ? t('board.as_of_now') : '',
                 board.info?.lowerIsBetter ? t('board.lower_is_better') : ''].filter((s) => s);
  return section('ranking', t('section.ranking'), select,
                 notes.length > 0 && el('p', {class: 'as-of', id: 'ranking-note'}, notes.join(' · ')),
                 table([t('ranking.rank'), t('ranking.rep'), t('ranking.value')], rows));
}

// A scorecard row's target-unit integer (money minor units, counts, seconds, ratio × 10000) shown
// as its kind reads.
function targetValue(kind, v, org) {
  if (v === undefined || v === null) return '—';
  const scaled = kind === 'RATIO' || kind === 'MEAN' ? Number(v) / 10000
               : kind === 'DISTRIBUTION' ? Number(v) : String(Math.round(Number(v)));
  return formatByKind(kind || 'COUNT', scaled, true, org.currency, locale);
}

/** One scorecard (GetScorecardResponse) or the refusal that stands for it ({error}). */
export function scorecard(repId, card, org) {
  const name = card.subjectName || org.nameOf(repId);
  if (card.error) {
    return el('details', {class: 'scorecard', 'data-rep': repId},
              el('summary', {}, name, ' — ', t('scorecard.none', {message: card.error.message})));
  }
  const rows = (card.rows ?? []).map((r) => el('tr', {},
      el('td', {}, r.dimension ?? ''), el('td', {}, metricLabel(r.metric ?? '')),
      el('td', {class: 'num'}, formatPercent((r.weightBp ?? 0) / 10000, locale)),
      el('td', {class: 'num'}, r.hasTarget ? targetValue(r.kind, r.target, org) : '—'),
      el('td', {class: 'num'}, targetValue(r.kind, r.actual, org)),
      el('td', {class: 'num'}, r.attainment === undefined ? '—' : formatPercent(r.attainment, locale)),
      el('td', {class: 'num'}, r.score === undefined ? '—' : r.score.toFixed(2)),
      el('td', {class: 'why'}, [r.rule, r.targetFromName || r.targetFrom, r.note]
                                   .filter(Boolean).join(' · '))));
  const summary = t('scorecard.composite', {
    score: (card.compositeScore ?? 0).toFixed(2),
    multiplier: ((card.multiplierBp ?? 0) / 10000).toFixed(2),
    commission: formatMoney(card.commission ?? '0', org.currency, locale),
  });
  return el('details', {class: 'scorecard', 'data-rep': repId, open: true},
            el('summary', {}, `${name} · ${card.schemeName || card.schemeId || ''} · ${summary}`),
            table([t('scorecard.dimension'), t('scorecard.metric'), t('scorecard.weight'),
                   t('scorecard.target'), t('scorecard.actual'), t('scorecard.attainment'),
                   t('scorecard.score'), t('scorecard.why')], rows),
            (card.notes ?? []).map((n) => el('p', {class: 'note'}, n)));
}

export function scorecards(cards, org) {
  return section('scorecards', t('section.scorecards'),
                 cards.map(([repId, card]) => scorecard(repId, card, org)));
}

/** Overdue follow-ups (ListFollowUpsResponse, state OVERDUE) grouped by rep, most first. */
export function overdueByRep(list, org) {
  const byRep = new Map();
  for (const f of list.followUps ?? []) {
    const g = byRep.get(f.repId) ?? {name: f.repName || org.nameOf(f.repId), n: 0, oldest: f.dueAt};
    g.n += 1;
    if (f.dueAt < g.oldest) g.oldest = f.dueAt;
    byRep.set(f.repId, g);
  }
  const rows = [...byRep.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
      .map(([id, g]) => el('tr', {'data-rep': id}, el('td', {}, g.name, el('span', {class: 'id'}, id)),
                           el('td', {class: 'num'}, formatCount(g.n, locale)),
                           el('td', {}, formatInstant(g.oldest, org.timeZone, locale))));
  return section('overdue', t('section.overdue'), rows.length === 0
      ? el('p', {}, t('overdue.none'))
      : table([t('ranking.rep'), t('overdue.count'), t('overdue.oldest')], rows));
}

/** A rep's follow-ups due today (ListFollowUpsResponse). */
export function todaysFollowUps(list, org) {
  const state = (f) => (f.doneAt ? t('today.done') : f.overdue ? t('today.overdue') : t('today.open'));
  const rows = (list.followUps ?? []).map((f) => el('tr', {},
      el('td', {}, f.customerId), el('td', {}, formatInstant(f.dueAt, org.timeZone, locale)),
      el('td', {}, state(f))));
  return section('today', t('section.today'), rows.length === 0
      ? el('p', {}, t('today.none'))
      : table([t('today.customer'), t('today.due'), t('today.state')], rows));
}
