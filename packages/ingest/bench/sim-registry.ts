/** An InstrumentRegistry for the embedded exchange's instrument list (tests and benchmarks). */

import type { InstrumentInfo } from '@tickline/exchange';
import { InstrumentRegistry } from '@tickline/wire';

function mantissa(text: string, scale: number): number {
  const [i = '0', f = ''] = text.split('.');
  return Number(i + f.padEnd(scale, '0').slice(0, scale));
}

export function simRegistry(list: readonly InstrumentInfo[]): InstrumentRegistry {
  const reg = new InstrumentRegistry();
  for (const x of list) {
    reg.add({
      venue: 'sim',
      symbol: x.symbol,
      priceScale: x.pricePrecision,
      sizeScale: x.sizePrecision,
      tickSize: mantissa(x.tickSize, x.pricePrecision),
      lotSize: mantissa(x.lotSize, x.sizePrecision),
    });
  }
  return reg;
}
