// The TV board (/screen/...): one board, or two side by side, live over Server-Sent Events.
//
// The URLs are screen_url.js's. The key is never in the URL: a key-entry form POSTs /session,
// whose HttpOnly cookie (30 days) authenticates the calls and the EventSource, also after a
// daemon restart.
import {ApiError, boardStreamUrl, call} from './api.js';
import {BoardModel, BoardView} from './board.js';
import {formatMoney, formatPeriod} from './format.js';
import {locale, metricLabel, t} from './i18n.js';
import {loadOrg} from './org.js';
import {parseScreenUrl} from './screen_url.js';
import {askForKey, el, showRefusal} from './ui.js';

const kBannerMs = 8000;
const kMaxRetryMs = 5000;

/** Calls `fn` until the daemon answers; asks for a key when there is no session. Other refusals
 * are thrown. The session cookie holds the key for 30 days, so a restarted daemon accepts it. */
async function withSession(root, fn, setState) {
  for (let wait = 500; ; wait = Math.min(wait * 2, kMaxRetryMs)) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'unavailable') {
        setState('reconnecting');
        await new Promise((r) => setTimeout(r, wait));
      } else if (e.code === 'unauthenticated') {
        await askForKey(root, {screen: true});
      } else {
        throw e;
      }
    }
  }
}

/** One board on the screen: its panel, model, view and EventSource. */
class LiveBoard {
  constructor(spec, org, screen) {
    this.spec = spec;
    this.org = org;
    this.screen = screen;
    this.model = new BoardModel();
    this.title = el('h1', {class: 'title'});
    this.list = el('ol', {class: 'board'});
    this.panel = el('section', {class: 'panel'}, this.title, this.list);
    this.view = new BoardView(this.list, {currency: org.currency, locale,
                                          nameOf: (id) => org.nameOf(id),
                                          unitOf: (m) => org.metric(m)?.unit, maxRows: spec.top});
    this.source = null;
  }

  open() {
    const request = {...this.spec, resumeAfterSeq: this.model.seq};
    this.source = new EventSource(boardStreamUrl(request));
    this.source.onopen = () => this.screen.setState('live');
    this.source.onmessage = (ev) => this.onUpdate(JSON.parse(ev.data));
    this.source.onerror = () => {
      this.screen.setState('reconnecting');
      // CLOSED: the browser gave up (an HTTP error, e.g. the session is gone after a restart).
      if (this.source.readyState === EventSource.CLOSED) this.screen.reopen(this);
    };
  }

  close() {
    this.source?.close();
  }

  onUpdate(update) {
    this.model.apply(update);
    this.view.render(this.model);
    const info = this.model.info ?? {};
    // A point-in-time board (overdue_follow_ups, ...) is as of now, whatever the period; an
    // ascending one (fewest overdue first) says so.
    const period = info.asOfNow ? ` · ${t('board.as_of_now')}`
                 : info.board?.period ? ` · ${formatPeriod(info.board.period, locale)}` : '';
    const order = info.lowerIsBetter ? ` (${t('board.lower_is_better')})` : '';
    this.title.textContent = `${info.name || this.spec.board.unitId || this.spec.board.competitionId}` +
                             `${period} · ${metricLabel(info.metric || this.spec.board.metric || '')}` +
                             order;
    this.list.classList.toggle('vs', info.team === true && this.model.entries.size === 2);
    for (const s of update.signings ?? []) this.screen.celebrate(s);
    this.screen.updated(this.model.seq);
  }
}

class Screen {
  constructor(root) {
    this.root = root;
    this.boards = [];
    this.state = el('div', {class: 'state', id: 'state', role: 'status'});
    this.freshness = el('div', {class: 'freshness', id: 'freshness'});
    this.banner = el('div', {class: 'banner', id: 'banner', 'aria-live': 'assertive'});
    this.queue = [];
    this.lastUpdate = 0;
    this.seq = '0';
    setInterval(() => this.showFreshness(), 1000);
  }

  async start(specs) {
    const setState = (s) => this.setState(s);
    const org = await withSession(this.root, loadOrg, setState);
    this.org = org;
    // A refused board (wrong key role, unknown unit) is shown before any stream opens.
    for (const spec of specs) {
      await withSession(this.root, () => call('LeaderboardService', 'GetLeaderboard',
                                              {board: spec.board, top: 1}), setState);
    }
    this.boards = specs.map((spec) => new LiveBoard(spec, org, this));
    const grid = el('main', {class: `boards n${this.boards.length}`}, this.boards.map((b) => b.panel));
    this.root.replaceChildren(grid, this.banner, el('footer', {}, this.state, this.freshness));
    for (const b of this.boards) b.open();
  }

  setState(state) {
    document.body.dataset.state = state;
    this.state.textContent = state === 'reconnecting' ? t('screen.reconnecting') : '';
  }

  /** Reopens `board`'s stream once the daemon answers again (signing in again if need be). */
  async reopen(board) {
    board.close();
    try {
      await withSession(this.root, loadOrg, (s) => this.setState(s));
    } catch (e) {
      showRefusal(this.root, e, 'screen');
      return;
    }
    // The key form replaced the boards (the session was gone): start the page over.
    if (!this.root.contains(board.panel)) {
      location.reload();
      return;
    }
    board.open();
  }

  updated(seq) {
    this.seq = seq;
    this.lastUpdate = Date.now();
    this.showFreshness();
  }

  showFreshness() {
    if (!this.lastUpdate) return;
    const s = Math.round((Date.now() - this.lastUpdate) / 1000);
    const rtf = new Intl.RelativeTimeFormat(locale, {numeric: 'auto'});
    const ago = s < 10 ? t('screen.updated_now')
              : t('screen.updated_ago', {time: s < 120 ? rtf.format(-s, 'second')
                                                       : rtf.format(-Math.round(s / 60), 'minute')});
    this.freshness.textContent = `${t('screen.as_of', {seq: this.seq})} · ${ago}`;
    this.freshness.dataset.seq = this.seq;
  }

  celebrate(signing) {
    this.queue.push(signing);
    if (this.queue.length === 1) this.showBanner();
  }

  showBanner() {
    const s = this.queue[0];
    if (!s) {
      this.banner.classList.remove('show');
      return;
    }
    const name = s.repName || this.org.nameOf(s.repId);
    const amount = formatMoney(s.amount ?? '0', this.org.currency, locale, {compact: true});
    this.banner.textContent = t('screen.signed', {name, amount});
    this.banner.dataset.rep = s.repId;
    this.banner.classList.add('show');
    setTimeout(() => {
      this.queue.shift();
      this.showBanner();
    }, kBannerMs);
  }
}

async function main() {
  const root = document.getElementById('root');
  document.title = t('app.title');
  let specs;
  try {
    specs = parseScreenUrl(new URL(location.href));
  } catch (e) {
    root.replaceChildren(el('section', {class: 'refusal', 'data-code': 'bad_url'},
                            el('p', {}, e.message)));
    return;
  }
  try {
    await new Screen(root).start(specs);
  } catch (e) {
    if (e instanceof ApiError) showRefusal(root, e);
    else throw e;
  }
}

main();
