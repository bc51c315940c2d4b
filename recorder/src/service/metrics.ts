import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** What operators watch: recordings running, chunks and bytes stored, disk full, failures. */
export class RecorderMetrics {
  readonly registry = new Registry();
  readonly active = new Gauge({ name: 'conclave_recorder_active_recordings', help: 'Recordings running now', registers: [this.registry] });
  readonly chunks = new Counter({ name: 'conclave_recorder_chunks_stored_total', help: 'Chunks stored (duplicates not counted)', registers: [this.registry] });
  readonly bytes = new Counter({ name: 'conclave_recorder_bytes_stored_total', help: 'Chunk bytes stored', registers: [this.registry] });
  readonly diskFull = new Counter({ name: 'conclave_recorder_disk_full_total', help: 'Chunk uploads refused because the disk is full', registers: [this.registry] });
  readonly browserRestarts = new Counter({ name: 'conclave_recorder_browser_restarts_total', help: 'Times the recorder browser was restarted after a crash', registers: [this.registry] });
  readonly failures = new Counter({ name: 'conclave_recorder_failed_recordings_total', help: 'Recordings that could not be finished', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
