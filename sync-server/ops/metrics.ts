import { Counter, Gauge, Registry } from 'prom-client'
import type { DocStore } from '../storage/doc-store'

export type Endpoint = 'lattice' | 'y-websocket'

/** Prometheus metrics of one node, on its own registry (several nodes can share a process). */
export class NodeMetrics {
  readonly registry = new Registry()
  readonly connections = new Gauge({
    name: 'lattice_connections',
    help: 'Open connections',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  })
  readonly updates = new Counter({
    name: 'lattice_updates_total',
    help: 'Document sync messages received (rate() gives updates/s)',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  })
  readonly bytesIn = new Counter({
    name: 'lattice_bytes_in_total',
    help: 'Bytes received',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  })
  readonly bytesOut = new Counter({
    name: 'lattice_bytes_out_total',
    help: 'Bytes sent',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  })
  readonly closes = new Counter({
    name: 'lattice_connection_closes_total',
    help: 'Connections closed by the node, by reason code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  })

  constructor(store: DocStore, counts: () => { loaded: number; stored: number }) {
    new Gauge({
      name: 'lattice_storage_bytes',
      help: 'Bytes of stored values',
      registers: [this.registry],
      async collect() {
        this.set(await store.size())
      },
    })
    new Gauge({
      name: 'lattice_documents_loaded',
      help: 'Documents in memory',
      registers: [this.registry],
      collect() {
        this.set(counts().loaded)
      },
    })
    new Gauge({
      name: 'lattice_documents_stored',
      help: 'Documents in storage',
      registers: [this.registry],
      collect() {
        this.set(counts().stored)
      },
    })
  }
}
