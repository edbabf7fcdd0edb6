/**
 * How far behind the venue's socket is read, measured with WebSocket ping frames.
 *
 * A pong travels the same byte stream as the market data: it leaves the venue behind everything
 * already in the venue's send buffer, in flight and in our kernel's receive buffer, and its handler
 * runs only once every frame before it was handled. Its round trip above the connection's fastest
 * one is therefore the time data waits between the venue and us. Where ingest hands frames to a
 * queue, the queue's age is the backlog; where ingest is fused with the stages after it there is no
 * queue, and a pipeline short of CPU falls behind in the socket instead, invisible to anything but
 * a probe like this one (the venue cuts such a connection once its buffer is full).
 *
 * While a probe is out, its age is a lower bound that grows in real time, so a backlog is seen
 * within one look even when the pong is seconds away. One probe at a time; the fastest round trip
 * of the connection is the baseline (network and venue turn-around, which no shedding shortens),
 * and the path's own jitter is allowed for as TCP does: four mean deviations of the round trip,
 * learnt from the answers that found no backlog (over the internet a round trip varies by tens of
 * ms with nothing queued for us; on loopback by about one).
 */

export class LagProbe {
  /** Sent at (ms, performance clock) of the probe out, NaN when none is. */
  #sentAt = Number.NaN;
  #payload = 0;
  #minRtt = Number.POSITIVE_INFINITY;
  #lastLag = 0;
  /** Smoothed round trip and its mean deviation, from answers within `quietMs` of the baseline. */
  #srtt = Number.NaN;
  #rttvar = 0;
  readonly #quietMs: number;
  /** Probes sent and answered, and given up on (unanswered for `expireMs`). */
  sent = 0;
  answered = 0;
  expired = 0;
  readonly #expireMs: number;

  /**
   * `expireMs`: a probe out longer than this is taken as lost, not as a backlog. `quietMs`: an
   * answer within this of the baseline found no backlog, and teaches the path's jitter.
   */
  constructor(expireMs: number, quietMs: number) {
    this.#expireMs = expireMs;
    this.#quietMs = quietMs;
  }

  /** Forget the connection's baseline (a new socket). */
  reset(): void {
    this.#sentAt = Number.NaN;
    this.#minRtt = Number.POSITIVE_INFINITY;
    this.#lastLag = 0;
    this.#srtt = Number.NaN;
    this.#rttvar = 0;
  }

  /** What the path's jitter alone can add to a round trip (ms): four mean deviations. */
  get jitterMs(): number {
    return 4 * this.#rttvar;
  }

  /** Whether a probe is out. */
  get outstanding(): boolean {
    return !Number.isNaN(this.#sentAt);
  }

  /** The payload to send with a new probe (records the send time). */
  start(nowMs: number): Buffer {
    this.#sentAt = nowMs;
    this.#payload = (this.#payload + 1) >>> 0;
    this.sent++;
    const b = Buffer.allocUnsafe(8);
    b.write('tkl', 0, 'latin1');
    b.writeUInt8(0, 3);
    b.writeUInt32BE(this.#payload, 4);
    return b;
  }

  /** A pong arrived: true if it answered the probe out (other pongs answer heartbeat pings). */
  answer(data: Buffer, nowMs: number): boolean {
    if (!this.outstanding || data.length !== 8 || data.toString('latin1', 0, 3) !== 'tkl') return false;
    if (data.readUInt32BE(4) !== this.#payload) return false;
    const rtt = nowMs - this.#sentAt;
    this.#sentAt = Number.NaN;
    this.answered++;
    if (rtt < this.#minRtt) this.#minRtt = rtt;
    const above = rtt - this.#minRtt;
    if (above <= this.#quietMs) {
      if (Number.isNaN(this.#srtt)) this.#srtt = rtt;
      else {
        this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(rtt - this.#srtt);
        this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
      }
    }
    this.#lastLag = Math.max(0, above - this.jitterMs);
    return true;
  }

  /**
   * The backlog now (ms): the age of the probe out beyond the baseline, or, with none out, what
   * the last answered probe found. 0 until a probe has been answered (no baseline: a venue that
   * never answers pings is not taken as one that is behind). A probe out longer than `expireMs`
   * is given up (a venue that stopped answering pings; a real backlog that long is past saving
   * by shedding, and the heartbeat's own checks handle a dead socket).
   */
  lagMs(nowMs: number): number {
    if (!Number.isFinite(this.#minRtt)) {
      if (this.outstanding && nowMs - this.#sentAt > this.#expireMs) this.#expire();
      return 0;
    }
    if (!this.outstanding) return this.#lastLag;
    const age = nowMs - this.#sentAt;
    if (age > this.#expireMs) {
      this.#expire();
      return 0;
    }
    return Math.max(this.#lastLag, age - this.#minRtt - this.jitterMs);
  }

  #expire(): void {
    this.#sentAt = Number.NaN;
    this.#lastLag = 0;
    this.expired++;
  }
}
