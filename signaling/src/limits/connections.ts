/** Counts open connections in all and per client address, and says whether one more may open. */
export class ConnectionLimiter {
  readonly #perIp = new Map<string, number>();
  #total = 0;

  constructor(
    readonly maxTotal: number,
    readonly maxPerIp: number,
  ) {}

  /** Why a new connection from `ip` is refused, or null if it may open. */
  refusal(ip: string): string | null {
    if (this.#total >= this.maxTotal) return 'the server has too many connections';
    if ((this.#perIp.get(ip) ?? 0) >= this.maxPerIp) return 'too many connections from this address';
    return null;
  }

  opened(ip: string): void {
    this.#total += 1;
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
  }

  closed(ip: string): void {
    this.#total -= 1;
    const left = (this.#perIp.get(ip) ?? 1) - 1;
    if (left > 0) this.#perIp.set(ip, left);
    else this.#perIp.delete(ip);
  }

  get total(): number {
    return this.#total;
  }
}
