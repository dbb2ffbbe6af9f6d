/** Pieces the generator's workloads share: messages to the orchestrator and the validity check. */
import fs from 'node:fs';
import type { GeneratorMessage, Validity } from './protocol.js';
import type { Manifest } from '../seed.js';

/** A run is flagged invalid when the generator used more than this share of its core. */
export const GENERATOR_CPU_LIMIT_PCT = 70;

export function send(msg: GeneratorMessage): void {
  process.send?.(msg);
}

export function log(message: string): void {
  send({ type: 'log', message });
}

/** The generator's own CPU share over a window, as a percentage of one core. */
export class CpuWindow {
  private readonly cpu0 = process.cpuUsage();
  private readonly t0 = performance.now();
  pct(): number {
    const d = process.cpuUsage(this.cpu0);
    return ((d.user + d.system) / 1000 / (performance.now() - this.t0)) * 100;
  }
}

export function validity(genPct: number, reasons: string[]): Validity {
  if (genPct > GENERATOR_CPU_LIMIT_PCT) {
    reasons.push(`generator used ${genPct.toFixed(0)}% of its core (limit ${GENERATOR_CPU_LIMIT_PCT}%)`);
  }
  return { valid: reasons.length === 0, reasons, generatorCpuPct: genPct };
}

export function loadManifest(file: string): Manifest {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
}
