/**
 * A token bucket: `burst` tokens, refilled at `ratePerSecond`. take() spends one and
 * says whether there was one. Cheap enough for every incoming message.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  take(cost = 1): boolean {
    this.#refill();
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Spends `cost` even when short of it (down to one burst of debt): a penalty that must be waited off. */
  penalize(cost: number): void {
    this.#refill();
    this.#tokens = Math.max(-this.burst, this.#tokens - cost);
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond);
    this.#last = now;
  }

  /** True when the bucket is full again, so the owner may forget it. */
  get idle(): boolean {
    return this.#tokens + ((this.now() - this.#last) / 1000) * this.ratePerSecond >= this.burst;
  }
}

/** One bucket per key (an IP address), forgotten once full again. */
export class KeyedBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {}

  take(key: string, cost = 1): boolean {
    return this.#bucket(key).take(cost);
  }

  penalize(key: string, cost: number): void {
    this.#bucket(key).penalize(cost);
  }

  #bucket(key: string): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSecond, this.burst);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Drops full buckets; call now and then so the map does not grow without bound. */
  prune(): void {
    for (const [key, bucket] of this.#buckets) if (bucket.idle) this.#buckets.delete(key);
  }
}
