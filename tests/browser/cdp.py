"""Headless Chromium driven over the DevTools protocol, from Python's standard library only.

Chromium is started with --remote-debugging-pipe: it reads NUL-terminated JSON commands on fd 3
and writes NUL-terminated JSON answers and events on fd 4. No npm, no websocket library, no
network port.

    with Browser() as browser:
        page = browser.new_page(width=1920, height=1080, languages='zh-CN')
        page.navigate('http://127.0.0.1:8080/')
        page.wait_for("document.querySelector('#kpis') !== null")
        png = page.screenshot()
"""

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time


class CdpError(RuntimeError):
    """A command the browser refused, or an answer that did not come in time."""


def find_chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    raise CdpError('no chromium on PATH: install Debian\'s chromium (tools/setup.sh)')


class Browser:
    """One headless Chromium with its own empty profile; closed (and its profile removed) on exit."""

    def __init__(self, extra_args=()):
        self._profile = tempfile.mkdtemp(prefix='salestrack-chromium-')
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():
            # Chromium's pipe ends must be fds 3 (commands in) and 4 (answers out), inheritable;
            # copied out of the way first, as the pipes may themselves be fds 3 and 4.
            commands, answers = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        args = [find_chromium(), '--headless=new', '--remote-debugging-pipe',
                f'--user-data-dir={self._profile}', '--no-first-run', '--no-default-browser-check',
                '--disable-gpu', '--disable-dev-shm-usage', '--disable-extensions', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--disable-default-apps',
                '--hide-scrollbars', '--mute-audio', '--force-color-profile=srgb',
                '--font-render-hinting=none', '--disable-lcd-text', '--no-sandbox',
                *extra_args, 'about:blank']
        self._log_path = os.path.join(self._profile, 'chromium.log')
        with open(self._log_path, 'wb') as log:
            self._process = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False,
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._waiting = {}  # command id -> queue for its answer
        self._listeners = []  # callables (message) for events
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._process.poll() is None:
            try:
                self.send('Browser.close', timeout=5)
            except CdpError:
                pass
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        os.close(self._to_browser)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read(self):
        buffer = b''
        while True:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b'\0')
            for raw in messages:
                message = json.loads(raw)
                if 'id' in message:
                    with self._lock:
                        waiter = self._waiting.pop(message['id'], None)
                    if waiter:
                        waiter.put(message)
                else:
                    for listener in list(self._listeners):
                        listener(message)
        os.close(self._from_browser)
        with self._lock:
            for waiter in self._waiting.values():
                waiter.put({'error': {'message': 'the browser exited'}})

    def log(self):
        """The end of what Chromium wrote to stdout and stderr."""
        try:
            with open(self._log_path, errors='replace') as f:
                return f.read()[-2000:]
        except OSError:
            return ''

    def listen(self, listener):
        self._listeners.append(listener)

    def send(self, method, params=None, session_id=None, timeout=30):
        """Sends a command; returns its result, or raises CdpError."""
        answer = queue.Queue(1)
        with self._lock:
            self._next_id += 1
            command = {'id': self._next_id, 'method': method, 'params': params or {}}
            if session_id:
                command['sessionId'] = session_id
            self._waiting[self._next_id] = answer
        try:
            os.write(self._to_browser, json.dumps(command).encode() + b'\0')
        except BrokenPipeError:
            raise CdpError(f'{method}: the browser exited: {self.log()}') from None
        try:
            message = answer.get(timeout=timeout)
        except queue.Empty:
            raise CdpError(f'{method}: no answer in {timeout} s') from None
        if 'error' in message:
            raise CdpError(f'{method}: {message["error"].get("message")}')
        return message.get('result', {})

    def new_page(self, width=1280, height=720, languages='en-US'):
        """A tab in a browser context of its own (its own cookies and storage)."""
        return Page(self, width, height, languages)


class Page:
    """A tab, with every console message, uncaught exception, log entry (CSP violations, failed
    loads) and requested URL collected for the test to check."""

    def __init__(self, browser, width, height, languages):
        self.browser = browser
        self.context = browser.send('Target.createBrowserContext')['browserContextId']
        target = browser.send('Target.createTarget', {'url': 'about:blank',
                                                      'browserContextId': self.context})['targetId']
        self.session = browser.send('Target.attachToTarget',
                                    {'targetId': target, 'flatten': True})['sessionId']
        self.target = target
        self.console = []   # (level, text)
        self.requests = []  # URLs
        self._loaded = threading.Event()
        browser.listen(self._on_event)
        for domain in ('Page', 'Runtime', 'Log', 'Network'):
            self.send(f'{domain}.enable')
        self.send('Emulation.setDeviceMetricsOverride',
                  {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': False})
        # navigator.languages follows the Accept-Language override.
        user_agent = self.evaluate('navigator.userAgent').replace('HeadlessChrome', 'Chrome')
        self.send('Emulation.setUserAgentOverride',
                  {'userAgent': user_agent, 'acceptLanguage': languages})
        self.send('Emulation.setLocaleOverride', {'locale': languages.split(',')[0]})

    def _on_event(self, message):
        if message.get('sessionId') != self.session:
            return
        method, params = message['method'], message.get('params', {})
        if method == 'Runtime.consoleAPICalled':
            text = ' '.join(str(a.get('value', a.get('description', ''))) for a in params['args'])
            self.console.append((params['type'], text))
        elif method == 'Runtime.exceptionThrown':
            details = params['exceptionDetails']
            text = details.get('exception', {}).get('description') or details.get('text')
            self.console.append(('exception', text))
        elif method == 'Log.entryAdded':
            entry = params['entry']
            self.console.append((entry['level'], f"{entry.get('source')}: {entry['text']} "
                                                 f"{entry.get('url', '')}"))
        elif method == 'Network.requestWillBeSent':
            self.requests.append(params['request']['url'])
        elif method == 'Page.loadEventFired':
            self._loaded.set()

    def send(self, method, params=None, timeout=30):
        return self.browser.send(method, params, self.session, timeout)

    def navigate(self, url, timeout=30):
        self._loaded.clear()
        result = self.send('Page.navigate', {'url': url})
        if result.get('errorText'):
            raise CdpError(f'{url}: {result["errorText"]}')
        if not self._loaded.wait(timeout):
            raise CdpError(f'{url}: not loaded in {timeout} s')

    def evaluate(self, expression, timeout=30):
        """The value of a JavaScript expression (promises awaited), as JSON gives it."""
        result = self.send('Runtime.evaluate', {'expression': expression, 'awaitPromise': True,
                                                'returnByValue': True}, timeout)
        if 'exceptionDetails' in result:
            details = result['exceptionDetails']
            raise CdpError(f'{expression[:80]}: '
                           f'{details.get("exception", {}).get("description", details["text"])}')
        return result['result'].get('value')

    def wait_for(self, expression, timeout=10, what=None):
        """Polls `expression` until it is truthy in JavaScript's sense; returns its value (an element
        comes back as {}) or raises naming `what`."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value not in (None, False, 0, ''):
                return value
            if time.monotonic() > deadline:
                raise CdpError(f'{what or expression}: not so after {timeout} s; the page says: '
                               f'{self.evaluate("document.body.innerText")[:400]!r}')
            time.sleep(0.05)

    def screenshot(self):
        """The viewport as PNG bytes."""
        return base64.b64decode(self.send('Page.captureScreenshot', {'format': 'png'})['data'])

    def errors(self):
        """Console errors, uncaught exceptions and error log entries (CSP violations, failed loads)."""
        return [(level, text) for level, text in self.console
                if level in ('error', 'exception', 'assert')]

    def close(self):
        self.browser.send('Target.closeTarget', {'targetId': self.target})
        self.browser.send('Target.disposeBrowserContext', {'browserContextId': self.context})
