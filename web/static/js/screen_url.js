// The boards a TV board's URL names.
//
// URLs (short enough to type on a TV remote):
//   /screen/nj                          unit nj, this month, sales_amount
//   /screen/nj/week/signings            unit, period kind, metric
//   /screen/nj+sh/month/sales_amount    two units side by side (a team PK)
//   /screen/c:q4-pk                     a competition (a TEAM one ranks units)
//   ?d=2026-11-15  a date inside the period (default: now, following the period as it rolls);
//   ?n=8  rows per board (default 10). The same after '#' (/screen/#nj/month) works too.

const kPeriodKinds = {d: 'DAY', day: 'DAY', w: 'WEEK', week: 'WEEK', m: 'MONTH', month: 'MONTH',
                      q: 'QUARTER', quarter: 'QUARTER', y: 'YEAR', year: 'YEAR'};

/** The boards a /screen URL names: [{boardRef, top}], or throws Error naming what is wrong. */
export function parseScreenUrl(url) {
  const [rest, hashQuery] = url.hash.length > 1 ? url.hash.slice(1).split('?')
                                                 : [url.pathname.replace(/^\/screen\/?/, '')];
  const params = hashQuery === undefined ? url.searchParams : new URLSearchParams(hashQuery);
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) {
    throw new Error('no board: /screen/UNIT[/PERIOD[/METRIC]] or /screen/c:COMPETITION');
  }
  const top = Math.min(Math.max(parseInt(params.get('n') ?? '10', 10) || 10, 1), 50);
  if (parts[0].startsWith('c:')) {
    return parts[0].slice(2).split('+').map((id) => ({board: {competitionId: id}, top}));
  }
  const kind = kPeriodKinds[(parts[1] ?? 'month').toLowerCase()];
  if (!kind) throw new Error(`unknown period "${parts[1]}": day, week, month, quarter or year`);
  const period = {kind};
  const d = params.get('d');
  if (d) {
    const m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/.exec(d);
    if (!m) throw new Error(`d=${d}: a date YYYY-MM-DD`);
    period.date = {year: +m[1], month: +m[2], day: +(m[3] ?? 1)};
  }
  const metric = parts[2] ?? 'sales_amount';
  return parts[0].split('+').map((unitId) => ({board: {unitId, metric, period}, top}));
}
