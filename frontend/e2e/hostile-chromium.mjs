// The hostile-HTML corpus rendered through the real UI in Chromium (playwright-core and
// Debian's /usr/bin/chromium), against the dev-tagged binary with a fresh data directory
// and a fresh Dovecot mailbox holding every vector of backend/message/testdata/hostile as
// a text/html message in three transfer encodings (8bit, quoted-printable, base64).
//
//   scripts/testenv/with-env.sh dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon
//     --unlock --components=secrets >/dev/null; xvfb-run -a -s "-screen 0 1280x900x24"
//     env MAILROOM_DEV_BINARY=$PWD/build/bin/mailroom-dev node frontend/e2e/hostile-chromium.mjs'
//
// What it does and checks is hostile-run.mjs's (shared with the WebKit run); this file
// starts Chromium and watches the page from outside: a request from a mail frame, a second
// IPC websocket, a dialog, a popup, a navigation of the app away, a console error or warning
// are failures.
import { chromium } from 'playwright-core';
import { runHostile } from './hostile-run.mjs';
import { pathOf } from './hostile.mjs';
import { CHROMIUM_ARGS, chromiumPath } from './lib.mjs';

await runHostile({
  name: 'hostile-chromium',
  async open(url, watch) {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      // Chromium puts each sandboxed frame in a process of its own; a message view then costs
      // a process switch, which doubled the time of a pass. The frame's sandbox and policy,
      // what this test is about, are the same either way.
      args: [...CHROMIUM_ARGS, '--disable-features=IsolateSandboxedIframes'],
    });
    // The canary also answers HTTPS with the test certificate, so that https: and
    // protocol-relative URLs reach it and are counted like the others.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ignoreHTTPSErrors: true });
    const page = await context.newPage();
    let sockets = 0;
    page.on('request', (r) => {
      if (r.frame() !== page.mainFrame()) watch.frameRequest(`${r.resourceType()} ${r.url()}`, r.resourceType(), r.url());
    });
    page.on('websocket', (ws) => {
      if (++sockets > 1) watch.problem(`a second IPC websocket: ${ws.url()}`);
    });
    page.on('dialog', (d) => {
      watch.problem(`a ${d.type()} dialog: "${d.message()}"`);
      d.dismiss().catch(() => {});
    });
    context.on('page', (p) => {
      if (p === page) return;
      watch.problem(`a popup: ${p.url()}`);
      p.close().catch(() => {});
    });
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame() && pathOf(f.url()) !== url) watch.problem(`the app navigated to ${f.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') watch.console(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => watch.problem(`script error: ${e.message}`));
    await page.goto(url);
    return {
      watching: 'a request from a mail frame, a second IPC websocket, a dialog, a popup, a navigation away, a console error or warning, a script error',
      run: (body, arg) => page.evaluate(({ body, arg }) => new Function('arg', `return (async () => {${body}})()`)(arg), { body, arg }),
      reload: async () => {
        sockets = 0;
        await page.reload();
      },
      screenshot: (path) => page.screenshot({ path }),
      close: () => browser.close(),
    };
  },
});
