/** `GET /metrics`: Prometheus text format, open like any scrape target (it holds no secrets). */

import type { DashboardContext } from '../context.js';
import type { Router } from '../router.js';

export function metricsRoutes(ctx: DashboardContext) {
  return (r: Router) => {
    r.add({
      method: 'GET',
      path: '/metrics',
      access: 'public',
      handler: async () => ({ body: await ctx.metrics.registry.metrics(), type: ctx.metrics.registry.contentType }),
    });
    r.add({ method: 'GET', path: '/healthz', access: 'public', handler: () => ({ json: { ok: true } }) });
  };
}
