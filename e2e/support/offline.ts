import type { BrowserContext, Page, Request, Worker } from '@playwright/test';

/** One request a browser context made (HTTP, or a WebSocket's handshake URL). */
export interface SeenRequest {
  context: string;
  url: string;
}

/** Runs in every page before its own scripts: reports each CSP violation to the test. */
function reportViolations(): void {
  document.addEventListener('securitypolicyviolation', (event) => {
    const report = (window as unknown as { __conclaveCspViolation?: (text: string) => void }).__conclaveCspViolation;
    report?.(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
  });
}

/** The same inside a worker, which has no binding: it logs an error the console listener reads. */
function reportWorkerViolations(): void {
  self.addEventListener('securitypolicyviolation', (event) => {
    console.error(`Content Security Policy violation in a worker: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'}`);
  });
}

/** Text of a console message or violation that means a CSP (or Permissions-Policy) problem. */
const POLICY_PROBLEM = /content[ -]security[ -]policy|permissions[ -]policy/i;

/** Origin of an http(s) or ws(s) URL, with WebSockets counted as their http(s) twin; null for other schemes. */
function networkOrigin(url: string): string | null {
  const parsed = new URL(url);
  const scheme = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[parsed.protocol];
  return scheme ? `${scheme}//${parsed.host}` : null;
}

/**
 * Watches browser contexts for the offline test: every request (pages and workers) and
 * WebSocket, every CSP violation (the `securitypolicyviolation` event in pages and
 * workers, and Chromium's console errors about a Content Security Policy).
 */
export class NetworkWatch {
  readonly requests: SeenRequest[] = [];
  readonly violations: string[] = [];
  /** The origins each context may reach; a context with none learns its own from its first page (the muxer's). */
  readonly #allowed = new Map<string, string[]>();

  /** Starts watching `context`, before any page opens in it. `allowed`: the origins it may reach. */
  async watch(context: BrowserContext, label: string, allowed: string[] = []): Promise<void> {
    this.#allowed.set(label, [...allowed]);
    context.on('request', (request: Request) => {
      this.requests.push({ context: label, url: request.url() });
      const origins = this.#allowed.get(label) ?? [];
      // The muxer serves its page from a loopback port it picks itself: its first document's origin is its own.
      if (origins.length === 0 && request.isNavigationRequest()) origins.push(networkOrigin(request.url()) ?? 'none');
    });
    context.on('console', (message) => {
      if (POLICY_PROBLEM.test(message.text())) this.violations.push(`${label}: console ${message.type()}: ${message.text()}`);
    });
    const onPage = (page: Page) => {
      page.on('websocket', (socket) => this.requests.push({ context: label, url: socket.url() }));
      page.on('worker', (worker: Worker) => void worker.evaluate(reportWorkerViolations).catch(() => undefined));
    };
    context.on('page', onPage);
    context.pages().forEach(onPage);
    await context.exposeBinding('__conclaveCspViolation', ({ page }, text: string) => this.violations.push(`${label}: ${page.url().split('#')[0]}: ${text}`));
    await context.addInitScript(reportViolations);
  }

  /** Requests that went anywhere but the origins of their context (data: and blob: never leave the browser). */
  outside(): string[] {
    return this.requests
      .filter(({ context, url }) => {
        if (/^(data|blob):/.test(url)) return false;
        const origin = networkOrigin(url);
        return origin === null || !(this.#allowed.get(context) ?? []).includes(origin);
      })
      .map(({ context, url }) => `${context}: ${url}`);
  }

  /** The allowed origins of each context (for the failure message). */
  allowed(): Record<string, string[]> {
    return Object.fromEntries(this.#allowed);
  }
}
