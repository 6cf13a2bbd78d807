#!/usr/bin/env python3
"""The web app (web/static) in a real browser against a real salestrackd: Debian's headless
Chromium driven over the DevTools pipe (cdp.py), a daemon in a temp directory with one key per role
(harness.py), the fixed org of harness.py in November 2026.

  - pages load with no console error, no CSP violation and no request outside the daemon;
  - a board on the screen updates after an append (ack → DOM change, p50/p99 printed: the
    browser-side figure of docs/benchmarks.md), and rows change places;
  - a signing shows the banner with the rep's name and amount;
  - the daemon SIGKILLed and restarted: the screen shows "reconnecting", then recovers by itself;
  - auth refusals show clear pages (unknown key, a screen key in the manager app, a rep outside
    its scope, a bad screen URL);
  - the dashboard shows names and ¥ amounts in zh-CN and in English;
  - screenshots of the TV board (1920×1080, 1280×720) and the dashboard against goldens.

Run: tests/browser/web_e2e_test.py --salestrackd build/salestrackd [-k name] [--regenerate-goldens]
(ctest runs it as browser_e2e_test).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402
import harness  # noqa: E402
import png  # noqa: E402

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden')
# A screenshot passes when at most this share of its pixels (0.02 %: ~400 at 1920×1080) differs
# visibly from the golden: anti-aliasing may differ a little between machines, while a changed
# figure (¥0.00 → ¥0) differs in ~0.15 %.
GOLDEN_TOLERANCE = 0.0002
KEYS = {'admin': ('admin', ''), 'tv': ('screen', ''), 'boss': ('manager', 'unit_id: "east"'),
        'sun': ('rep', 'rep_id: "nj-sun"')}
MONTH = 'd=2026-11-15'
ARGS = None
_browser = None


def browser():
    global _browser
    if _browser is None:
        _browser = Browser()
    return _browser


def new_daemon():
    daemon = harness.Daemon(ARGS.salestrackd, KEYS)
    daemon.append('admin', harness.org_events())
    daemon.append('admin', harness.activity_events())
    return daemon


def expected_money(fen, locale, compact=False):
    """What the page must show for `fen` (CNY), worked out here without Intl: ¥ and grouping for
    en-US's "CN¥12,000.00", zh-CN's "¥12,000.00", and zh-CN's 万/亿 with two decimals at most;
    compact figures drop a zero fraction."""
    sign = '-' if fen < 0 else ''
    fen = abs(fen)
    if compact and locale == 'zh-CN' and fen >= 10000 * 100:
        unit, suffix = (10 ** 8 * 100, '亿') if fen >= 10 ** 8 * 100 else (10 ** 4 * 100, '万')
        scaled = (fen * 100 + unit // 2) // unit  # Hundredths of the unit, half up as Intl rounds.
        text = f'{scaled // 100}.{scaled % 100:02d}'.rstrip('0').rstrip('.')
        return f'{sign}¥{text}{suffix}'
    symbol = 'CN¥' if locale == 'en-US' else '¥'
    fraction = '' if compact and fen % 100 == 0 else f'.{fen % 100:02d}'  # Compact: no ".00".
    return f'{sign}{symbol}{fen // 100:,}{fraction}'


def sales_of(rep_id):
    """The rep's November sales in the fixed data, in fen."""
    return sum(amount for rep, amount, _ in harness.CONTRACTS if rep == rep_id)


class Page:
    """A browser tab on `daemon`, signed in with `key` (None: not signed in)."""

    def __init__(self, test, daemon, path, key=None, width=1280, height=720, languages='en-US'):
        self.page = browser().new_page(width, height, languages)
        test.addCleanup(self.page.close)
        self.daemon = daemon
        self.page.navigate(daemon.url + path)
        if key:
            self.sign_in(daemon.tokens[key])

    def sign_in(self, token):
        p = self.page
        p.wait_for("document.getElementById('key')", what='the key form')
        # Before the form, the page's first call was refused (no session): Chromium logs that
        # 401 as a failed load. Only that is allowed before signing in.
        unexpected = [e for e in p.errors() if 'status of 401' not in e[1]]
        if unexpected:
            raise AssertionError(f'errors before signing in: {unexpected}')
        p.console.clear()
        p.evaluate(f"document.getElementById('key').value = {token!r}; "
                   "document.getElementById('signin').requestSubmit()")

    def text(self, selector):
        return self.page.evaluate(f"document.querySelector({selector!r})?.innerText ?? ''")

    def assert_clean(self, test):
        """No console error, no CSP violation, nothing requested outside the daemon."""
        test.assertEqual(self.page.errors(), [])
        # data: and blob: stay in the browser (Chromium's own date-picker icon is a data: URL).
        outside = [u for u in self.page.requests
                   if urllib.parse.urlsplit(u).scheme not in ('data', 'blob', 'about')
                   and not u.startswith(self.daemon.url + '/')]
        test.assertEqual(outside, [])


class DaemonTestCase(unittest.TestCase):
    """A daemon of its own per test class, with the fixed data."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = new_daemon()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()


class ScreenLiveTest(DaemonTestCase):
    """The TV board live: appends, signings, a daemon restart. Its own daemon: it appends."""


    def open_screen(self, path='/screen/east/month/sales_amount?' + MONTH, languages='zh-CN'):
        s = Page(self, self.daemon, path, 'tv', 1920, 1080, languages)
        s.page.wait_for("document.querySelector('.board .row')", what='the board')
        return s

    def board_order(self, s):
        return s.page.evaluate(
            "[...document.querySelectorAll('.board .row')].map(r => r.dataset.member)")

    def test_board_updates_after_append_and_rows_move(self):
        s = self.open_screen()
        s.page.evaluate("""(() => {
            window.changes = [];
            const board = document.querySelector('.board');
            new MutationObserver(() => window.changes.push(
                {t: performance.timeOrigin + performance.now(), seq: board.dataset.seq}))
              .observe(board, {subtree: true, childList: true, characterData: true,
                               attributes: true, attributeFilter: ['data-seq']});
            return true;
        })()""")
        self.assertEqual(self.board_order(s)[:2], ['nj-sun', 'sh-li'])
        latencies = []
        # sh-chen climbs from the bottom: each contract moves it up the board.
        for i in range(30):
            seq, = self.daemon.append('admin', [harness.contract_event(
                f'live-{i}', 'sh-chen', 40_000_000 + i * 1_000_000, 25, customer='cu-live')])
            acked = time.time() * 1000
            change = s.page.wait_for(
                f"window.changes.find(c => BigInt(c.seq) >= {seq}n)", timeout=10,
                what=f'the board at seq {seq}')
            latencies.append(change['t'] - acked)
        self.assertEqual(self.board_order(s)[0], 'sh-chen')
        # Each row appears once: the slide animations ran on the same elements.
        order = self.board_order(s)
        self.assertEqual(len(order), len(set(order)))
        latencies.sort()
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f'\nbrowser: append ack -> board DOM change over SSE: p50 {p50:.1f} ms, '
              f'p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms (n={len(latencies)})')
        self.assertLess(p99, 1000)
        s.assert_clean(self)

    def test_signing_shows_banner_with_name_and_amount(self):
        s = self.open_screen()
        self.daemon.append('sun', [harness.contract_event('banner-1', 'nj-sun', 1_234_567_800, 26)])
        text = s.page.wait_for(
            "document.querySelector('#banner.show')?.innerText", timeout=10, what='the banner')
        self.assertIn('孙磊', text)
        self.assertIn(expected_money(1_234_567_800, 'zh-CN', compact=True), text)
        self.assertEqual(s.page.evaluate("document.getElementById('banner').dataset.rep"), 'nj-sun')
        s.assert_clean(self)

    def test_screen_recovers_after_daemon_restart(self):
        s = self.open_screen(languages='en-US')
        seq_before = int(s.page.evaluate("document.querySelector('.board').dataset.seq"))
        self.daemon.kill()
        try:
            s.page.wait_for("document.body.dataset.state === 'reconnecting' && "
                            "document.getElementById('state').innerText.includes('Reconnecting')",
                            timeout=10, what='the reconnecting state')
        finally:
            self.daemon.start()
        restarted = time.monotonic()
        s.page.wait_for("document.body.dataset.state === 'live'", timeout=30,
                        what='the screen live again')
        recovered = time.monotonic() - restarted
        seq, = self.daemon.append('admin', [harness.contract_event(
            'after-restart', 'sh-chen', 5_000_000_000, 27)])
        self.assertGreater(seq, seq_before)
        s.page.wait_for(f"BigInt(document.querySelector('.board').dataset.seq) >= {seq}n",
                        timeout=10, what=f'the board at seq {seq} after the restart')
        self.assertEqual(self.board_order(s)[0], 'sh-chen')
        print(f'\nbrowser: screen live again {recovered:.1f} s after the daemon answered')
        self.assertIn(f'as of event {seq}', s.text('#freshness'))
        # Failed loads while the daemon was down are expected; nothing else.
        self.assertEqual([e for e in s.page.errors() if 'ERR_CONNECTION_REFUSED' not in e[1]
                          and 'net::' not in e[1]], [])


class FixedDataTest(DaemonTestCase):
    """Pages over the fixed data only (nothing appended): refusals, languages, screenshots."""


    def dashboard(self, languages, key='boss', path='/#/unit/east?p=month&' + MONTH, **kw):
        d = Page(self, self.daemon, path, key, languages=languages, **kw)
        d.page.wait_for("document.querySelector('main.page[aria-busy=false]')", timeout=15,
                        what='the dashboard')
        return d

    def test_dashboard_names_and_money_in_zh_cn_and_en(self):
        total = sum(amount for _, amount, _ in harness.CONTRACTS)
        for languages, locale in (('zh-CN,zh', 'zh-CN'), ('en-US,en', 'en-US')):
            with self.subTest(locale=locale):
                d = self.dashboard(languages)
                self.assertEqual(d.text('[data-metric=sales_amount] .figure'),
                                 expected_money(total, locale, compact=True))
                ranking = d.text('#ranking')
                for name in ('孙磊', '李娜', '王芳'):
                    self.assertIn(name, ranking)
                self.assertIn(expected_money(sales_of('nj-sun'), locale), ranking)
                self.assertIn('销售额' if locale == 'zh-CN' else 'Sales', d.text('#kpis'))
                self.assertIn('华东区', d.text('h1'))
                d.assert_clean(self)

    def test_report_downloads_from_the_daemon(self):
        for languages, money in (('zh-CN,zh', '万'), ('en-US,en', '¥')):
            with self.subTest(languages=languages):
                d = self.dashboard(languages)
                # The anchor's click starts the download: keep the blob's text and the file name
                # instead (the page's CSP lets nothing fetch the blob back).
                d.page.evaluate(
                    "window.blobs = []; window.downloads = [];"
                    " const make = URL.createObjectURL;"
                    " URL.createObjectURL = (b) => { window.blobs.push(b.text()); return make(b); };"
                    " HTMLAnchorElement.prototype.click = function () {"
                    " const a = this; window.downloads.push(window.blobs.at(-1)"
                    ".then((text) => ({name: a.download, text}))); }")
                d.page.evaluate("document.querySelector('#report button[data-format=MARKDOWN]')"
                                ".click()")
                d.page.wait_for('window.downloads.length', what='the download')
                [report] = d.page.evaluate('Promise.all(window.downloads)')
                self.assertEqual(report['name'], 'report-east-2026-11-01.md')
                self.assertIn('# Team evaluation report: unit east (华东区)', report['text'])
                self.assertIn('孙磊', report['text'])
                self.assertIn(money, report['text'])
                self.assertEqual(d.text('#report .message'), '')
                d.assert_clean(self)

    def test_rep_page_shows_rank_and_figures(self):
        d = self.dashboard('en-US', key='sun', path='/#/rep/nj-sun?p=month&' + MONTH)
        self.assertIn('Rank 1 of 4 in 南京队', d.text('#rank'))
        self.assertEqual(d.text('[data-metric=sales_amount] .figure'),
                         expected_money(sales_of('nj-sun'), 'en-US', compact=True))
        d.assert_clean(self)
        # Signed in at /, a rep key lands on its own page.
        home = Page(self, self.daemon, '/', 'sun')
        home.page.wait_for("location.hash.startsWith('#/rep/nj-sun')", timeout=15,
                           what="the rep's own page")

    def test_refusals_show_clear_pages(self):
        # An unknown key: the form says so and stays.
        p = Page(self, self.daemon, '/')
        p.sign_in('st_' + '0' * 64)
        p.page.wait_for("document.getElementById('signin').dataset.refused === 'unauthenticated'",
                        what='the refusal of an unknown key')
        self.assertIn('not known', p.text('#signin .message'))
        # A screen key in the manager app.
        p = Page(self, self.daemon, '/#/unit/east', 'tv')
        p.page.wait_for("document.querySelector('.refusal')", what='the refusal page')
        self.assertIn('This key is a screen key; it may only show boards.', p.text('.refusal'))
        # A rep key outside its scope.
        p = Page(self, self.daemon, '/#/unit/sh', 'sun')
        p.page.wait_for("document.querySelector('.refusal[data-code=permission_denied]')",
                        what='the refusal page')
        self.assertIn('may not', p.text('.refusal'))
        # A screen URL naming no board.
        p = Page(self, self.daemon, '/screen/')
        p.page.wait_for("document.querySelector('.refusal[data-code=bad_url]')", what='the URL help')
        self.assertIn('/screen/UNIT', p.text('.refusal'))

    def check_golden(self, name, shot):
        path = os.path.join(GOLDEN_DIR, name)
        if ARGS.regenerate_goldens:
            os.makedirs(GOLDEN_DIR, exist_ok=True)
            with open(path, 'wb') as f:
                f.write(shot)
            return
        self.assertTrue(os.path.exists(path),
                        f'no golden {path}: run tests/browser/regenerate_goldens.sh')
        with open(path, 'rb') as f:
            share = png.difference(f.read(), shot)
        if share > GOLDEN_TOLERANCE:
            actual = os.path.join(tempfile.gettempdir(), 'actual-' + name)
            with open(actual, 'wb') as f:
                f.write(shot)
            self.fail(f'{name}: {share:.2%} of the pixels differ from the golden (at most '
                      f'{GOLDEN_TOLERANCE:.2%}); this run\'s screenshot is {actual}')

    def settle(self, page):
        """Waits for fonts and for every animation to end, so a screenshot is repeatable."""
        page.wait_for("document.fonts.ready.then(() => document.getAnimations().length === 0)")

    def test_screenshots(self):
        for name, path, width, height in (
                ('screen-1920x1080.png', '/screen/east/month/sales_amount?' + MONTH, 1920, 1080),
                ('screen-pk-1280x720.png', '/screen/nj+sh/month/sales_amount?' + MONTH, 1280, 720)):
            with self.subTest(name=name):
                s = Page(self, self.daemon, path, 'tv', width, height, 'zh-CN')
                s.page.wait_for("document.querySelector('#freshness')?.dataset.seq", what='the board')
                self.settle(s.page)
                # Layout facts: every row inside the viewport, type readable across a room.
                facts = s.page.evaluate("""(() => {
                  const rows = [...document.querySelectorAll('.board .row')];
                  return {rows: rows.length,
                          inside: rows.every(r => r.getBoundingClientRect().bottom <= innerHeight),
                          px: parseFloat(getComputedStyle(rows[0]).fontSize)};
                })()""")
                self.assertGreater(facts['rows'], 0)
                self.assertTrue(facts['inside'], facts)
                self.assertGreaterEqual(facts['px'], height * 0.04)
                self.check_golden(name, s.page.screenshot())
                s.assert_clean(self)
        # A TEAM competition of two units: head to head, side by side.
        s = Page(self, self.daemon, '/screen/c:pk-nov', 'tv', 1280, 720, 'zh-CN')
        s.page.wait_for("document.querySelectorAll('.board.vs .row').length === 2",
                        what='the PK head to head')
        self.settle(s.page)
        tops = s.page.evaluate("[...document.querySelectorAll('.board .row')]"
                               ".map(r => [r.dataset.member, r.getBoundingClientRect().top])")
        self.assertEqual([m for m, _ in tops], ['nj', 'sh'])  # 南京队 sold more in November.
        self.assertEqual(tops[0][1], tops[1][1])
        self.check_golden('screen-team-pk-1280x720.png', s.page.screenshot())
        s.assert_clean(self)
        d = self.dashboard('zh-CN,zh')
        self.settle(d.page)
        self.check_golden('dashboard-zh-1280x720.png', d.page.screenshot())


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument('--salestrackd', required=True)
    parser.add_argument('--regenerate-goldens', action='store_true')
    ARGS, rest = parser.parse_known_args()
    try:
        program = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2)
    finally:
        if _browser:
            _browser.close()
    sys.exit(0 if program.result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
