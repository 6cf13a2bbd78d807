#!/usr/bin/env python3
"""The web app's pure modules (web/static/js: money, the board model, screen URLs) in a real
browser: headless Chromium (cdp.py) loads them from a local static file server (Python's
http.server over web/static; no daemon, no API) and the expected values are worked out here.

Run: tests/browser/web_modules_test.py [-k name]   (ctest runs it as browser_modules_test)
"""

import functools
import http.server
import json
import os
import sys
import threading
import unittest

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'web', 'static')
INT64_MAX, INT64_MIN = 2 ** 63 - 1, -2 ** 63


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """web/static's files, and /blank: an empty page to import the modules into."""

    def do_GET(self):
        if self.path != '/blank':
            return super().do_GET()
        body = b'<!doctype html><link rel="icon" href="/favicon.svg"><title>modules</title>'
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class ModulesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        handler = functools.partial(StaticHandler, directory=STATIC)
        cls.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.browser = Browser()
        cls.page = cls.browser.new_page()
        cls.page.navigate(f'http://127.0.0.1:{cls.server.server_port}/blank')

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.server.shutdown()

    def js(self, module, expression):
        """`expression` evaluated with `module`'s exports as `m`."""
        return self.page.evaluate(f"import('/js/{module}').then((m) => {expression})")

    def test_money_is_exact_at_int64_edges(self):
        for minor, exponent, expected in (
                (INT64_MAX, 2, '92233720368547758.07'), (INT64_MIN, 2, '-92233720368547758.08'),
                (5, 2, '0.05'), (-5, 2, '-0.05'), (0, 2, '0.00'), (1234, 0, '1234'),
                (1, 3, '0.001'), (INT64_MAX, 4, '922337203685477.5807')):
            with self.subTest(minor=minor, exponent=exponent):
                self.assertEqual(self.js('format.js', f"m.minorToDecimal('{minor}', {exponent})"),
                                 expected)
        cny = "{code: 'CNY', exponent: 2}"
        self.assertEqual(self.js('format.js', f"m.formatMoney('{INT64_MAX}', {cny}, 'en-US')"),
                         f'CN¥{INT64_MAX // 100:,}.{INT64_MAX % 100:02d}')
        self.assertEqual(self.js('format.js', f"m.formatMoney('{INT64_MIN}', {cny}, 'zh-CN')"),
                         f'-¥{-INT64_MIN // 100:,}.{-INT64_MIN % 100:02d}')

    def test_zh_cn_shows_wan_and_yi(self):
        cny = "{code: 'CNY', exponent: 2}"
        for minor, expected in (('1000000000', '¥1000万'), ('123456789012', '¥12.35亿'),
                                ('1234500', '¥1.23万'), ('999999', '¥9,999.99'),
                                ('-1000000000', '-¥1000万')):
            with self.subTest(minor=minor):
                self.assertEqual(self.js('format.js', f"m.formatMoney('{minor}', {cny}, 'zh-CN', "
                                                      "{compact: true})"), expected)
        # English keeps the whole amount even when asked for compact; compact drops a zero fraction.
        self.assertEqual(self.js('format.js', f"m.formatMoney('1000000000', {cny}, 'en-US', "
                                              "{compact: true})"), 'CN¥10,000,000')
        self.assertEqual(self.js('format.js', f"m.formatMoney('0', {cny}, 'zh-CN', "
                                              "{compact: true})"), '¥0')

    def test_a_mean_in_money_is_money(self):
        # avg_deal_size: a MEAN whose catalogue unit is 'money' (a mean of minor units).
        cny = "{code: 'CNY', exponent: 2}"
        self.assertEqual(
            self.js('format.js', f"m.formatByKind('MEAN', 268817460.14, true, {cny}, 'en-US', "
                                 "{unit: 'money'})"), 'CN¥2,688,174.60')
        self.assertEqual(
            self.js('format.js', f"m.formatByKind('MEAN', 4.25, true, {cny}, 'en-US', "
                                 "{unit: 'number'})"), '4.25')

    def test_board_model_applies_snapshot_and_deltas(self):
        updates = [
            {'seq': '5', 'kind': 'SNAPSHOT', 'entries': [
                {'memberId': 'b', 'rank': 1, 'value': 9, 'defined': True},
                {'memberId': 'a', 'rank': 2, 'value': 5, 'defined': True},
                {'memberId': 'z'},  # Undefined, unranked: every default field omitted.
                {'memberId': 'c', 'rank': 2, 'value': 5, 'defined': True}]},
            {'seq': '9', 'kind': 'DELTA', 'entries': [
                {'memberId': 'c', 'rank': 1, 'value': 12, 'defined': True, 'previousRank': 2},
                {'memberId': 'b', 'rank': 2, 'value': 9, 'defined': True, 'previousRank': 1}],
             'removed': ['a']},
        ]
        order = self.js('board.js', f"""(() => {{
            const model = new m.BoardModel(), seen = [];
            for (const u of {json.dumps(updates)}) {{
              model.apply(u);
              seen.push([model.seq, model.sorted().map((e) => e.memberId)]);
            }}
            return seen;
        }})()""")
        self.assertEqual(order, [['5', ['b', 'a', 'c', 'z']], ['9', ['c', 'b', 'z']]])

    def test_board_values_of_attainment_and_point_in_time_boards(self):
        cny = "{code: 'CNY', exponent: 2}"
        def value(entry, kind='RATIO'):
            return self.js('board.js', f"m.boardValue({json.dumps(entry)}, '{kind}', {cny}, "
                                       "'en-US', {compact: true})")
        # An attainment from its floored basis points: 79.999 % reads 79.99 %, never 80.0 %.
        self.assertEqual(value({'defined': True, 'value': 0.79999, 'attainmentBp': '7999'}),
                         '79.99%')
        self.assertEqual(value({'defined': True, 'value': 1.8531, 'attainmentBp': '18531'}),
                         '185.31%')
        # Infinite (a LOWER-is-better metric's actual of 0), as proto JSON writes it.
        self.assertEqual(value({'defined': True, 'value': 'Infinity'}), '∞')
        self.assertEqual(value({'memberId': 'x'}), '—')
        self.assertEqual(value({'defined': True, 'value': 3}, 'COUNT'), '3')
        self.assertEqual(self.js('i18n.js', "m.metricLabel('attainment:sales_amount')"),
                         'Attainment · Sales')
        self.assertEqual(self.js('i18n.js', "m.metricLabel('overdue_follow_ups')"),
                         'Overdue follow-ups')

    def test_screen_urls(self):
        def parse(url):
            return self.js('screen_url.js',
                           f"(() => {{ try {{ return m.parseScreenUrl(new URL({url!r})); }} "
                           "catch (e) { return {error: e.message}; } })()")
        month = {'kind': 'MONTH'}
        self.assertEqual(parse('http://h/screen/nj'),
                         [{'board': {'unitId': 'nj', 'metric': 'sales_amount', 'period': month},
                           'top': 10}])
        two = parse('http://h/screen/nj+sh/w/signings?d=2026-11-15&n=5')
        self.assertEqual([b['board']['unitId'] for b in two], ['nj', 'sh'])
        self.assertEqual(two[0], {'board': {'unitId': 'nj', 'metric': 'signings', 'period': {
            'kind': 'WEEK', 'date': {'year': 2026, 'month': 11, 'day': 15}}}, 'top': 5})
        self.assertEqual(parse('http://h/screen/#sh/quarter?n=500'),
                         [{'board': {'unitId': 'sh', 'metric': 'sales_amount',
                                     'period': {'kind': 'QUARTER'}}, 'top': 50}])
        self.assertEqual(parse('http://h/screen/c:q4-pk'), [{'board': {'competitionId': 'q4-pk'},
                                                             'top': 10}])
        self.assertIn('unknown period "fortnight"', parse('http://h/screen/nj/fortnight')['error'])
        self.assertIn('d=11/15: a date', parse('http://h/screen/nj?d=11/15')['error'])
        self.assertIn('/screen/UNIT', parse('http://h/screen/')['error'])

    def test_day_bounds_in_the_org_zone(self):
        self.assertEqual(
            self.js('time.js', "m.dayBounds('Asia/Shanghai', Date.parse('2026-12-07T18:00:00Z'))"),
            ['2026-12-07T16:00:00.000Z', '2026-12-08T16:00:00.000Z'])
        # A day of 23 hours (New York, spring forward).
        self.assertEqual(
            self.js('time.js', "m.dayBounds('America/New_York', Date.parse('2026-03-08T12:00:00Z'))"),
            ['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'])

    def test_no_console_errors(self):
        self.assertEqual(self.page.errors(), [])


if __name__ == '__main__':
    unittest.main(verbosity=2)
