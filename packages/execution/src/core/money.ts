/**
 * Exact money sums across instruments whose money figures have different scales: a bigint
 * mantissa at the finest scale added so far (coarser terms are rescaled up, never rounded).
 */

import { bigPow10, decimalString } from '@tickline/wire';

export class ExactSum {
  mantissa = 0n;
  scale = 0;

  add(mantissa: bigint, scale: number): this {
    if (scale > this.scale) {
      this.mantissa *= bigPow10(scale - this.scale);
      this.scale = scale;
    }
    this.mantissa += scale < this.scale ? mantissa * bigPow10(this.scale - scale) : mantissa;
    return this;
  }

  toString(): string {
    return decimalString(this.mantissa, this.scale);
  }
}
