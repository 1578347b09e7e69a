import type { BrowserContext } from '@playwright/test'
import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'
import { WebHost } from './helpers/web-host'

/** Two "machines" on one box: LAN multicast on loopback, LAN ports picked free. */
const LOOPBACK_LAN = { LATTICE_LAN_INTERFACE: '127.0.0.1', LATTICE_LAN_PORT: '0' }

async function lanPanel(w: AppWindow): Promise<void> {
  if (!(await w.page.getByTestId('lan-panel').isVisible()))
    await w.page.getByTestId('lan-status').click()
}

async function hostWindow(context: BrowserContext, host: WebHost): Promise<AppWindow> {
  return AppWindow.open(context, host.url)
}

test('two machines pair with a code, find each other on the LAN, and sync; a wrong workspace is refused', async ({
  browser,
  shots,
}) => {
  const hosts = await Promise.all([0, 1, 2].map(() => WebHost.start(undefined, 0, LOOPBACK_LAN)))
  try {
    const [a, b, c] = (await Promise.all(
      hosts.map(async (h) => hostWindow(await browser.newContext(), h)),
    )) as [AppWindow, AppWindow, AppWindow]
    shots.push(a, b, c)
    await expect(a.page.getByTestId('lan-status')).toHaveText('LAN off')

    // A makes a workspace and shows its pairing code; B joins with it.
    await lanPanel(a)
    await a.page.getByTestId('lan-create').click()
    const code = await a.page.getByTestId('lan-code-shown').inputValue()
    const port = /port (\d+)/.exec((await a.page.getByTestId('lan-port').textContent()) ?? '')?.[1]
    expect(port).toBeDefined()
    expect(code.length).toBeGreaterThan(20)
    await lanPanel(b)
    await b.page.getByTestId('lan-code').fill('not a code')
    await b.page.getByTestId('lan-join').click()
    await expect(b.page.getByTestId('lan-error')).toBeVisible()
    await b.page.getByTestId('lan-code').fill(code)
    await b.page.getByTestId('lan-join').click()

    // Discovery (mDNS) links them with no address typed.
    await expect(a.page.getByTestId('lan-status')).toHaveText(/^LAN: 1 peer/, { timeout: 20_000 })
    await expect(b.page.getByTestId('lan-status')).toHaveText(/^LAN: 1 peer/, { timeout: 20_000 })

    await a.newNote('yjs', 'Across the LAN')
    await a.type('typed on machine A')
    await b.openNote('Across the LAN')
    await b.shows('typed on machine A')
    await b.type(', answered on B')
    await a.shows('typed on machine A, answered on B')
    // B's node acknowledged every edit A's node sent it.
    await expect(a.page.getByTestId('lan-status')).toHaveText('LAN: 1 peer, up to date')
    // The Lab's topology goes past the node: the LAN machine is there, with what it lacks.
    await a.page.getByTestId('lan-status').click() // close the LAN panel
    await a.page.getByTestId('open-lab').click()
    await expect(a.page.getByTestId('lab-beyond-lan')).toContainText('has every note')

    // C is in another workspace and dials A by address: A refuses it, C says why.
    await lanPanel(c)
    await c.page.getByTestId('lan-create').click()
    await c.page.getByTestId('lan-address').fill(`127.0.0.1:${port}`)
    await c.page.getByTestId('lan-add').click()
    await expect(c.page.getByTestId('lan-peer')).toContainText('4403', { timeout: 20_000 })
    await expect(c.page.getByTestId('lan-status')).toHaveText('LAN: refused')
    await expect(c.noteTitles()).toHaveCount(0)
    await expect(a.page.getByTestId('lan-status')).toHaveText(/^LAN: 1 peer/)
  } finally {
    await Promise.all(hosts.map((h) => h.dispose()))
  }
})
