import { describeDoc } from './binance.js';
import { collectEntries, type InstrumentListResult, indexed, isObject, ListCollector, symbolAndSteps } from './list-result.js';

/**
 * OKX public instruments (`GET /api/v5/public/instruments?instType=SPOT|SWAP|FUTURES`), one body
 * per instrument type: `{"code":"0","data":[{instId, tickSz, lotSz, ...}]}`. A body with a non-zero
 * `code` is the venue's error and throws.
 */
export function parseOkxInstruments(...bodies: unknown[]): InstrumentListResult {
  const out = new ListCollector('okx');
  bodies.forEach((body, b) => {
    if (!isObject(body) || !Array.isArray(body.data))
      throw new TypeError(`okx instruments must be an object with a "data" array (got ${describeDoc(body)})`);
    if (body.code !== undefined && body.code !== '0' && body.code !== 0)
      throw new TypeError(`okx instruments answered code ${JSON.stringify(body.code)}: ${String(body.msg ?? '').slice(0, 120)}`);
    const prefix = bodies.length > 1 ? `[${b}].data` : 'data';
    collectEntries(
      'okx',
      indexed(body.data, prefix),
      (d, at) =>
        symbolAndSteps(at, { value: d.instId, field: 'instId' }, { value: d.tickSz, field: 'tickSz' }, { value: d.lotSz, field: 'lotSz' }),
      out,
    );
  });
  return out.result();
}
