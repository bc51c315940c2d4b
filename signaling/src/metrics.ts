import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (its own registry, so tests can run several). */
export class Metrics {
  readonly registry = new Registry();

  readonly sockets = new Gauge({ name: 'conclave_sockets', help: 'Open Socket.IO connections on this node', registers: [this.registry] });
  /** Set by the Socket.IO side once it exists: rooms with a participant connected here. */
  countRooms: () => number = () => 0;

  readonly rooms: Gauge = new Gauge({
    name: 'conclave_rooms',
    help: 'Rooms with at least one participant connected to this node',
    registers: [this.registry],
    collect: () => this.rooms.set(this.countRooms()),
  });
  readonly joins = new Counter({ name: 'conclave_joins_total', help: 'Successful joins and resumes', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly rejections = new Counter({
    name: 'conclave_rejections_total',
    help: 'Refused events and connections, by error code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly relayed = new Counter({ name: 'conclave_relayed_total', help: 'Signals relayed', registers: [this.registry] });
  readonly relaySeconds = new Histogram({
    name: 'conclave_relay_seconds',
    help: 'Time from receiving a signal to handing it to the target socket',
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, and event-loop lag (nodejs_eventloop_lag_* ).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }
}
