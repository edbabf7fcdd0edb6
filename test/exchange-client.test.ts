/**
 * A client of the embedded exchange written from docs/exchange-protocol.md alone, with plain `ws`:
 * subscribe-all on one connection, book rebuilding from snapshot + deltas with gap detection,
 * injected gaps, the REST (Binance-style) sync, and order entry.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';

// `ws` is a dependency of the exchange package; resolve it from there.

type Level = [string, string];
type Frame = Record<string, unknown> & { type: string; channel: string };
interface Instrument {
  symbol: string;
  tickSize: string;
  lotSize: string;
  pricePrecision: number;
  sizePrecision: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

/** Exact decimal string -> integer units at a precision. */
function units(s: string, precision: number): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(`${i}${f.padEnd(precision, '0')}`);
}

function fmt(u: bigint, precision: number): string {
  const neg = u < 0n;
  const s = (neg ? -u : u).toString().padStart(precision + 1, '0');
  return `${neg ? '-' : ''}${precision === 0 ? s : `${s.slice(0, -precision)}.${s.slice(-precision)}`}`;
}

class Conn {
  readonly frames: Frame[] = [];
  onFrame: (f: Frame) => void = () => {};
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private nextId = 1;

  private constructor(
    readonly ws: WebSocket,
    readonly keep: boolean,
  ) {
    ws.on('message', (d: Buffer) => {
      const f = JSON.parse(d.toString()) as Frame;
      if (keep || (f.type !== 'delta' && f.type !== 'trade' && f.type !== 'snapshot')) this.frames.push(f);
      this.onFrame(f);
      if (this.waiters.length > 0) {
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(f)) return true;
          w.resolve(f);
          return false;
        });
      }
    });
  }

  static async open(url: string, keep = true): Promise<Conn> {
    const ws = new WebSocket(url);
    const c = new Conn(ws, keep);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return c;
  }

  wait(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const hit = this.frames.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(t);
          resolve(f);
        },
      });
    });
  }

  /** Sends a request and resolves with its ack or error. */
  request(body: Record<string, unknown>): Promise<Frame> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ ...body, id }));
    return this.wait((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
  }

  close(): void {
    this.ws.close();
  }
}

/** Local book per the protocol document: absolute sizes, "0" removes. */
class LocalBook {
  bids = new Map<string, string>();
  asks = new Map<string, string>();
  seq = -1;
  state: 'waiting' | 'live' | 'resyncing' = 'waiting';

  reset(bids: Level[], asks: Level[], seq: number): void {
    this.bids = new Map(bids);
    this.asks = new Map(asks);
    this.seq = seq;
    this.state = 'live';
  }

  apply(bids: Level[], asks: Level[], seq: number, zero: (s: string) => boolean): void {
    for (const [p, s] of bids) zero(s) ? this.bids.delete(p) : this.bids.set(p, s);
    for (const [p, s] of asks) zero(s) ? this.asks.delete(p) : this.asks.set(p, s);
    this.seq = seq;
  }

  levels(side: 'bids' | 'asks'): Level[] {
    const dir = side === 'bids' ? -1 : 1;
    return [...this[side]].sort((a, b) => dir * Number(units(a[0], 12) - units(b[0], 12)));
  }
}

const isZero = (s: string): boolean => /^0(\.0*)?$/.test(s);

describe('exchange client: 5,500 instruments on one connection', () => {
  let ex: ExchangeHandle;
  let instruments: Instrument[];
  let conn: Conn;
  const books = new Map<string, LocalBook>();
  /** Raw delta continuity per instrument: highest delta seq seen, and every missing seq seen. */
  const lastDelta = new Map<string, number>();
  const missing = new Set<string>();
  const lastTradeId = new Map<string, number>();
  let tradeIdGaps = 0;
  let deltas = 0;
  let events = 0;
  let heartbeats = 0;
  let subscribeAckMs = 0;

  beforeAll(async () => {
    ex = await startExchange({ instruments: 5500, eventsPerSecond: 30_000, heartbeatMs: 200 });
  });
  afterAll(async () => {
    conn?.close();
    await ex?.close();
  });

  function onFrame(f: Frame): void {
    if (f.type === 'heartbeat') heartbeats++;
    const colon = f.channel.indexOf(':');
    const symbol = f.channel.slice(colon + 1);
    if (f.type === 'snapshot') {
      const b = books.get(symbol) as LocalBook;
      b.reset(f.bids as Level[], f.asks as Level[], f.seq as number);
      if (!lastDelta.has(symbol)) lastDelta.set(symbol, f.seq as number);
    } else if (f.type === 'delta') {
      deltas++;
      const seq = f.seq as number;
      const bids = f.bids as Level[];
      const asks = f.asks as Level[];
      events += bids.length + asks.length;
      expect(f.prevSeq).toBe(seq - 1);
      const last = lastDelta.get(symbol) as number;
      if (seq > last + 1) for (let s = last + 1; s < seq; s++) missing.add(`${symbol}:${s}`);
      if (seq > last) lastDelta.set(symbol, seq);
      const b = books.get(symbol) as LocalBook;
      if (b.state !== 'live' || seq <= b.seq) return;
      if (seq === b.seq + 1) b.apply(bids, asks, seq, isZero);
      else {
        b.state = 'resyncing';
        conn.ws.send(JSON.stringify({ action: 'snapshot', channels: [`book:${symbol}`] }));
      }
    } else if (f.type === 'trade') {
      for (const t of f.trades as Array<{ id: number }>) {
        events++;
        const prev = lastTradeId.get(symbol);
        if (prev !== undefined && t.id !== prev + 1) tradeIdGaps++;
        lastTradeId.set(symbol, t.id);
      }
    }
  }

  it('lists the universe over REST', async () => {
    const r = (await (await fetch(`${ex.httpUrl}/v1/instruments`)).json()) as { instruments: Instrument[] };
    instruments = r.instruments;
    expect(instruments).toHaveLength(5500);
    expect(new Set(instruments.map((i) => i.symbol)).size).toBe(5500);
    expect(instruments.some((i) => i.symbol.includes('-'))).toBe(true);
    for (const i of instruments) books.set(i.symbol, new LocalBook());
  });

  it('subscribes to every book and trade channel and gets every snapshot', async () => {
    conn = await Conn.open(ex.wsUrl, false);
    conn.onFrame = onFrame;
    const welcome = await conn.wait((f) => f.type === 'welcome');
    expect(welcome).toMatchObject({ channel: 'system', limits: { maxSubscriptions: 20000, maxFrameBytes: 65536 } });
    const t0 = performance.now();
    const acks: Array<Promise<Frame>> = [];
    for (let i = 0; i < instruments.length; i += 1000) {
      const chunk = instruments.slice(i, i + 1000).flatMap((x) => [`book:${x.symbol}`, `trades:${x.symbol}`]);
      acks.push(conn.request({ action: 'subscribe', channels: chunk }));
    }
    const res = await Promise.all(acks);
    subscribeAckMs = performance.now() - t0;
    expect(res.every((a) => a.type === 'ack')).toBe(true);
    expect(res.at(-1)).toMatchObject({ total: 11000 });
    await until(() => [...books.values()].every((b) => b.state === 'live'), 15_000, 'all snapshots');
    // Idempotent duplicate subscription.
    expect(await conn.request({ action: 'subscribe', channels: ['book:AAPL', 'trades:AAPL'] })).toMatchObject({ added: 0, total: 11000 });
    console.log(`subscribe-all acknowledged in ${subscribeAckMs.toFixed(0)} ms`);
  });

  it('syncs a second connection the REST way (buffer deltas, fetch snapshot, apply)', async () => {
    const picks = instruments.slice(300, 320).map((i) => i.symbol);
    const c2 = await Conn.open(ex.wsUrl, false);
    const buffers = new Map<string, Frame[]>(picks.map((s) => [s, []]));
    const local = new Map<string, LocalBook>(picks.map((s) => [s, new LocalBook()]));
    let c2Gaps = 0;
    c2.onFrame = (f) => {
      if (f.type !== 'delta') return;
      const s = f.channel.slice(5);
      const b = local.get(s) as LocalBook;
      if (b.state !== 'live') {
        buffers.get(s)?.push(f);
        return;
      }
      const seq = f.seq as number;
      if (seq <= b.seq) return;
      if (seq !== b.seq + 1) c2Gaps++;
      b.apply(f.bids as Level[], f.asks as Level[], seq, isZero);
    };
    expect(await c2.request({ action: 'subscribe', channels: picks.map((s) => `book:${s}`), snapshot: false })).toMatchObject({
      added: 20,
    });
    await sleep(50);
    for (const s of picks) {
      const snap = (await (await fetch(`${ex.httpUrl}/v1/book/${s}`)).json()) as { seq: number; bids: Level[]; asks: Level[] };
      const b = local.get(s) as LocalBook;
      const buf = (buffers.get(s) as Frame[]).filter((f) => (f.seq as number) > snap.seq);
      // The first buffered delta after the snapshot must be snap.seq + 1 (or none yet).
      if (buf.length > 0) expect(buf[0]?.seq).toBe(snap.seq + 1);
      b.reset(snap.bids, snap.asks, snap.seq);
      for (const f of buf) b.apply(f.bids as Level[], f.asks as Level[], f.seq as number, isZero);
    }
    await sleep(700);
    expect(c2Gaps).toBe(0);
    // Compare at equal seq: the main connection's book of the same instrument.
    await ex.setPaused(true);
    await sleep(300);
    for (const s of picks) {
      const a = local.get(s) as LocalBook;
      const b = books.get(s) as LocalBook;
      expect(a.seq).toBe(b.seq);
      expect(a.levels('bids')).toEqual(b.levels('bids'));
      expect(a.levels('asks')).toEqual(b.levels('asks'));
    }
    ex.setPaused(false);
    c2.close();
  });

  it('detects exactly the injected gaps and resyncs', async () => {
    await sleep(300);
    expect(missing.size).toBe(0);
    const post = async (body: unknown): Promise<void> => {
      const r = await fetch(`${ex.httpUrl}/v1/control/faults`, { method: 'POST', body: JSON.stringify(body) });
      expect(r.status).toBe(200);
    };
    const hot = instruments.slice(0, 10).map((i) => i.symbol);
    await post({ skip: { instruments: hot, count: 2 } });
    const injected = async (): Promise<Array<{ kind: string; instrument: string; seq: number }>> =>
      (
        (await (await fetch(`${ex.httpUrl}/v1/control/faults`)).json()) as {
          injected: Array<{ kind: string; instrument: string; seq: number }>;
        }
      ).injected;
    await until(async () => (await injected()).filter((f) => f.kind === 'skip').length === 20, 10_000, '20 listed skips');
    const top = instruments.slice(10, 200).map((i) => i.symbol);
    await post({ skip: { instruments: top, rate: 0.02 } });
    await sleep(1000);
    await post({ skip: null });
    const skips = (await injected()).filter((f) => f.kind === 'skip');
    expect(skips.length).toBeGreaterThan(20);
    // Each gap is seen once the next delta of the instrument arrives.
    await until(() => skips.every((k) => (lastDelta.get(k.instrument) ?? 0) > k.seq), 10_000, 'deltas after every gap');
    expect([...missing].sort()).toEqual(skips.map((k) => `${k.instrument}:${k.seq}`).sort());
    expect(tradeIdGaps).toBe(0);
    await until(() => [...books.values()].every((b) => b.state === 'live'), 5000, 'resyncs');
  });

  it("rebuilds every book exactly: equal to the server's own at equal seq", async () => {
    await sleep(500);
    const r = await fetch(`${ex.httpUrl}/v1/control/market`, { method: 'POST', body: '{"paused":true}' });
    expect(await r.json()).toMatchObject({ ok: true, paused: true });
    // Drain: wait until no delta arrives for a while.
    let d = -1;
    await until(
      () => {
        const same = d === deltas;
        d = deltas;
        return same && [...books.values()].every((b) => b.state === 'live');
      },
      5000,
      'quiet stream',
    );
    const syms = instruments.map((i) => i.symbol);
    const mismatches: string[] = [];
    let compared = 0;
    for (let i = 0; i < syms.length; i += 1000) {
      const r = await fetch(`${ex.httpUrl}/v1/books?symbols=${syms.slice(i, i + 1000).join(',')}`);
      const { books: snaps } = (await r.json()) as { books: Array<{ instrument: string; seq: number; bids: Level[]; asks: Level[] }> };
      for (const snap of snaps) {
        const b = books.get(snap.instrument) as LocalBook;
        compared++;
        const ok =
          b.seq === snap.seq &&
          JSON.stringify(b.levels('bids')) === JSON.stringify(snap.bids) &&
          JSON.stringify(b.levels('asks')) === JSON.stringify(snap.asks);
        if (!ok) mismatches.push(`${snap.instrument}: client seq ${b.seq}, server seq ${snap.seq}`);
      }
    }
    expect(compared).toBe(5500);
    // Spot-check the single-instrument endpoint agrees with the bulk one.
    const one = (await (await fetch(`${ex.httpUrl}/v1/book/AAPL`)).json()) as { seq: number; bids: Level[] };
    expect(one.seq).toBe(books.get('AAPL')?.seq);
    expect(one.bids).toEqual(books.get('AAPL')?.levels('bids'));
    expect(mismatches).toEqual([]);
    expect(deltas).toBeGreaterThan(10_000);
    expect(heartbeats).toBeGreaterThan(5);
    console.log(`received ${deltas} deltas, ${events} events; subscribe-all ack ${subscribeAckMs.toFixed(0)} ms`);
  });
});

describe('exchange client: order entry', () => {
  let ex: ExchangeHandle;
  let alice: Conn;
  let bob: Conn;
  let aapl: Instrument;
  beforeAll(async () => {
    // A paused market keeps the books still, so fills are predictable from the REST snapshot.
    ex = await startExchange({ instruments: 50, paused: true, orderRateLimit: 20, takerFeeBps: 2, makerFeeBps: 1 });
    alice = await Conn.open(`${ex.wsUrl}?account=alice`);
    bob = await Conn.open(`${ex.wsUrl}?account=bob`);
    const list = (await (await fetch(`${ex.httpUrl}/v1/instruments`)).json()) as { instruments: Instrument[] };
    aapl = list.instruments.find((i) => i.symbol === 'AAPL') as Instrument;
  });
  afterAll(async () => {
    alice?.close();
    bob?.close();
    await ex?.close();
  });

  const book = async (): Promise<{ seq: number; bids: Level[]; asks: Level[] }> =>
    (await (await fetch(`${ex.httpUrl}/v1/book/AAPL`)).json()) as { seq: number; bids: Level[]; asks: Level[] };
  const execs = (c: Conn, coid: string): Frame[] =>
    c.frames.filter((f) => f.type === 'execution' && (f.order as { clientOrderId: string }).clientOrderId === coid);
  const sp = (): number => aapl.sizePrecision;
  const pp = (): number => aapl.pricePrecision;
  const fee = (price: string, size: string, bps: number): string => {
    // price x size at 8 decimals, x bps / 10,000, rounded half away from zero.
    const n = units(price, pp()) * units(size, sp()) * 10n ** BigInt(8 - pp() - sp());
    const num = n * BigInt(bps * 100);
    const q = num / 1_000_000n;
    const r = num % 1_000_000n;
    return fmt(r * 2n >= 1_000_000n ? q + 1n : q, 8);
  };

  it('a marketable limit order fills across three levels at each level price', async () => {
    const b = await book();
    const [a1, a2, a3] = b.asks as [Level, Level, Level];
    const lot = units(aapl.lotSize, sp());
    const half = (units(a3[1], sp()) / 2n / lot) * lot || lot;
    const size = fmt(units(a1[1], sp()) + units(a2[1], sp()) + half, sp());
    const ack = await alice.request({
      action: 'new_order',
      clientOrderId: 'sweep',
      instrument: 'AAPL',
      side: 'buy',
      type: 'limit',
      price: a3[0],
      size,
    });
    expect(ack).toMatchObject({ type: 'ack', action: 'new_order', clientOrderId: 'sweep', status: 'filled' });
    await alice.wait(
      (f) =>
        f.type === 'execution' &&
        (f.order as { clientOrderId: string }).clientOrderId === 'sweep' &&
        (f.order as { status: string }).status === 'filled',
    );
    const reps = execs(alice, 'sweep');
    expect(reps.map((r) => r.event)).toEqual(['new', 'trade', 'trade', 'trade']);
    expect(reps.map((r) => [(r.fill as { price: string })?.price, (r.fill as { size: string })?.size])).toEqual([
      [undefined, undefined],
      [a1[0], a1[1]],
      [a2[0], a2[1]],
      [a3[0], fmt(half, sp())],
    ]);
    for (const r of reps.slice(1)) {
      const f = r.fill as { price: string; size: string; fee: string; liquidity: string; seq: number };
      expect(f.liquidity).toBe('taker');
      expect(f.fee).toBe(fee(f.price, f.size, 2));
      expect(f.seq).toBe(r.seq);
    }
    // The public book lost exactly that liquidity.
    const after = await book();
    expect(after.asks[0]).toEqual([a3[0], fmt(units(a3[1], sp()) - half, sp())]);
    expect(after.seq).toBe(b.seq + 1);
  });

  it('a GTC order partially fills, rests, shows in open orders and cancels', async () => {
    const b = await book();
    const best = b.asks[0] as Level;
    const lot = units(aapl.lotSize, sp());
    const size = fmt(units(best[1], sp()) + 5n * lot, sp());
    const ack = await alice.request({ action: 'new_order', clientOrderId: 'part', instrument: 'AAPL', side: 'buy', price: best[0], size });
    expect(ack).toMatchObject({ status: 'partially_filled' });
    const open = await alice.request({ action: 'open_orders' });
    expect(open.orders).toEqual([
      expect.objectContaining({
        clientOrderId: 'part',
        status: 'partially_filled',
        filledSize: best[1],
        remainingSize: fmt(5n * lot, sp()),
        avgPrice: best[0],
      }),
    ]);
    const cancel = await alice.request({ action: 'cancel_order', clientOrderId: 'part' });
    expect(cancel).toMatchObject({ type: 'ack', status: 'canceled' });
    await alice.wait(
      (f) => f.type === 'execution' && f.event === 'canceled' && (f.order as { clientOrderId: string }).clientOrderId === 'part',
    );
    expect(execs(alice, 'part').map((r) => r.event)).toEqual(['new', 'trade', 'canceled']);
    expect(execs(alice, 'part').at(-1)).toMatchObject({ reason: 'canceled_by_user' });
    expect((await alice.request({ action: 'open_orders' })).orders).toEqual([]);
    expect(await alice.request({ action: 'cancel_order', clientOrderId: 'part' })).toMatchObject({ type: 'error', code: 'unknown_order' });
  });

  it('an IOC sell cancels its unfilled rest', async () => {
    const b = await book();
    const best = b.bids[0] as Level;
    const size = fmt(units(best[1], sp()) * 2n, sp());
    expect(
      await alice.request({
        action: 'new_order',
        clientOrderId: 'ioc',
        instrument: 'AAPL',
        side: 'sell',
        price: best[0],
        size,
        timeInForce: 'IOC',
      }),
    ).toMatchObject({
      status: 'canceled',
    });
    await alice.wait(
      (f) => f.type === 'execution' && f.event === 'canceled' && (f.order as { clientOrderId: string }).clientOrderId === 'ioc',
    );
    expect(execs(alice, 'ioc').map((r) => [r.event, r.reason])).toEqual([
      ['new', undefined],
      ['trade', undefined],
      ['canceled', 'ioc_remainder'],
    ]);
  });

  it('rejects as documented', async () => {
    const o = { action: 'new_order', instrument: 'AAPL', side: 'buy', price: '1.00', size: fmt(units(aapl.lotSize, sp()), sp()) };
    const tooPrecise = `1.${'0'.repeat(pp())}1`;
    expect(await alice.request({ ...o, clientOrderId: 'r1', price: tooPrecise })).toMatchObject({
      type: 'error',
      code: 'bad_price',
      field: 'price',
    });
    expect(await alice.request({ ...o, clientOrderId: 'r2', size: '0' })).toMatchObject({ code: 'bad_size', field: 'size' });
    expect(await alice.request({ ...o, clientOrderId: 'r3', instrument: 'NOPE' })).toMatchObject({ code: 'unknown_instrument' });
    expect(await alice.request({ ...o, clientOrderId: 'r1' })).toMatchObject({ code: 'duplicate_client_order_id' });
    expect(await alice.request({ ...o, clientOrderId: 'r4', type: 'market', price: undefined, timeInForce: 'GTC' })).toMatchObject({
      code: 'bad_request',
    });
    await alice.wait(
      (f) => f.type === 'execution' && f.event === 'rejected' && (f.order as { clientOrderId: string }).clientOrderId === 'r4',
    );
    expect(execs(alice, 'r1')).toEqual([expect.objectContaining({ event: 'rejected', reason: 'bad_price' })]);
    expect(execs(alice, 'r2')).toEqual([expect.objectContaining({ event: 'rejected', reason: 'bad_size' })]);
    expect(execs(alice, 'r3')).toEqual([]);
    // Rate limit: 20 new orders per second for a fresh account.
    const carol = await Conn.open(`${ex.wsUrl}?account=carol`);
    const res = await Promise.all(Array.from({ length: 25 }, (_, i) => carol.request({ ...o, clientOrderId: `q${i}` })));
    expect(res.filter((r) => r.type === 'ack')).toHaveLength(20);
    expect(res.filter((r) => r.code === 'rate_limited')).toHaveLength(5);
    carol.close();
  });

  it("a resting order fills as maker when another account's order trades through it", async () => {
    const b = await book();
    const [best, second] = b.asks as [Level, Level];
    const lot = units(aapl.lotSize, sp());
    expect(
      await alice.request({
        action: 'new_order',
        clientOrderId: 'rest',
        instrument: 'AAPL',
        side: 'sell',
        price: best[0],
        size: fmt(2n * lot, sp()),
      }),
    ).toMatchObject({
      status: 'open',
    });
    const take = fmt(units(best[1], sp()) + lot, sp());
    expect(
      await bob.request({ action: 'new_order', clientOrderId: 'lift', instrument: 'AAPL', side: 'buy', type: 'market', size: take }),
    ).toMatchObject({
      status: 'filled',
    });
    const fill = await alice.wait(
      (f) => f.type === 'execution' && f.event === 'trade' && (f.order as { clientOrderId: string }).clientOrderId === 'rest',
    );
    expect(fill.fill).toMatchObject({
      price: best[0],
      size: fmt(2n * lot, sp()),
      liquidity: 'maker',
      fee: fee(best[0], fmt(2n * lot, sp()), 1),
    });
    expect(fill.order).toMatchObject({ status: 'filled' });
    const bobFills = execs(bob, 'lift')
      .filter((r) => r.event === 'trade')
      .map((r) => (r.fill as { price: string }).price);
    expect(bobFills).toEqual([best[0], second[0]]);
  });

  it("the client's positions equal the exchange's account, and report seqs have no gaps", async () => {
    await sleep(100);
    const reps = alice.frames.filter((f) => f.type === 'execution');
    expect(reps.map((r) => r.seq)).toEqual(reps.map((_, i) => i + 1));
    let pos = 0n;
    let cash = 0n;
    let fees = 0n;
    const fillIds: string[] = [];
    for (const r of reps) {
      if (r.event !== 'trade') continue;
      const f = r.fill as { fillId: string; side: string; price: string; size: string; fee: string };
      fillIds.push(f.fillId);
      const notional = units(f.price, pp()) * units(f.size, sp()) * 10n ** BigInt(8 - pp() - sp());
      const feeU = units(f.fee.replace('-', ''), 8) * (f.fee.startsWith('-') ? -1n : 1n);
      pos += f.side === 'buy' ? units(f.size, sp()) : -units(f.size, sp());
      cash += (f.side === 'buy' ? -notional : notional) - feeU;
      fees += feeU;
    }
    const mine = {
      account: 'alice',
      cash: fmt(cash, 8),
      feesPaid: fmt(fees, 8),
      positions: [{ instrument: 'AAPL', size: fmt(pos, sp()), cash: fmt(cash, 8) }],
    };
    const viaWs = await alice.request({ action: 'account' });
    expect(viaWs).toMatchObject({ ...mine, seq: reps.length, fills: fillIds.length, openOrders: 0 });
    const viaRest = await (await fetch(`${ex.httpUrl}/v1/account?account=alice`)).json();
    expect(viaRest).toMatchObject(mine);
    const fills = await alice.request({ action: 'fills', sinceSeq: 0 });
    expect((fills.fills as Array<{ fillId: string }>).map((f) => f.fillId)).toEqual(fillIds);
    const later = await alice.request({ action: 'fills', sinceSeq: reps.length - 1 });
    expect((later.fills as unknown[]).length).toBe(reps.at(-1)?.event === 'trade' ? 1 : 0);
  });
});
