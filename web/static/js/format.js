// Figures as people read them: money exactly (minor units are int64 strings in JSON; BigInt, never
// a double) in the org currency, with 万/亿 where a zh-CN reader expects them; counts, ratios,
// means and durations by the metric's kind.

/** `minor` (string, bigint or safe integer) in minor units as a decimal string with `exponent`
 * fraction digits: ("-123456", 2) → "-1234.56". Exact for every int64. */
export function minorToDecimal(minor, exponent) {
  let v = BigInt(typeof minor === 'number' ? Math.round(minor) : (minor ?? 0));
  const negative = v < 0n;
  if (negative) v = -v;
  let digits = v.toString();
  if (exponent > 0) {
    digits = digits.padStart(exponent + 1, '0');
    digits = `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  }
  return (negative ? '-' : '') + digits;
}

// 万 (10^4) is where a Chinese reader starts counting in 万/亿.
const kCompactFrom = 10000n;

/** Money: `minor` in the currency {code, exponent} (code may be empty: a plain number). With
 * `compact` and a zh locale, amounts from 1万 are shown in 万/亿 (two decimals at most). */
export function formatMoney(minor, currency, locale, {compact = false} = {}) {
  const exponent = currency?.exponent ?? 2;
  const decimal = minorToDecimal(minor, exponent);
  const options = currency?.code ? {style: 'currency', currency: currency.code} : {};
  const major = BigInt(decimal.split('.')[0].replace('-', ''));
  if (compact && locale.startsWith('zh') && major >= kCompactFrom) {
    return new Intl.NumberFormat(locale, {...options, notation: 'compact', minimumFractionDigits: 0,
                                          maximumFractionDigits: 2}).format(decimal);
  }
  // Intl formats a decimal string exactly (no conversion to a double). Compact figures drop a
  // zero fraction (¥0, ¥120).
  return new Intl.NumberFormat(locale, {...options, minimumFractionDigits: compact ? 0 : exponent,
                                        maximumFractionDigits: exponent}).format(decimal);
}

/** A whole count (int64 string or number). */
export function formatCount(n, locale) {
  return new Intl.NumberFormat(locale).format(BigInt(n ?? 0));
}

/** A ratio (1.0 = 100 %). */
export function formatPercent(r, locale) {
  return new Intl.NumberFormat(locale, {style: 'percent', maximumFractionDigits: 1}).format(r);
}

/** A duration in seconds, in the largest unit that keeps it readable (days, hours, minutes). */
export function formatDuration(seconds, locale) {
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'minute') {
      return new Intl.NumberFormat(locale, {style: 'unit', unit, unitDisplay: 'short',
                                            maximumFractionDigits: 1}).format(seconds / size);
    }
  }
  return '';
}

/** A figure by its MetricValue kind ('COUNT', 'MONEY', 'RATIO', 'MEAN', 'DISTRIBUTION').
 * `value` is the integer (string) for COUNT and MONEY, else a number (seconds for DISTRIBUTION);
 * undefined figures are '—'. options.unit is the metric catalogue's unit (GetOrgInfo): a MEAN in
 * 'money' (avg_deal_size, a mean of minor units) is shown as money, to the minor unit. */
export function formatByKind(kind, value, defined, currency, locale, options = {}) {
  if (!defined) return '—';
  if (options.unit === 'money' && kind !== 'MONEY') {
    return formatMoney(Math.round(Number(value)), currency, locale, options);
  }
  switch (kind) {
    case 'MONEY': return formatMoney(value, currency, locale, options);
    case 'COUNT': return formatCount(value, locale);
    case 'RATIO': return formatPercent(Number(value), locale);
    case 'DISTRIBUTION': return formatDuration(Number(value), locale);
    default:
      return new Intl.NumberFormat(locale, {maximumFractionDigits: 2}).format(Number(value));
  }
}

/** A MetricValue (JSON) formatted by its kind. */
export function formatMetric(m, currency, locale, options = {}) {
  const value = m.kind === 'DISTRIBUTION' ? m.distribution?.meanSeconds ?? 0
              : (m.kind === 'COUNT' || m.kind === 'MONEY') ? (m.integer ?? '0') : (m.real ?? 0);
  return formatByKind(m.kind, value, m.defined === true, currency, locale, options);
}

/** A Period (JSON: {kind, date: {year, month, day}}) as a heading: "November 2026", "2026 Q4". */
export function formatPeriod(period, locale) {
  const d = period?.date;
  if (!d?.year) return '';
  const date = new Date(Date.UTC(d.year, (d.month ?? 1) - 1, d.day ?? 1));
  const f = (options) => new Intl.DateTimeFormat(locale, {timeZone: 'UTC', ...options}).format(date);
  switch (period.kind) {
    case 'DAY': return f({dateStyle: 'medium'});
    case 'WEEK': return `${f({dateStyle: 'medium'})} +7`;
    case 'QUARTER': return `${d.year} Q${Math.floor(((d.month ?? 1) - 1) / 3) + 1}`;
    case 'YEAR': return String(d.year);
    default: return f({year: 'numeric', month: 'long'});
  }
}
