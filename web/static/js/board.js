// A live leaderboard: the model (a snapshot and the deltas applied to it, as
// LeaderboardService.SubscribeLeaderboard defines them) and its view, whose rows slide to their
// new places when ranks change (FLIP: First, Last, Invert, Play).
import {formatByKind} from './format.js';
import {t} from './i18n.js';
import {el} from './ui.js';

/** The board as the updates so far make it. */
export class BoardModel {
  constructor() {
    this.entries = new Map();  // member id → LeaderboardEntry (JSON).
    this.seq = '0';            // uint64 as a decimal string, as JSON carries it.
    this.info = null;
  }

  /** Applies a LeaderboardUpdate (JSON): SNAPSHOT replaces, DELTA upserts and removes. */
  apply(update) {
    if (update.kind === 'SNAPSHOT') this.entries.clear();
    for (const e of update.entries ?? []) this.entries.set(e.memberId, e);
    for (const id of update.removed ?? []) this.entries.delete(id);
    if (update.info) this.info = update.info;
    if (update.seq) this.seq = update.seq;
  }

  /** The entries in board order: by rank, unranked (rank 0) last, then by member id. */
  sorted() {
    const key = (e) => (e.rank ? e.rank : Number.MAX_SAFE_INTEGER);
    return [...this.entries.values()].sort(
        (a, b) => key(a) - key(b) || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId));
  }
}

/** An entry's value as shown: an attainment from its basis points (as a scorecard shows it, never
 * rounded up across 100 %), an infinite one (a LOWER-is-better metric's actual of 0) as ∞. */
export function boardValue(e, kind, currency, locale, options = {}) {
  if (e.defined === true && e.attainmentBp !== undefined) {
    return new Intl.NumberFormat(locale, {style: 'percent', minimumFractionDigits: 2})
        .format(Number(e.attainmentBp) / 10000);
  }
  if (e.defined === true && (e.value === 'Infinity' || e.value === Infinity)) return t('screen.infinite');
  return formatByKind(kind, e.value ?? 0, e.defined === true, currency, locale, options);
}

// How long a row takes to slide to its new place, and how long a changed value stays lit.
const kSlideMs = 600;
const kFlashMs = 1500;

/** Renders a BoardModel into a list element, animating moves. */
export class BoardView {
  /** `nameOf(id)`: a member's display name when its entry carries none; `unitOf(metric)`: the
   * metric catalogue's unit (format.js formatByKind). */
  constructor(list, {currency, locale, nameOf, unitOf = () => '', maxRows = 10}) {
    this.list = list;
    this.currency = currency;
    this.locale = locale;
    this.nameOf = nameOf;
    this.unitOf = unitOf;
    this.maxRows = maxRows;
    this.rows = new Map();  // member id → <li>
  }

  render(model) {
    const entries = model.sorted().slice(0, this.maxRows);
    const kind = model.info?.kind ?? 'COUNT';
    const unit = this.unitOf(model.info?.metric ?? '');
    // First: where every row is now.
    const first = new Map();
    for (const [id, row] of this.rows) first.set(id, row.getBoundingClientRect().top);
    const keep = new Set(entries.map((e) => e.memberId));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    // Last: every row in its new place with its new figures.
    entries.forEach((e, i) => {
      let row = this.rows.get(e.memberId);
      if (!row) {
        row = el('li', {class: 'row', 'data-member': e.memberId},
                 el('span', {class: 'rank'}), el('span', {class: 'name'}),
                 el('span', {class: 'value'}));
        this.rows.set(e.memberId, row);
      }
      const value = boardValue(e, kind, this.currency, this.locale, {compact: true, unit});
      const valueCell = row.querySelector('.value');
      if (valueCell.textContent !== value && first.has(e.memberId)) this.flash(row);
      row.querySelector('.rank').textContent = e.rank ? String(e.rank) : t('screen.unranked');
      row.querySelector('.name').textContent = e.displayName || this.nameOf(e.memberId);
      valueCell.textContent = value;
      row.dataset.rank = String(e.rank ?? 0);
      if (this.list.children[i] !== row) this.list.insertBefore(row, this.list.children[i] ?? null);
    });
    this.list.dataset.seq = model.seq;
    this.list.classList.toggle('empty', entries.length === 0);
    // Invert and play: each moved row starts where it was and slides to where it is.
    for (const [id, row] of this.rows) {
      if (!first.has(id)) continue;
      const dy = first.get(id) - row.getBoundingClientRect().top;
      if (dy === 0) continue;
      row.animate([{transform: `translateY(${dy}px)`}, {transform: 'translateY(0)'}],
                  {duration: kSlideMs, easing: 'cubic-bezier(.2,.8,.2,1)'});
    }
  }

  flash(row) {
    row.classList.add('changed');
    clearTimeout(row.flashTimer);
    row.flashTimer = setTimeout(() => row.classList.remove('changed'), kFlashMs);
  }
}
