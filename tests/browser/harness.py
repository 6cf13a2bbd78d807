"""A real salestrackd for the browser tests: a temp data directory, a config with API keys (one
per role) and an HTTP port, started, SIGKILLed and restarted on the same ports; appends and calls
over its HTTP/JSON API (Connect unary), as any client makes them."""

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class CallError(RuntimeError):
    def __init__(self, status, code, message):
        super().__init__(f'{status} {code}: {message}')
        self.status, self.code, self.message = status, code, message


class Daemon:
    """salestrackd with `keys` ({name: (role, extra text-format fields)}); tokens in .tokens."""

    def __init__(self, binary, keys, time_zone='Asia/Shanghai'):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix='salestrack-browser-')
        self.tokens = {name: 'st_' + secrets.token_hex(32) for name in keys}
        self.grpc_port, self.http_port = free_port(), free_port()
        lines = [f'time_zone: "{time_zone}"',
                 f'http_listen_address: "127.0.0.1:{self.http_port}"']
        for name, (role, fields) in keys.items():
            digest = hashlib.sha256(self.tokens[name].encode()).hexdigest()
            lines.append(f'api_keys {{ name: "{name}" role: "{role}" sha256: "{digest}" {fields} }}')
        self.config = os.path.join(self.dir, 'd.conf')
        with open(self.config, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        self.process = None
        self.start()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.http_port}'

    def start(self):
        """Starts the daemon and waits until its HTTP port answers."""
        self.stderr = open(os.path.join(self.dir, 'stderr.log'), 'ab')
        self.process = subprocess.Popen(
            [self.binary, f'--data_dir={self.dir}/data', f'--listen=127.0.0.1:{self.grpc_port}',
             f'--config={self.config}', '--insecure_no_auth=false'],
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'salestrackd exited {self.process.returncode}: {self.log()}')
            try:
                urllib.request.urlopen(self.url + '/favicon.svg', timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.05)
        raise RuntimeError(f'salestrackd did not answer on {self.url}: {self.log()}')

    def kill(self):
        """kill -9, as a crash or a pulled plug."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.stderr.close()

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        with open(os.path.join(self.dir, 'stderr.log'), errors='replace') as f:
            return f.read()[-2000:]

    def call(self, key, service, method, request):
        """A Connect unary call with `key`'s bearer token; the JSON answer, or CallError."""
        body = json.dumps(request).encode()
        req = urllib.request.Request(f'{self.url}/salestrack.v1.{service}/{method}', data=body,
                                     headers={'Content-Type': 'application/json',
                                              'Authorization': f'Bearer {self.tokens[key]}'})
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                text = res.read()
        except urllib.error.HTTPError as e:
            error = json.loads(e.read() or b'{}')
            raise CallError(e.code, error.get('code'), error.get('message')) from None
        return json.loads(text) if text else {}

    def append(self, key, events):
        """Appends `events` in one batch; returns their seqs (ints) once acknowledged."""
        return [int(s) for s in self.call(key, 'LogService', 'Append', {'events': events})['seqs']]


# ---- The fixed org of the tests: two teams under a region, eight reps, November 2026. --------------

UNITS = [('east', '华东区', ''), ('nj', '南京队', 'east'), ('sh', '上海队', 'east')]
REPS = [('nj-sun', '孙磊', 'nj'), ('nj-wang', '王芳', 'nj'), ('nj-zhao', '赵强', 'nj'),
        ('nj-qian', '钱敏', 'nj'), ('sh-li', '李娜', 'sh'), ('sh-zhang', '张伟', 'sh'),
        ('sh-liu', '刘洋', 'sh'), ('sh-chen', '陈静', 'sh')]
# (rep, amount in fen, day of November 2026): sales_amount ranks sun > li > wang > zhang > ...
CONTRACTS = [('nj-sun', 1_000_000_000, 3), ('sh-li', 800_000_000, 5), ('nj-wang', 523_456_78, 9),
             ('sh-zhang', 120_000_00, 12), ('nj-zhao', 98_765_43, 14), ('sh-liu', 45_000_00, 20),
             ('nj-sun', 30_000_00, 21)]


def at(day, hour=10, month=11, year=2026):
    """An RFC 3339 instant in November 2026 (Asia/Shanghai is UTC+8: 10:00 UTC is 18:00 there)."""
    return f'{year}-{month:02d}-{day:02d}T{hour:02d}:00:00Z'


def org_events():
    events = []
    for unit_id, name, parent in UNITS:
        events.append({'eventId': f'unit-{unit_id}', 'occurredAt': at(1, 0, month=1),
                       'unitDefined': {'unitId': unit_id, 'name': name, 'parentUnitId': parent}})
    for rep_id, name, unit in REPS:
        events.append({'eventId': f'rep-{rep_id}', 'occurredAt': at(1, 0, month=1),
                       'repDefined': {'repId': rep_id, 'name': name, 'unitId': unit,
                                      'role': 'hunter', 'active': True}})
    # The hunters' scheme (sales 70 %, win rate 30 %) and targets for November: every rep has a
    # scorecard, most with a target from their team.
    events.append({'eventId': 'scheme-hunter', 'occurredAt': at(1, 0, month=1), 'schemeDefined': {
        'schemeId': 'hunter-2026', 'name': '猎手方案', 'role': 'hunter',
        'components': [
            {'dimension': 'result', 'metric': 'sales_amount', 'weightBp': 7000,
             'linear': {}, 'direction': 'HIGHER_IS_BETTER'},
            {'dimension': 'process', 'metric': 'win_rate', 'weightBp': 3000,
             'threshold': {}, 'direction': 'HIGHER_IS_BETTER'}],
        'multiplierTiers': [{'minScoreCenti': 9000, 'multiplierBp': 12000},
                            {'minScoreCenti': 0, 'multiplierBp': 10000}],
        'commissionTiers': [{'fromBp': 10000, 'toBp': 0, 'rateBp': 100}]}})
    for unit_id, target in (('nj', 300_000_000), ('sh', 200_000_000)):
        events.append({'eventId': f'target-{unit_id}', 'occurredAt': at(1, 0), 'targetSet': {
            'subjectUnitId': unit_id, 'period': {'kind': 'MONTH', 'date': {'year': 2026, 'month': 11,
                                                                           'day': 1}},
            'metric': 'sales_amount', 'baseline': str(target // 2), 'target': str(target),
            'challenge': str(target * 3 // 2)}})
    # November's team PK: 南京队 against 上海队 by sales.
    events.append({'eventId': 'pk-nov', 'occurredAt': at(1, 0, month=1), 'competitionDefined': {
        'competitionId': 'pk-nov', 'name': '十一月团队PK', 'start': at(1, 0), 'end': at(1, 0, month=12),
        'metric': 'sales_amount', 'participantUnitIds': ['nj', 'sh'], 'mode': 'TEAM'}})
    return events


def contract_event(event_id, rep_id, amount, day, hour=10, customer=None):
    return {'eventId': event_id, 'occurredAt': at(day, hour), 'repId': rep_id,
            'contractSigned': {'contractId': f'ct-{event_id}', 'customerId': customer or f'cu-{event_id}',
                               'amount': str(amount)}}


def activity_events():
    """Contracts, an opportunity funnel, actions and an overdue follow-up, all in November 2026."""
    events = [contract_event(f'c{i}', rep, amount, day)
              for i, (rep, amount, day) in enumerate(CONTRACTS)]
    for i, rep in enumerate(['nj-sun', 'nj-wang', 'sh-li']):
        opp = f'opp-{i}'
        events.append({'eventId': f'{opp}-open', 'occurredAt': at(2 + i), 'repId': rep,
                       'opportunityOpened': {'opportunityId': opp, 'customerId': f'cu-o{i}',
                                             'expectedAmount': '50000000'}})
        events.append({'eventId': f'{opp}-value', 'occurredAt': at(6 + i), 'repId': rep,
                       'opportunityStageChanged': {'opportunityId': opp, 'stage': 'value'}})
    events.append({'eventId': 'opp-0-won', 'occurredAt': at(15), 'repId': 'nj-sun',
                   'opportunityClosed': {'opportunityId': 'opp-0', 'outcome': 'WON'}})
    for i, rep in enumerate(['nj-sun', 'nj-wang', 'sh-li', 'nj-sun']):
        events.append({'eventId': f'visit-{i}', 'occurredAt': at(4 + i), 'repId': rep,
                       'actionLogged': {'customerId': f'cu-v{i}', 'channel': 'VISIT',
                                        'purpose': 'INTRODUCE_PRODUCT',
                                        'nextFollowUpAt': at(10 + i)}})
    return events
