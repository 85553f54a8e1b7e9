// A dedicated worker's memory, sampled through the DevTools protocol: its JavaScript heap plus the array buffers
// it holds (Runtime.getHeapUsage's usedSize + backingStorageSize). Typed arrays live outside the JS heap, so the heap
// alone would miss what a table read into memory costs. Used by the browser tests and `npm run bench:scale`.
//
// The page's CDP session auto-attaches to its workers without flattening (Playwright's own sessions stay as they
// are) and talks to one through Target.sendMessageToTarget.

/** @typedef {import('@playwright/test').Page} Page */
/** @typedef {{ heap: number, buffers: number, total: number }} MemorySample */

export class WorkerMemory {
  /**
   * @param {import('@playwright/test').CDPSession} cdp
   * @param {string} urlPart a part of the worker script's address, e.g. `trainer.worker`
   */
  constructor(cdp, urlPart) {
    /** @readonly */
    this.cdp = cdp;
    /** @readonly */
    this.urlPart = urlPart;
    /** @type {Map<string, string>} session id → worker url */
    this.workers = new Map();
    /** @type {Map<number, { resolve: (v: Record<string, unknown>) => void, reject: (e: Error) => void }>} */
    this.pending = new Map();
    this.nextId = 1;
    /** The largest total seen by sample(). */
    this.peak = 0;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    cdp.on('Target.attachedToTarget', (e) => {
      if (e.targetInfo.type === 'worker') this.workers.set(e.sessionId, e.targetInfo.url);
    });
    cdp.on('Target.detachedFromTarget', (e) => {
      if (e.sessionId) this.workers.delete(e.sessionId);
    });
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      /** @type {{ id?: number, result?: Record<string, unknown>, error?: { message: string } }} */
      const msg = JSON.parse(e.message);
      const waiting = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!waiting || msg.id === undefined) return;
      this.pending.delete(msg.id);
      if (msg.error) waiting.reject(new Error(`worker DevTools: ${msg.error.message}`));
      else waiting.resolve(msg.result ?? {});
    });
  }

  /**
   * Starts watching a page's workers.
   * @param {Page} page
   * @param {string} urlPart
   */
  static async attach(page, urlPart) {
    const cdp = await page.context().newCDPSession(page);
    const memory = new WorkerMemory(cdp, urlPart);
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return memory;
  }

  /** The worker's session, once it exists. */
  session() {
    for (const [id, url] of this.workers) if (url.includes(this.urlPart)) return id;
    return null;
  }

  /**
   * One DevTools call in the worker.
   * @param {string} method
   * @returns {Promise<Record<string, unknown>>}
   */
  async call(method) {
    const sessionId = this.session();
    if (!sessionId) throw new Error(`no worker whose address contains ${this.urlPart} is running (workers: ${[...this.workers.values()].join(', ') || 'none'})`);
    const id = this.nextId++;
    /** @type {Promise<Record<string, unknown>>} */
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    await this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    return reply;
  }

  /** @returns {Promise<MemorySample>} the worker's memory now, in bytes */
  async sample() {
    const r = await this.call('Runtime.getHeapUsage');
    const heap = Number(r.usedSize);
    const buffers = Number(r.backingStorageSize ?? 0);
    const total = heap + buffers;
    this.peak = Math.max(this.peak, total);
    return { heap, buffers, total };
  }

  /** Collects garbage in the worker (for a baseline that is not inflated by what is already dead). */
  async collectGarbage() {
    await this.call('HeapProfiler.collectGarbage');
  }

  /**
   * Samples every `ms` milliseconds until stop(), keeping the peak.
   * @param {number} ms
   */
  watch(ms) {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.sample().catch(() => undefined), ms);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.peak;
  }
}
