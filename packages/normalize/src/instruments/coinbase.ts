import { describeDoc } from './binance.js';
import { collectEntries, type InstrumentListResult, indexed, isObject, symbolAndSteps } from './list-result.js';

/**
 * Coinbase Advanced Trade public products (`GET /api/v3/brokerage/market/products`):
 * `{"products":[{product_id, price_increment, quote_increment, base_increment, ...}]}`. The price
 * scale comes from `price_increment` (else `quote_increment`), the size scale from `base_increment`.
 */
export function parseCoinbaseProducts(body: unknown): InstrumentListResult {
  if (!isObject(body) || !Array.isArray(body.products))
    throw new TypeError(`coinbase products must be an object with a "products" array (got ${describeDoc(body)})`);
  return collectEntries('coinbase', indexed(body.products, 'products'), (p, at) => {
    const priceField = p.price_increment !== undefined ? 'price_increment' : 'quote_increment';
    return symbolAndSteps(
      at,
      { value: p.product_id, field: 'product_id' },
      { value: p[priceField], field: priceField },
      { value: p.base_increment, field: 'base_increment' },
    );
  });
}

/**
 * Coinbase Exchange products (`GET /products` on api.exchange.coinbase.com): an array of
 * `{id, quote_increment, base_increment, ...}`.
 */
export function parseCoinbaseExchangeProducts(body: unknown): InstrumentListResult {
  if (!Array.isArray(body)) throw new TypeError(`coinbase-legacy products must be an array (got ${describeDoc(body)})`);
  return collectEntries('coinbase-legacy', indexed(body, ''), (p, at) =>
    symbolAndSteps(
      at,
      { value: p.id, field: 'id' },
      { value: p.quote_increment, field: 'quote_increment' },
      { value: p.base_increment, field: 'base_increment' },
    ),
  );
}
