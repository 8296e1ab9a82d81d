// The hostile-HTML corpus rendered through the real UI in WebKit, the engine the app ships:
// WebKitWebDriver drives Debian's MiniBrowser (WebKitGTK 4.1, as the app's window) against
// the dev binary's URL, through selenium-webdriver. WebKitWebDriver cannot attach to the
// Wails window itself (v2.9.2 never enables automation), so MiniBrowser stands in for it:
// same engine, same iframe sandbox and Content-Security-Policy enforcement.
//
//   scripts/testenv/with-env.sh dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon
//     --unlock --components=secrets >/dev/null; xvfb-run -a -s "-screen 0 1280x900x24 -ac"
//     env MAILROOM_DEV_BINARY=$PWD/build/bin/mailroom-dev node frontend/e2e/hostile-webkit.mjs'
//
// MiniBrowser needs a display. It is started by WebKitWebDriver, and under xvfb-run's
// authorisation cookie it cannot open that display ("Authorization required"): the private
// Xvfb runs with -ac (no access control) instead.
//
// What it does and checks is hostile-run.mjs's (shared with the Chromium run). WebDriver
// sees less than Chromium's DevTools: no network events and no console. From outside it
// checks the window handles (a popup is a failure), the app's address (a navigation away is
// a failure), dialogs (WebDriver reports an open one on the next command), and the script
// errors of the app's page; the canaries do the rest.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Capabilities, WebDriver } from 'selenium-webdriver';
import { Executor, HttpClient } from 'selenium-webdriver/http/index.js';
import { pathOf } from './hostile.mjs';
import { runHostile } from './hostile-run.mjs';
import { freePort, outDir, sleep, stopGroup } from './lib.mjs';

const DRIVER = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

let driverProc = null;
process.on('exit', () => {
  if (driverProc?.pid !== undefined) {
    try {
      process.kill(-driverProc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

await runHostile({
  name: 'hostile-webkit',
  async open(url, watch) {
    for (const f of [DRIVER, MINIBROWSER]) if (!existsSync(f)) throw new Error(`${f} is missing: install webkit2gtk-driver (scripts/deps.sh test)`);
    const port = await freePort();
    const log = createWriteStream(join(outDir, 'hostile-webkit-driver.log'));
    driverProc = spawn(DRIVER, [`--port=${port}`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    driverProc.stdout.pipe(log);
    driverProc.stderr.pipe(log);
    const server = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${server}/status`, { signal: AbortSignal.timeout(1000) })).ok) break;
      } catch {
        /* not yet */
      }
      if (i > 100) throw new Error(`WebKitWebDriver did not answer on ${server}`);
      await sleep(100);
    }
    const caps = new Capabilities({
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      // The canary also answers HTTPS with the test certificate, so that https: and
      // protocol-relative URLs reach it and are counted like the others.
      acceptInsecureCerts: true,
      unhandledPromptBehavior: 'dismiss and notify',
    });
    const driver = await WebDriver.createSession(new Executor(new HttpClient(server)), caps);
    const c = await driver.getCapabilities();
    console.log(`     ${c.get('browserName')} ${c.get('browserVersion')} through WebKitWebDriver`);
    await driver.manage().setTimeouts({ script: 120_000, pageLoad: 60_000 });
    await driver.manage().window().setRect({ width: 1280, height: 900 });
    await driver.get(url);
    const main = await driver.getWindowHandle();
    let errorsSeen = 0;

    /** command runs a WebDriver command; a dialog that opened meanwhile is reported (and
     * dismissed by WebKitWebDriver), and the command tried once more. */
    const command = async (fn) => {
      try {
        return await fn();
      } catch (e) {
        if (e?.name !== 'UnexpectedAlertOpenError') throw e;
        watch.problem(`a dialog: ${e.message}`);
        return fn();
      }
    };
    const run = async (body, arg = null) => {
      const r = await command(() =>
        driver.executeAsyncScript(
          `const done = arguments[arguments.length - 1];
          (async (arg) => {${body}})(arguments[0]).then(done, (e) => done({ __error: String((e && e.stack) || e) }));`,
          arg,
        ),
      );
      if (r && typeof r === 'object' && '__error' in r) throw new Error(`in the page: ${r.__error}`);
      return r;
    };
    return {
      watching: 'a dialog, a popup, a navigation away, a script error of the app page',
      run,
      reload: () => command(() => driver.navigate().refresh()),
      screenshot: async (path) => writeFileSync(path, Buffer.from(await driver.takeScreenshot(), 'base64')),
      async checkpoint() {
        const handles = await command(() => driver.getAllWindowHandles());
        for (const h of handles) {
          if (h === main) continue;
          await driver.switchTo().window(h);
          watch.problem(`a popup: ${await driver.getCurrentUrl()}`);
          await driver.close();
        }
        if (handles.length > 1) await driver.switchTo().window(main);
        const now = await command(() => driver.getCurrentUrl());
        if (pathOf(now) !== url) watch.problem(`the app navigated to ${now}`);
        const errors = await run('return window.__hostile ? window.__hostile.errors : null;');
        if (errors === null) watch.problem('the app page was replaced');
        else for (const e of errors.slice(errorsSeen)) watch.problem(`script error in the app page: ${e}`);
        errorsSeen = errors?.length ?? errorsSeen;
      },
      async close() {
        await driver.quit().catch(() => {});
        if (driverProc?.pid !== undefined) await stopGroup(driverProc.pid);
        driverProc = null;
      },
    };
  },
});
