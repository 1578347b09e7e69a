import { execFile } from 'node:child_process'
import { access } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'

/**
 * Hosts as Linux network namespaces: each host's `eth0` is a veth into a bridge that lives in a
 * switch namespace of its own (so the root namespace's firewall never sees host-to-host
 * traffic, and multicast reaches every host). The root namespace joins the bridge too, at
 * `.254`, to reach each host's ports. Names carry a random run id, so parallel runs do not
 * collide, and everything is removed by `destroy()`.
 */

const run = (file: string, args: readonly string[], input?: string) =>
  new Promise<string>((resolve, reject) => {
    const child = execFile(file, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
    if (input !== undefined) child.stdin?.end(input)
  })

const ip = (...args: string[]) => run('ip', args)

async function installed(tool: string): Promise<boolean> {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin'])
    if (
      await access(`${dir}/${tool}`).then(
        () => true,
        () => false,
      )
    )
      return true
  return false
}

/**
 * Null when this machine can run multi-host tests, else why not. As root on Debian it installs
 * iproute2 and nftables first where they are missing.
 */
export async function netnsUnavailable(): Promise<string | null> {
  if (process.platform !== 'linux')
    return `network namespaces need Linux, this is ${process.platform}`
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root'
  const missing: string[] = []
  if (!(await installed('ip'))) missing.push('iproute2')
  if (!(await installed('nft'))) missing.push('nftables')
  if (missing.length > 0) {
    try {
      await run('apt-get', ['update', '-qq'])
      await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing])
    } catch (err) {
      return `could not install ${missing.join(' and ')}: ${(err as Error).message.slice(0, 200)}`
    }
  }
  const probe = `lt-probe-${randomBytes(3).toString('hex')}`
  try {
    await ip('netns', 'add', probe)
    await ip('-n', probe, 'link', 'add', 'br0', 'type', 'bridge')
  } catch (err) {
    return `cannot create network namespaces here: ${(err as Error).message.slice(0, 200)}`
  } finally {
    await ip('netns', 'del', probe).catch(() => {})
  }
  return null
}

export class NetLab {
  private constructor(
    private readonly id: string,
    /** The first three octets of the lab's /24. */
    readonly subnet: string,
    readonly hosts: readonly string[],
  ) {}

  /** Hosts named `names` (short lowercase words), at .1, .2, ... of a fresh 10.77.x.0/24. */
  static async create(names: readonly string[]): Promise<NetLab> {
    const routes = await ip('-4', 'route', 'show')
    let subnet = ''
    for (let attempt = 0; subnet === '' || routes.includes(`${subnet}.`); attempt++) {
      if (attempt > 50) throw new Error('no free 10.77.x.0/24 for the lab')
      subnet = `10.77.${1 + Math.floor(Math.random() * 250)}`
    }
    const lab = new NetLab(randomBytes(3).toString('hex'), subnet, names)
    try {
      await lab.build()
    } catch (err) {
      await lab.destroy()
      throw err
    }
    return lab
  }

  ns(host: string): string {
    return `lt-${this.id}-${host}`
  }

  address(host: string): string {
    const i = this.hosts.indexOf(host)
    if (i < 0) throw new Error(`no host ${host} in the lab`)
    return `${this.subnet}.${i + 1}`
  }

  /** argv that runs `argv` inside `host`'s namespace. */
  exec(host: string, argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.ns(host), ...argv]
  }

  /**
   * Cuts TCP between `host` and each of `others`: inside `host`, a segment either way is
   * answered with a reset, so both ends see the connection fail as soon as they send (a silent
   * drop would stall them for minutes). Resets themselves pass, or the one made for the other
   * end would be rejected on its way out. Multicast still flows: discovery works across the cut.
   */
  async cut(host: string, others: readonly string[]): Promise<void> {
    const them = `{ ${others.map((o) => this.address(o)).join(', ')} }`
    const reject = 'tcp flags & rst == 0 reject with tcp reset'
    await run(
      'ip',
      ['netns', 'exec', this.ns(host), 'nft', '-f', '-'],
      `table inet lattice_cut {
        chain in { type filter hook input priority 0; ip saddr ${them} ${reject}; }
        chain out { type filter hook output priority 0; ip daddr ${them} ${reject}; }
      }\n`,
    )
  }

  async heal(host: string): Promise<void> {
    await run('ip', [
      'netns',
      'exec',
      this.ns(host),
      'nft',
      'delete',
      'table',
      'inet',
      'lattice_cut',
    ])
  }

  /** Removes every namespace (their veths and nft tables go with them); never throws. */
  async destroy(): Promise<void> {
    for (const name of [...this.hosts, 'sw'])
      await ip('netns', 'del', this.ns(name)).catch(() => {})
    await ip('link', 'del', `lt${this.id}h`).catch(() => {})
  }

  private async build(): Promise<void> {
    const sw = this.ns('sw')
    await ip('netns', 'add', sw)
    await ip('-n', sw, 'link', 'set', 'dev', 'lo', 'up')
    await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge')
    await ip('-n', sw, 'link', 'set', 'dev', 'br0', 'up')
    const plug = async (port: string) => {
      await ip('-n', sw, 'link', 'set', 'dev', port, 'master', 'br0')
      await ip('-n', sw, 'link', 'set', 'dev', port, 'up')
    }
    for (const host of this.hosts) {
      const ns = this.ns(host)
      await ip('netns', 'add', ns)
      await ip('-n', ns, 'link', 'set', 'dev', 'lo', 'up')
      await ip(
        '-n',
        ns,
        'link',
        'add',
        'eth0',
        'type',
        'veth',
        'peer',
        'name',
        `p-${host}`,
        'netns',
        sw,
      )
      await plug(`p-${host}`)
      await ip('-n', ns, 'addr', 'add', `${this.address(host)}/24`, 'dev', 'eth0')
      await ip('-n', ns, 'link', 'set', 'dev', 'eth0', 'up')
      // mDNS sends to 224.0.0.251: without a route for it the send fails.
      await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    }
    const root = `lt${this.id}h`
    await ip('link', 'add', root, 'type', 'veth', 'peer', 'name', 'p-root', 'netns', sw)
    await plug('p-root')
    await ip('addr', 'add', `${this.subnet}.254/24`, 'dev', root)
    await ip('link', 'set', 'dev', root, 'up')
  }
}
