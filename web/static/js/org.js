// What the pages know of the org: its currency, units, reps and competitions with their display
// names (KpiService.GetOrgInfo, as far as the caller's key reaches). Loaded once per page.
import {call} from './api.js';

export class Org {
  constructor(info = {}) {
    this.timeZone = info.timeZone ?? '';
    // {code, exponent}: money figures are integers in 10^-exponent of `code`.
    this.currency = {code: info.currency?.code ?? '',
                     exponent: info.currency?.minorUnitExponent ?? 2};
    this.units = new Map((info.units ?? []).map((u) => [u.unitId, u]));
    this.reps = new Map((info.reps ?? []).map((r) => [r.repId, r]));
    this.competitions = new Map((info.competitions ?? []).map((c) => [c.competitionId, c]));
    this.metrics = new Map((info.metrics ?? []).map((m) => [m.name, m]));
  }

  /** The display name of a rep or unit id; the id itself when it has none. */
  nameOf(id) {
    return this.reps.get(id)?.name || this.units.get(id)?.name || id;
  }

  /** The active reps whose team is `unitId` or a unit below it. */
  repsUnder(unitId) {
    const inside = (u) => {
      for (let id = u, hops = 0; id && hops < 64; id = this.units.get(id)?.parentUnitId, ++hops) {
        if (id === unitId) return true;
      }
      return false;
    };
    return [...this.reps.values()].filter((r) => r.active && inside(r.unitId));
  }

  /** The metric's catalogue entry ('stage_duration:x' finds the 'stage_duration' family). */
  metric(name) {
    return this.metrics.get(name) ?? this.metrics.get(name.split(':')[0]);
  }
}

/** The org as the signed-in key sees it. A daemon without GetOrgInfo gives an org without names
 * (ids are shown) and money in minor units / 100 without a currency sign. */
export async function loadOrg() {
  try {
    return new Org(await call('KpiService', 'GetOrgInfo', {}));
  } catch (e) {
    if (e.code === 'unimplemented') return new Org();
    throw e;
  }
}
