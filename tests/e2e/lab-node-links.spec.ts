import { join } from 'node:path'
import { converged } from './helpers/app-window'
import { expect, SCREENSHOTS, test } from './helpers/fixtures'
import { RELAY_TOKEN, twoMachinesAndRelay, useRelay } from './helpers/relay-panel'

test("the Lab cuts this machine's link to the relay: the other machine gets nothing until heal, then both converge", async ({
  host,
  browser,
  shots,
}) => {
  await twoMachinesAndRelay(browser, host.url, shots, async ({ a, b, relayUrl }) => {
    await useRelay(a, relayUrl, RELAY_TOKEN)
    await useRelay(b, relayUrl, RELAY_TOKEN)
    await a.newNote('yjs', 'Cut at the node')
    await a.type('base')
    await expect(b.noteTitles()).toHaveText(['Cut at the node'])
    await b.openNote('Cut at the node')
    await b.shows('base')

    // The Lab lists this machine's node link to the relay, with switches of its own.
    await a.page.getByTestId('open-lab').click()
    const link = a.page.locator('[data-testid=lab-node-link][data-key=relay]')
    await expect(link.getByTestId('lab-beyond-relay')).toHaveText(
      `relay ${relayUrl}/lattice: open, has every note`,
    )
    const relation = link.getByTestId('lab-node-link-relation')
    await expect(relation).toHaveAttribute('data-relation', 'equal')

    await link.getByTestId('lab-cut').click()
    await expect(link).toHaveAttribute('data-fault', 'both')
    await a.type(' from A')
    await b.type(' from B')
    // A's node holds the edit and says the relay lacks it; the link stays up, only cut.
    await expect(link.getByTestId('lab-beyond-relay')).toHaveText(
      `relay ${relayUrl}/lattice: open, 1 note to send · cut both ways`,
    )
    await expect(relation).toHaveAttribute('data-relation', 'before')
    await a.page.waitForTimeout(1_000)
    expect(await b.text()).toBe('base from B')
    expect(await a.text()).toBe('base from A')
    await link.scrollIntoViewIfNeeded()
    await a.page.screenshot({ path: join(SCREENSHOTS, 'lab-node-link-cut-window1.png') })

    await link.getByTestId('lab-heal').click()
    await expect(link).toHaveAttribute('data-fault', 'open')
    const merged = await converged([a, b])
    expect(merged).toMatch(/^base( from A from B| from B from A)$/)
    await expect(link.getByTestId('lab-beyond-relay')).toHaveText(
      `relay ${relayUrl}/lattice: open, has every note`,
    )
    await expect(relation).toHaveAttribute('data-relation', 'equal')

    // Cut sending only: B's edit still arrives at A, A's never leaves.
    await link.getByTestId('lab-cut-out').click()
    await expect(link).toHaveAttribute('data-fault', 'out')
    await b.type(' b2')
    await a.shows(`${merged} b2`)
    await a.type(' a2')
    await expect(link).toHaveAttribute('data-pending', '1')
    await a.page.waitForTimeout(1_000)
    expect(await b.text()).toBe(`${merged} b2`)
    await link.getByTestId('lab-heal').click()
    await b.shows(`${merged} b2 a2`)
    await expect(link).toHaveAttribute('data-pending', '0')
    await link.scrollIntoViewIfNeeded()
  })
})
