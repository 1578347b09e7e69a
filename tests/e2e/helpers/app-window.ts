import { expect, type BrowserContext, type Page } from '@playwright/test'
import type { EngineKind } from '../../../shared/engine/types'

/** One window of the app (a browser tab on the host), driven through its UI only. */
export class AppWindow {
  constructor(readonly page: Page) {}

  static async open(context: BrowserContext, url: string): Promise<AppWindow> {
    const page = await context.newPage()
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`))
    page.on('console', (m) => {
      // A window whose host a test stopped keeps redialing; that is expected, not news.
      if (m.type() === 'error' && !m.text().includes('ERR_CONNECTION_REFUSED'))
        console.error(`[console] ${m.text()}`)
    })
    const log: string[] = []
    page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`))
    await page.goto(url)
    try {
      await expect(page.getByTestId('sync-status')).toBeVisible()
    } catch (err) {
      const body = await page
        .locator('body')
        .innerText()
        .catch(() => '?')
      throw new Error(
        `window at ${url} did not start: ${(err as Error).message}\nbody: ${body}\nconsole:\n${log.join('\n')}`,
        { cause: err },
      )
    }
    return new AppWindow(page)
  }

  get editor() {
    return this.page.locator('.note .cm-content')
  }

  async newNote(engine: EngineKind = 'yjs', title = ''): Promise<string> {
    await this.page.getByTestId(engine === 'yjs' ? 'new-note' : 'new-automerge-note').click()
    await expect(this.editor).toBeVisible()
    if (title) await this.rename(title)
    return this.noteUrl()
  }

  /** The URL that opens the current note in another window. */
  noteUrl(): string {
    return this.page.url()
  }

  async rename(title: string): Promise<void> {
    const input = this.page.getByTestId('note-title')
    await input.fill(title)
    await input.press('Enter')
  }

  /** Types at the end (or the start) of the note, key by key. */
  async type(text: string, at: 'end' | 'start' = 'end'): Promise<void> {
    await this.editor.click()
    await this.page.keyboard.press(at === 'end' ? 'Control+End' : 'Control+Home')
    await this.page.keyboard.type(text)
  }

  /** The note's text as the editor shows it, without other windows' cursor labels. */
  async text(): Promise<string> {
    return this.page.evaluate(() => {
      const content = document.querySelector('.note .cm-content')
      if (!content) return ''
      const copy = content.cloneNode(true) as HTMLElement
      for (const el of copy.querySelectorAll(
        '.cm-ySelectionCaret, .cm-remoteCaret, .cm-widgetBuffer',
      ))
        el.remove()
      return [...copy.querySelectorAll('.cm-line')]
        .map((line) => line.textContent ?? '')
        .join('\n')
        .replace(/\u2060/g, '')
    })
  }

  /** Waits until the editor shows exactly `text`. */
  async shows(text: string, timeout = 15_000): Promise<void> {
    await expect.poll(() => this.text(), { timeout }).toBe(text)
  }

  async setOffline(offline: boolean): Promise<void> {
    const toggle = this.page.getByTestId('offline-toggle')
    if (offline) await toggle.check()
    else await toggle.uncheck()
  }

  async summary(): Promise<string> {
    return this.page.getByTestId('sync-summary').innerText()
  }

  async openNote(title: string): Promise<void> {
    await this.page.getByTestId('note-item').filter({ hasText: title }).click()
    await expect(this.editor).toBeVisible()
  }

  noteTitles() {
    return this.page.getByTestId('note-item').locator('.title')
  }
}

/** Waits until every window shows the same text, and returns it. */
export async function converged(windows: AppWindow[], timeout = 20_000): Promise<string> {
  let texts: string[] = []
  await expect
    .poll(
      async () => {
        texts = await Promise.all(windows.map((w) => w.text()))
        return texts.every((t) => t === texts[0])
      },
      { timeout, message: 'windows did not converge' },
    )
    .toBe(true)
  return texts[0] as string
}
