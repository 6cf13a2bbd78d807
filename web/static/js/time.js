// Instants and civil dates in the org time zone (IANA name from GetOrgInfo), for "today" and for
// showing due times as the org reads them.

/** The UTC offset of `zone` at instant `ms`, in minutes. */
function offsetMinutes(zone, ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute,
                         +parts.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** [start, end) of the civil day containing `ms` in `zone`, as RFC 3339 strings. */
export function dayBounds(zone, ms = Date.now()) {
  const z = zone || 'UTC';
  const local = new Date(ms + offsetMinutes(z, ms) * 60000);
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const start = midnight - offsetMinutes(z, midnight) * 60000;
  const next = midnight + 86400000;
  const end = next - offsetMinutes(z, next) * 60000;
  return [new Date(start).toISOString(), new Date(end).toISOString()];
}

/** An RFC 3339 instant as the org reads it (date and time in its zone). */
export function formatInstant(rfc3339, zone, locale) {
  if (!rfc3339) return '';
  return new Intl.DateTimeFormat(locale, {timeZone: zone || 'UTC', dateStyle: 'medium',
                                          timeStyle: 'short'}).format(new Date(rfc3339));
}
